#pragma once
// Agreement between two partitions of the same items (recovered networks against true
// offending groups).
//
// With n_ij the number of items in found cluster i and true class j, a_i = sum_j n_ij,
// b_j = sum_i n_ij, and C(x) = x(x-1)/2:
//  - pairs together in both: T = sum_ij C(n_ij); found pairs F = sum_i C(a_i); true pairs
//    R = sum_j C(b_j); pairwise precision T/F, recall T/R, F1 their harmonic mean.
//  - adjusted Rand index (Hubert & Arabie 1985, "Comparing partitions", J. Classification
//    2:193-218): ARI = (T - E) / ((F + R)/2 - E) with E = F R / C(n), the expected T under
//    random labelling with the margins fixed. 1 for identical partitions, about 0 for
//    chance agreement, negative below chance. When both partitions are all singletons or
//    both one cluster (denominator 0), ARI is 1 if they are identical.
#include <cstdint>
#include <vector>

namespace joindots::networks {

struct PartitionAgreement {
  std::int64_t items = 0;
  double together_both = 0, together_found = 0, together_true = 0;  // T, F, R
  double ari = 0;
  double precision = 0, recall = 0, f1 = 0;  // pairwise; 0 when there are no pairs
};

/// `found[i]` and `truth[i]` are the labels of item i in the two partitions (any integers).
/// Throws std::invalid_argument when the sizes differ.
PartitionAgreement compare_partitions(const std::vector<std::int64_t>& found, const std::vector<std::int64_t>& truth);

}  // namespace joindots::networks
