#pragma once
// The sparse scenarios of the coverage study (issue 13, item 3): a population of known size
// on 6 or 8 lists, each list reaching about 1% of the people, so that 130-200 are observed
// and most pairs of lists never share a person (about 9 of 15 at K = 6, 18-19 of 28 at K = 8;
// 80-93% of the cells empty), as in the sparse published tables (the
// modern-slavery and trafficking tables of 6-8 lists, 185-300 people).
//
// Lists are visited in order; being on list j makes list j + 1 four times as likely (a
// referral chain: adjacent lists overlap, distant ones rarely). With `heterogeneous`, 30%
// of the people are 2.5 times as visible on every list as the rest, the visibilities scaled
// to average 1 (E v^2 / (E v)^2 = 1.22: pairwise overlaps 22% above what the average
// visibility gives; about as many observed as without).
//
// Header-only so that bench/coverage_study.cpp and the tests share it.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "estimate/capture_table.hpp"

namespace joindots {

/// The true N of the sparse scenario with `lists` lists (6 or 8).
inline int sparse_scenario_size(int lists) { return lists == 6 ? 3000 : 2000; }

/// Base capture probabilities per list (before the referral chain).
inline std::vector<double> sparse_scenario_probabilities(int lists) {
  if (lists == 6) return {0.012, 0.009, 0.007, 0.012, 0.009, 0.007};
  return {0.012, 0.009, 0.012, 0.009, 0.012, 0.009, 0.012, 0.009};
}

/// How the lists depend on each other in a sparse scenario. ReferralChain is the study's
/// mechanism (above). Two more judge a rule on what it was not chosen on:
///   AvoidanceChain  being on list j makes list j + 1 a quarter as likely (negative
///                   dependence between adjacent lists: people one agency sees avoid the next);
///   LatentClasses   half the people are seen by lists 1..K/2 at twice the base probability and
///                   by the rest at a quarter of it, the other half the reverse (two groups,
///                   each known to its own agencies: positive dependence within a half,
///                   negative across).
/// And one to judge a narrower prior on the interactions' mean (issue 13):
///   StrongReferralChain  being on list j makes list j + 1 eight times as likely: the mean
///                   two-way interaction about 0.8, as the all-two-way fits of the published
///                   four- and five-list tables give (0.23-0.79; docs/estimation.md).
enum class SparseMechanism { ReferralChain, AvoidanceChain, LatentClasses, StrongReferralChain };

inline estimate::CaptureTable simulate_sparse(int lists, bool heterogeneous, Rng& rng,
                                              SparseMechanism mechanism = SparseMechanism::ReferralChain) {
  const auto base = sparse_scenario_probabilities(lists);
  const int size = sparse_scenario_size(lists);
  std::vector<std::int64_t> counts(std::size_t{1} << lists, 0);
  for (int i = 0; i < size; ++i) {
    // 0.3 x 2.5 + 0.7 x 1 = 1.45: the two visibilities divided by it average 1.
    const double visibility = heterogeneous ? (rng.bernoulli(0.3) ? 2.5 : 1.0) / 1.45 : 1.0;
    const bool first_half = mechanism == SparseMechanism::LatentClasses && rng.bernoulli(0.5);
    std::uint32_t pattern = 0;
    for (int j = 0; j < lists; ++j) {
      double p = base[static_cast<std::size_t>(j)] * visibility;
      const bool after_previous = j > 0 && (pattern >> (j - 1) & 1u);
      if (mechanism == SparseMechanism::ReferralChain && after_previous) p *= 4.0;
      if (mechanism == SparseMechanism::StrongReferralChain && after_previous) p *= 8.0;
      if (mechanism == SparseMechanism::AvoidanceChain && after_previous) p *= 0.25;
      if (mechanism == SparseMechanism::LatentClasses) p *= (j < lists / 2) == first_half ? 2.0 : 0.25;
      if (rng.bernoulli(std::min(0.95, p))) pattern |= 1u << j;
    }
    ++counts[pattern];
  }
  counts[0] = 0;
  std::vector<std::string> names;
  for (int j = 0; j < lists; ++j) names.push_back("L" + std::to_string(j + 1));
  return estimate::CaptureTable::from_counts(names, counts);
}

}  // namespace joindots
