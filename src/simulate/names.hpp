#pragma once
// Name tables for synthetic people: given names by sex and family names. Each table is a
// hand-written head (the frequent names, roughly from most to least common in England and
// Wales) followed by a long tail of synthetic compounds made deterministically from fixed
// morphemes (tens of thousands of surnames, a few thousand given names per sex). Weights
// follow published rank-frequency shapes (docs/simulator.md, "Name tables"): surnames the
// UK electoral register / Surname Profiler per-million shares by rank, given names a
// judgement shaped on ONS baby-name tables. One population table for everyone: victims and
// offenders draw from the same lists, and no list or attribute records ethnicity or religion.
#include <span>
#include <string_view>
#include <vector>

#include "core/rng.hpp"

namespace joindots::simulate {

std::span<const std::string_view> female_given_names();
std::span<const std::string_view> male_given_names();
std::span<const std::string_view> family_names();
enum class NameTable { female, male, family };
/// Number of hand-written names at the head of a table (the rest is the synthetic tail).
std::size_t head_size(NameTable t);
/// Draw weights of a table's names, rank order (not normalised).
std::vector<double> name_weights(NameTable t);
/// Street names and monikers offenders are known by (neutral, invented or generic).
std::span<const std::string_view> street_names();

/// Draws names with Zipf-like weights; build once and share (draws are const).
class NameSampler {
 public:
  NameSampler();
  std::string_view given(Rng& rng, bool female) const;
  std::string_view family(Rng& rng) const;
  std::string_view street(Rng& rng) const;

 private:
  AliasTable female_, male_, family_, street_;
};

}  // namespace joindots::simulate
