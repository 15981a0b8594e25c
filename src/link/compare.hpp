#pragma once
// Comparison vectors: each compared field of a record pair gets an ordered agreement level
// (fields.hpp lists them). The levels of one pair, packed 4 bits per field, form its
// comparison pattern; Fellegi-Sunter works on the counts of distinct patterns.
//
// Thresholds follow METHODS.md §1: exact; Jaro-Winkler >= 0.92; >= 0.80; else; plus
// "missing", which carries no evidence.
#include <cstdint>
#include <vector>

#include "records/fields.hpp"

namespace joindots::link {

/// One compared field.
struct Comparison {
  Field field;
  Comparator comparator;
  bool tf_adjust = false;  // term-frequency adjustment of exact agreement (Winkler)
  /// Correlated fields (link/structure.hpp): when comparison `absorbed_by` is at its top
  /// level (`absorber_top`), this one is missing (no evidence of its own); -1 = never.
  int absorbed_by = -1;
  int absorber_top = 0;
};

using Pattern = std::uint64_t;
inline constexpr std::size_t kMaxComparisons = 16;

inline int level_of(Pattern p, std::size_t k) { return static_cast<int>((p >> (4 * k)) & 0xF); }

/// The agreement level of one field of a pair.
int compare_field(const LinkRecord& a, const LinkRecord& b, const Comparison& c);

/// The comparison pattern of a pair: level of comparison k in bits 4k..4k+3.
Pattern compare_pair(const LinkRecord& a, const LinkRecord& b, const std::vector<Comparison>& comparisons);

/// Date comparator on its own (levels as in level_names(Comparator::date)).
int compare_dates(const LinkDate& a, const LinkDate& b);
/// Postcode comparator on its own.
int compare_postcodes(const PostcodeParts& a, const PostcodeParts& b);

}  // namespace joindots::link
