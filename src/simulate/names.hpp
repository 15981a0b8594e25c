#pragma once
// Hand-written name tables for synthetic people: given names by sex and family names, each
// listed roughly from most to least common in England and Wales, drawn with Zipf-like
// weights (weight of rank r = r^-s) so that a few names are common and most are rare, as in
// real registers. One population table for everyone: victims and offenders draw from the
// same lists, and no list or attribute records ethnicity or religion.
#include <span>
#include <string_view>

#include "core/rng.hpp"

namespace joindots::simulate {

std::span<const std::string_view> female_given_names();
std::span<const std::string_view> male_given_names();
std::span<const std::string_view> family_names();
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
