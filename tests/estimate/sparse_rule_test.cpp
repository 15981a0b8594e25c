#include "estimate/sparse_rule.hpp"

#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "estimate/model_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>

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
    for (auto [heterogeneous, mechanism] : {std::pair{false, SparseMechanism::ReferralChain},
                                            std::pair{true, SparseMechanism::ReferralChain},
                                            std::pair{false, SparseMechanism::AvoidanceChain},
                                            std::pair{false, SparseMechanism::LatentClasses}}) {
      double observed = 0, never = 0, empty = 0;
      constexpr int kPopulations = 20;
      for (int rep = 0; rep < kPopulations; ++rep) {
        Rng rng(1, "sparse_scenarios_test", static_cast<std::uint64_t>(rep));
        const auto t = simulate_sparse(lists, heterogeneous, rng, mechanism);
        const auto s = table_sparsity(t);
        observed += static_cast<double>(t.observed()) / kPopulations;
        never += s.pairs_never_overlapping_share() / kPopulations;
        empty += s.empty_cell_share() / kPopulations;
      }
      SCOPED_TRACE(::testing::Message() << lists << " lists, heterogeneous " << heterogeneous << ", mechanism "
                                        << static_cast<int>(mechanism));
      EXPECT_GE(observed, 100);
      EXPECT_LE(observed, 300);
      EXPECT_GT(never, 0.5);
      EXPECT_GT(empty, 0.7);
    }
}

// BIC charges every term, also one the facial set cannot estimate: lists A and C never
// overlap, so [13] sends the AC cells to 0 and its term is not estimated; counted as free it
// cost nothing in BIC.
TEST(SparseRule, BicChargesTermsTheFacialSetCannotEstimate) {
  std::vector<std::int64_t> counts(8, 0);
  counts[0b001] = 40, counts[0b010] = 30, counts[0b011] = 8, counts[0b100] = 35, counts[0b110] = 6;
  const auto t = CaptureTable::from_counts({"A", "B", "C"}, counts);
  const auto m = LogLinearModel::hierarchical(3, {0b101});
  const auto fit = fit_loglinear(t, m);
  ASSERT_TRUE(fit.ok());
  ASSERT_LT(fit.parameters, static_cast<int>(m.parameters()));  // the AC term is not estimated
  EXPECT_NEAR(fit.bic, -2.0 * fit.loglik + std::log(static_cast<double>(t.observed())) * m.parameters(), 1e-9);
  EXPECT_NEAR(fit.aic, -2.0 * fit.loglik + 2.0 * fit.parameters, 1e-9);
}

// The sparse 8-list table of issue 13 (bench/table_shapes.py's shape, 185 people): BIC with
// the facial-set count took 19 interactions and N^ = 480, below the main-effects model's
// 997. Charging every term, it keeps the adjacent pairs' interactions that the table's
// overlaps show ([12,23,34,45,6,78], N^ 5,302) and does not fall below main effects.
TEST(SparseRule, SparseEightListTableIsNotOverfitted) {
  const auto t = testing::simulate_sparse_table(185, 8, 3);
  SearchOptions so;
  so.heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35};
  so.profile_intervals = false;
  so.drop_negative_heterogeneity = true;
  const auto sel = select_models(t, so);
  ASSERT_FALSE(sel.empty());
  const auto main_effects = fit_loglinear(t, LogLinearModel::hierarchical(8, {}));
  ASSERT_TRUE(main_effects.ok());
  EXPECT_LE(sel.best().model.interactions().size(), 7u) << sel.best().model.to_string();
  EXPECT_GT(sel.best().estimate, 0.9 * main_effects.estimate) << sel.best().model.to_string();
}

