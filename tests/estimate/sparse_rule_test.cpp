#include "estimate/sparse_rule.hpp"

#include <gtest/gtest.h>

#include "../../bench/sparse_scenarios.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

TEST(SparseRule, SparsityCountsEmptyCellsAndPairsThatNeverOverlap) {
  // Three lists: A only 5, B only 3, AB 2, C only 4; AC and BC never overlap.
  std::vector<std::int64_t> counts(8, 0);
  counts[0b001] = 5, counts[0b010] = 3, counts[0b011] = 2, counts[0b100] = 4;
  const auto s = table_sparsity(CaptureTable::from_counts({"A", "B", "C"}, counts));
  EXPECT_EQ(s.cells, 7);
  EXPECT_EQ(s.empty_cells, 3);
  EXPECT_EQ(s.pairs, 3);
  EXPECT_EQ(s.pairs_never_overlapping, 2);
  EXPECT_NEAR(s.pairs_never_overlapping_share(), 2.0 / 3.0, 1e-12);
}

TEST(SparseRule, HeterogeneityChargeRisesOnlyOnSparseTables) {
  // Kosovo and UK 2013 (0 and 1 of 15 cells empty) keep the configured charge.
  EXPECT_EQ(heterogeneity_charge_for(testing::mse_table("kosovo_4list.csv"), 0.0), 0.0);
  EXPECT_EQ(heterogeneity_charge_for(testing::mse_table("uk2013_4list.csv"), 0.0), 0.0);
  EXPECT_EQ(heterogeneity_charge_for(testing::mse_table("kosovo_4list.csv"), 0.4), 0.4);
  // New Orleans: 17 of 31 cells empty.
  EXPECT_NEAR(heterogeneity_charge_for(testing::mse_table("neworleans_5list.csv"), 0.0),
              2.0 * 17 / 31 - 0.5, 1e-12);
  // The sparse 8-list table: nearly every cell empty, fully charged.
  EXPECT_EQ(heterogeneity_charge_for(testing::simulate_sparse_table(185, 8, 3), 0.0), 1.0);
}

// The coverage study's sparse scenarios are what they claim: 100-300 observed, most pairs
// of lists never overlapping, most cells empty (averaged over 20 populations).
TEST(SparseScenarios, FewObservedAndMostPairsNeverOverlap) {
  for (int lists : {6, 8})
    for (bool heterogeneous : {false, true}) {
      double observed = 0, never = 0, empty = 0;
      constexpr int kPopulations = 20;
      for (int rep = 0; rep < kPopulations; ++rep) {
        Rng rng(1, "sparse_scenarios_test", static_cast<std::uint64_t>(rep));
        const auto t = simulate_sparse(lists, heterogeneous, rng);
        const auto s = table_sparsity(t);
        observed += static_cast<double>(t.observed()) / kPopulations;
        never += s.pairs_never_overlapping_share() / kPopulations;
        empty += s.empty_cell_share() / kPopulations;
      }
      SCOPED_TRACE(::testing::Message() << lists << " lists, heterogeneous " << heterogeneous);
      EXPECT_GE(observed, 100);
      EXPECT_LE(observed, 300);
      EXPECT_GT(never, 0.5);
      EXPECT_GT(empty, 0.7);
    }
}

}  // namespace
}  // namespace joindots::estimate
