#pragma once
// Structure learned from the data before the model is fitted (issue 12):
//  - correlated fields: two compared fields whose exact agreement goes together among
//    random pairs (a suburb that is a function of the postcode) are not independent given
//    non-match, and Fellegi-Sunter would count the same evidence twice; worse, an EM session
//    blocked on one sees the other agree on every pair and learns it as the match class.
//    The less specific field of such a pair is absorbed: it counts only when the other
//    does not agree exactly (Comparison::absorbed_by), i.e. the two act as one comparison
//    "postcode exact, else suburb's levels".
//  - within-file duplication (link.cpp, after the model is fitted across files): per input
//    file, the pairs within it the blocking rules propose are scored with that model; those
//    it scores as matches, per record, are the file's duplicate rate. A file with
//    fewer than kOnePerPersonRate holds one record per person, and clustering gets the
//    one-per-source constraint for it.
#include <cstdint>
#include <string>
#include <vector>

#include "link/compare.hpp"
#include "records/fields.hpp"

namespace joindots::link {

struct CorrelatedFields {
  Field kept, absorbed;  // `absorbed` counts only when `kept` does not agree exactly
  double p_absorbed_given_kept = 0;  // P(absorbed exact | kept exact) among random pairs
  double lift = 0;                   // P(both exact) / (P(kept exact) P(absorbed exact))
};

/// Finds pairs of compared fields (names aside) whose exact agreement among `n_pairs`
/// random pairs that disagree on every name (non-matches, whatever the structure) has
/// P(B exact | A exact) >= 0.8 and a lift >= 10 (B's agreement is mostly explained by A's),
/// A the more specific of the two. Each field is absorbed at most once and an absorbing
/// field is never itself absorbed. Deterministic for a seed.
std::vector<CorrelatedFields> detect_correlated_fields(const std::vector<LinkRecord>& records,
                                                       const std::vector<Comparison>& comparisons,
                                                       bool cross_source_only, std::int64_t n_pairs,
                                                       std::uint64_t seed);

/// Marks the absorbed comparisons (absorbed_by, absorber_top) in `comparisons`.
void apply_correlated_fields(std::vector<Comparison>& comparisons, const std::vector<CorrelatedFields>& found);

struct SourceDuplication {
  std::uint32_t source = 0;
  std::int64_t records = 0;
  std::int64_t candidate_pairs = 0;  // pairs within this file the blocking rules propose
  double duplicate_pairs = 0;        // those the model scores as matches (p >= cluster.threshold)
  double duplicate_rate = 0;         // duplicate_pairs per record
  bool one_per_person = false;       // judged to hold one record per person
};

struct DuplicationReport {
  std::vector<SourceDuplication> sources;
};

/// A file is judged to hold one record per person when the model fitted across files
/// scores fewer than this many pairs per record within it as matches.
inline constexpr double kOnePerPersonRate = 0.01;

}  // namespace joindots::link