// New Orleans (185 people, 17 of 31 cells empty): with the facial-set count the default
// chose [15,2,35,45], 829, whose three interactions send 14 never-observed cells to 0 for
// free; charged, BIC keeps main effects, the published 1,034 (Chan, Silverman & Vincent 2021).
TEST(SparseRule, NewOrleansDefaultKeepsThePublishedMainEffectsModel) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  const auto r = estimate_all(testing::mse_table("neworleans_5list.csv"), o);
  EXPECT_EQ(r.headline, "loglinear_heterogeneity");
  EXPECT_NEAR(r.estimate, 1034.2, 0.5);
  EXPECT_LE(r.interval.low, r.estimate);
  EXPECT_GE(r.interval.high, r.estimate);
}

// auto warns on a sparse table (the study: no rule covered 90% there with an interval of
// use), in the notes the CLI, the JSON and the report carry; not on a dense one.
TEST(SparseRule, AutoWarnsOnSparseTablesOnly) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  auto warned = [](const EstimateResult& r) {
    return std::count_if(r.notes.begin(), r.notes.end(),
                         [](const std::string& n) { return n.starts_with("sparse table: "); });
  };
  const auto sparse = estimate_all(testing::simulate_sparse_table(185, 8, 3), o);
  ASSERT_EQ(warned(sparse), 1);
  const auto note = *std::find_if(sparse.notes.begin(), sparse.notes.end(),
                                  [](const std::string& n) { return n.starts_with("sparse table: "); });
  EXPECT_NE(note.find("of 255 cells empty"), std::string::npos) << note;
  EXPECT_NE(note.find("of 28 pairs of lists never share a person"), std::string::npos) << note;
  EXPECT_EQ(to_json(sparse)["notes"].dump().find("sparse table: ") != std::string::npos, true);
  EXPECT_EQ(warned(estimate_all(testing::simulate_table(1500, {0.3, 0.25, 0.35, 0.2}, 9), o)), 0);
}

// Sparse tables of six lists are searched forward stepwise from main effects with the same
// criterion; dense ones, and any table with bound_sparse_search off, exhaustively. On this
// sparse6 population both searches choose the same model (the study: most populations).
TEST(SparseRule, SparseSixListTablesAreSearchedStepwise) {
  EXPECT_TRUE(is_sparse(testing::mse_table("neworleans_5list.csv")));  // 17 of 31 cells empty
  EXPECT_FALSE(is_sparse(testing::mse_table("artificial_3list.csv")));  // 3 of 7
  EXPECT_FALSE(is_sparse(testing::mse_table("kosovo_4list.csv")));

  Rng rng(1, "sparse6", 0);
  const auto sparse = simulate_sparse(6, false, rng);
  ASSERT_TRUE(is_sparse(sparse));
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.heterogeneity = {};  // the plain search alone: the exhaustive one costs a quarter
  o.method = Method::LogLinear;
  const auto bounded = estimate_all(sparse, o);
  o.bound_sparse_search = false;
  const auto exhaustive = estimate_all(sparse, o);
  ASSERT_EQ(bounded.methods.front().method, "loglinear");
  ASSERT_EQ(exhaustive.methods.front().method, "loglinear");
  const auto& b = bounded.methods.front().details;
  const auto& e = exhaustive.methods.front().details;
  EXPECT_EQ(b["search"], "stepwise");
  EXPECT_EQ(e["search"], "exhaustive");
  EXPECT_LT(b["models_considered"].get<int>(), 200);
  EXPECT_EQ(e["models_considered"].get<int>(), 32768);
  EXPECT_EQ(b["model"], e["model"]);
  EXPECT_NEAR(bounded.estimate, exhaustive.estimate, 1e-6 * exhaustive.estimate);

  // A dense six-list table stays exhaustive.
  o.bound_sparse_search = true;
  const auto dense = testing::simulate_table(3000, {0.3, 0.25, 0.2, 0.35, 0.3, 0.25}, 4);
  ASSERT_FALSE(is_sparse(dense));
  EXPECT_EQ(estimate_all(dense, o).methods.front().details["search"], "exhaustive");
}

}  // namespace
}  // namespace joindots::estimate
