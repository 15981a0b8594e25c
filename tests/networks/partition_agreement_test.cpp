#include "networks/partition_agreement.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace joindots::networks {
namespace {

TEST(NetworkPartitionAgreement, IdenticalPartitionsScoreOne) {
  const std::vector<std::int64_t> a = {1, 1, 2, 2, 2, 3};
  const std::vector<std::int64_t> relabelled = {7, 7, 5, 5, 5, 9};
  const auto r = compare_partitions(a, relabelled);
  EXPECT_DOUBLE_EQ(r.ari, 1.0);
  EXPECT_DOUBLE_EQ(r.precision, 1.0);
  EXPECT_DOUBLE_EQ(r.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.f1, 1.0);
}

// Hand-computed: found {a,b,c}{d,e,f}, true {a,b}{c,d}{e,f}. Contingency cells
// 2,1,1,2 -> T = 2; F = 3 + 3 = 6; R = 3; C(6) = 15; E = 6*3/15 = 1.2;
// ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8/3.3 = 0.242424...; precision 2/6, recall 2/3.
TEST(NetworkPartitionAgreement, SmallHandComputedCase) {
  const auto r = compare_partitions({1, 1, 1, 2, 2, 2}, {1, 1, 2, 2, 3, 3});
  EXPECT_DOUBLE_EQ(r.together_both, 2);
  EXPECT_DOUBLE_EQ(r.together_found, 6);
  EXPECT_DOUBLE_EQ(r.together_true, 3);
  EXPECT_NEAR(r.ari, 0.8 / 3.3, 1e-12);
  EXPECT_NEAR(r.precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.recall, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r.f1, 4.0 / 9, 1e-12);
}

// A 3 x 3 contingency table [[1,1,0],[1,2,1],[0,0,4]] (n = 10), by hand from Hubert &
// Arabie's formula: sum C(n_ij) = 1 + 6 = 7, rows 2,4,4 -> 1+6+6 = 13, columns 2,3,5 ->
// 1+3+10 = 14; E = 13*14/45 = 4.0444...; ARI = (7 - E) / (13.5 - E) = 0.3125734...
TEST(NetworkPartitionAgreement, ContingencyTableExample) {
  std::vector<std::int64_t> found, truth;
  const int table[3][3] = {{1, 1, 0}, {1, 2, 1}, {0, 0, 4}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < table[i][j]; ++k) {
        found.push_back(i);
        truth.push_back(j);
      }
  const auto r = compare_partitions(found, truth);
  const double e = 13.0 * 14.0 / 45.0;
  EXPECT_NEAR(r.ari, (7 - e) / (13.5 - e), 1e-12);
  EXPECT_NEAR(r.ari, 0.31257344300822565, 1e-12);
}

TEST(NetworkPartitionAgreement, DegenerateAndMismatchedInputs) {
  EXPECT_DOUBLE_EQ(compare_partitions({1, 2, 3}, {4, 5, 6}).ari, 1.0);  // all singletons in both
  EXPECT_DOUBLE_EQ(compare_partitions({1, 1, 1}, {4, 5, 6}).ari, 0.0);
  EXPECT_THROW(compare_partitions({1, 2}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace joindots::networks
