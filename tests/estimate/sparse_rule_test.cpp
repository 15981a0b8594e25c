#include "estimate/sparse_rule.hpp"

#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "estimate/model_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

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
                                            std::pair{false, SparseMechanism::LatentClasses},
                                            std::pair{false, SparseMechanism::StrongReferralChain}}) {
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

// New Orleans (185 people, 17 of 31 cells empty): with the facial-set count the selection
// chose [15,2,35,45], 829, whose three interactions send 14 never-observed cells to 0 for
// free; charged, BIC keeps main effects, the published 1,034 (Chan, Silverman & Vincent 2021).
// The default's headline on this sparse table is the shrinkage posterior (flagged weak); the
// published figure stays reproduced by name: the selection beside it, --sparse-default
// selection, and --model with the published model (the stepwise rule: stepwise_method_test).
TEST(SparseRule, NewOrleansPublishedMainEffectsModelIsReproducedByName) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto t = testing::mse_table("neworleans_5list.csv");
  const auto r = estimate_all(t, o);
  EXPECT_EQ(r.headline, "loglinear_shrinkage");
  const auto j = to_json(r);
  ASSERT_TRUE(j["methods"].contains("loglinear_heterogeneity"));
  EXPECT_EQ(j["methods"]["loglinear_heterogeneity"]["model"], "[1,2,3,4,5]");
  EXPECT_NEAR(j["methods"]["loglinear_heterogeneity"]["estimate"].get<double>(), 1034.2, 0.5);

  o.sparse_shrinkage = false;
  const auto selection = estimate_all(t, o);
  EXPECT_EQ(selection.headline, "loglinear_heterogeneity");
  EXPECT_NEAR(selection.estimate, 1034.2, 0.5);
  EXPECT_LE(selection.interval.low, selection.estimate);
  EXPECT_GE(selection.interval.high, selection.estimate);
  EXPECT_EQ(selection.weak_headline, sparse_selection_warning(t));  // the selection's sparse coverage, weak

  o.sparse_shrinkage = true;
  o.model = LogLinearModel::parse("[1,2,3,4,5]", 5);
  const auto given = estimate_all(t, o);
  EXPECT_NE(given.headline, "loglinear_shrinkage");
  EXPECT_NEAR(given.estimate, 1034.2, 0.5);
  EXPECT_TRUE(given.weak_headline.empty());
}

// On a sparse table auto's headline is loglinear_shrinkage's posterior: its median inside its
// equal-tailed interval, both the method's own, the interval labelled as what it is, and the
// headline flagged weak in the result, the JSON and the notes (which the CLI and the report
// show). A dense table keeps the selection rule and no flag; with the sparse default off the
// sparse table gets the selection rule and the warning that its interval is too narrow.
TEST(SparseRule, AutoOnASparseTableGivesTheShrinkageIntervalWithAWeakHeadline) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  auto noted = [](const EstimateResult& r, const std::string& prefix) {
    return std::count_if(r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.starts_with(prefix); });
  };
  const auto table = testing::simulate_sparse_table(185, 8, 3);
  const auto sparse = estimate_all(table, o);
  ASSERT_EQ(sparse.headline, "loglinear_shrinkage");
  EXPECT_EQ(sparse.interval_method, "loglinear_shrinkage");
  const auto method = std::find_if(sparse.methods.begin(), sparse.methods.end(),
                                   [](const MethodEstimate& m) { return m.method == "loglinear_shrinkage"; });
  ASSERT_NE(method, sparse.methods.end());
  EXPECT_EQ(sparse.estimate, method->estimate);
  EXPECT_EQ(sparse.estimate, method->details["posterior_median"].get<double>());
  EXPECT_EQ(sparse.interval.low, method->interval.low);
  EXPECT_EQ(sparse.interval.high, method->interval.high);
  EXPECT_EQ(sparse.interval.kind, "95% equal-tailed posterior interval");
  EXPECT_GT(sparse.estimate, sparse.interval.low);
  EXPECT_LT(sparse.estimate, sparse.interval.high);
  EXPECT_GT(sparse.interval.low, static_cast<double>(sparse.observed));
  EXPECT_NE(sparse.method.find("supports an interval, not a point estimate"), std::string::npos) << sparse.method;
  EXPECT_NE(sparse.weak_headline.find("of 255 cells empty"), std::string::npos) << sparse.weak_headline;
  EXPECT_NE(sparse.weak_headline.find("of 28 pairs of lists never share a person"), std::string::npos);
  EXPECT_EQ(sparse.weak_headline, sparse_weak_reason(table, "loglinear_shrinkage"));  // one reason, one place
  EXPECT_EQ(noted(sparse, "weak headline: "), 1);
  EXPECT_EQ(noted(sparse, "sparse table: "), 0);  // the warning was about the selection's interval
  const auto j = to_json(sparse);
  EXPECT_EQ(j["weak_headline"], true);
  EXPECT_EQ(j["weak_headline_reason"], sparse.weak_headline);
  EXPECT_EQ(j["headline_method"], "loglinear_shrinkage");
  EXPECT_EQ(j["interval_method"], "loglinear_shrinkage");

  auto off = o;
  off.sparse_shrinkage = false;
  const auto selection = estimate_all(table, off);
  EXPECT_TRUE(selection.headline.starts_with("loglinear_")) << selection.headline;
  EXPECT_NE(selection.headline, "loglinear_shrinkage");
  // Flagged weak too, its reason the warning that the selection's interval is too narrow.
  EXPECT_EQ(selection.weak_headline, sparse_selection_warning(table));
  EXPECT_EQ(noted(selection, "weak headline: sparse table: "), 1);
  EXPECT_EQ(noted(selection, "sparse table: "), 0);
  EXPECT_EQ(to_json(selection)["weak_headline"], true);

  const auto dense = estimate_all(testing::simulate_table(1500, {0.3, 0.25, 0.35, 0.2}, 9), o);
  EXPECT_TRUE(dense.headline.starts_with("loglinear_")) << dense.headline;  // the dense rule, whichever it is
  EXPECT_NE(dense.headline, "loglinear_shrinkage");
  EXPECT_TRUE(dense.weak_headline.empty());
  EXPECT_EQ(noted(dense, "sparse table: ") + noted(dense, "weak headline: "), 0);
  EXPECT_FALSE(to_json(dense).contains("weak_headline"));
}

// loglinear_shrinkage chosen by name gives auto's sparse headline (the same posterior), so it
// carries the same weak flag and reason, which says the likely direction of a miss (the strong
// referral chains' misses were all low); on a dense table the method is not flagged.
TEST(SparseRule, ShrinkageChosenByNameIsWeakOnASparseTableOnly) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.method = Method::LogLinearShrinkage;
  const auto table = testing::simulate_sparse_table(185, 8, 3);
  const auto sparse = estimate_all(table, o);
  ASSERT_EQ(sparse.headline, "loglinear_shrinkage");
  ASSERT_TRUE(std::isfinite(sparse.estimate));
  EXPECT_EQ(sparse.weak_headline, sparse_weak_reason(table, "loglinear_shrinkage"));
  EXPECT_TRUE(sparse.weak_headline.starts_with("sparse table: ")) << sparse.weak_headline;
  EXPECT_NE(sparse.weak_headline.find("of 255 cells empty"), std::string::npos) << sparse.weak_headline;
  EXPECT_NE(sparse.weak_headline.find("likely low"), std::string::npos) << sparse.weak_headline;
  EXPECT_NE(sparse.weak_headline.find("true size above the interval"), std::string::npos) << sparse.weak_headline;
  EXPECT_EQ(std::count(sparse.notes.begin(), sparse.notes.end(), "weak headline: " + sparse.weak_headline), 1);
  const auto j = to_json(sparse);
  EXPECT_EQ(j["weak_headline"], true);
  EXPECT_EQ(j["weak_headline_reason"], sparse.weak_headline);

  const auto dense_table = testing::simulate_table(1500, {0.3, 0.25, 0.35, 0.2}, 9);
  ASSERT_FALSE(is_sparse(dense_table));
  const auto dense = estimate_all(dense_table, o);
  EXPECT_EQ(dense.headline, "loglinear_shrinkage");
  EXPECT_TRUE(dense.weak_headline.empty()) << dense.weak_headline;
  for (const auto& n : dense.notes) EXPECT_FALSE(n.starts_with("weak headline: ")) << n;
  EXPECT_FALSE(to_json(dense).contains("weak_headline"));
}

// When auto falls back from the shrinkage (it gave no figure), its reason cannot send the reader
// to auto's interval: it says there is none better and to quote this one as the least the
// uncertainty could be.
TEST(SparseRule, AutosFallbackOnASparseTableDoesNotPointToItself) {
  const auto t = testing::mse_table("neworleans_5list.csv");
  for (const char* m : {"stepwise", "loglinear", "lcmcr", "bayes_loglinear"}) {
    SCOPED_TRACE(m);
    const auto by_name = sparse_weak_reason(t, m), fell_back = sparse_weak_reason(t, m, true);
    EXPECT_NE(by_name.find(kQuoteAutosInterval), std::string::npos) << by_name;
    EXPECT_EQ(fell_back.find(kQuoteAutosInterval), std::string::npos) << fell_back;
    EXPECT_NE(fell_back.find("the shrinkage (its rule on sparse tables"), std::string::npos) << fell_back;
    EXPECT_NE(fell_back.find("there is no better interval to quote"), std::string::npos) << fell_back;
    EXPECT_FALSE(reason_prefers_autos_interval(fell_back));
    // The measured part (coverage and the direction of the misses) is the same.
    EXPECT_EQ(by_name.substr(0, by_name.find(kQuoteAutosInterval)),
              fell_back.substr(0, fell_back.find(" The default (auto) gave") + 1));
  }
}

// Every other method chosen by name on a sparse table (New Orleans, 17 of 31 cells empty) is
// flagged weak where auto would be, each with its own sparse coverage and the direction of its
// misses (sparse_weak_reason, the one place); on a dense table none is, nor a given model's fit.
TEST(SparseRule, EveryMethodChosenByNameIsWeakOnASparseTable) {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  const auto t = testing::mse_table("neworleans_5list.csv");
  const auto dense_table = testing::mse_table("kosovo_4list.csv");
  for (const auto m : {Method::Stepwise, Method::LogLinear, Method::Lcmcr, Method::BayesLogLinear}) {
    SCOPED_TRACE(to_string(m));
    o.method = m;
    const auto r = estimate_all(t, o);
    ASSERT_EQ(r.headline, to_string(m));
    ASSERT_TRUE(std::isfinite(r.estimate));
    const auto reason = sparse_weak_reason(t, r.headline);
    ASSERT_FALSE(reason.empty());
    EXPECT_EQ(r.weak_headline, reason);
    EXPECT_TRUE(reason.starts_with("sparse table: 17 of 31 cells empty")) << reason;
    EXPECT_NE(reason.find("Quote auto's interval (loglinear_shrinkage"), std::string::npos) << reason;
    EXPECT_NE(reason.find(" low"), std::string::npos) << reason;  // which way it missed
    EXPECT_EQ(std::count(r.notes.begin(), r.notes.end(), "weak headline: " + reason), 1);
    EXPECT_EQ(to_json(r)["weak_headline_reason"], reason);
    if (m == Method::Stepwise || m == Method::LogLinear) {  // the cheap ones on a dense table
      const auto dense = estimate_all(dense_table, o);
      EXPECT_TRUE(dense.weak_headline.empty()) << dense.weak_headline;
      EXPECT_FALSE(to_json(dense).contains("weak_headline"));
    }
  }
  o.method = Method::LogLinear;
  o.model = LogLinearModel::parse("[1,2,3,4,5]", 5);
  EXPECT_TRUE(estimate_all(t, o).weak_headline.empty());
}

// A table with a covariate whose collapsed table is sparse: auto's headline is bayes_loglinear,
// which models the covariate; the shrinkage posterior beside it comes from the collapsed table
// (said in its details) and does not flag the headline weak; `--method loglinear_shrinkage`
// runs on the collapsed table with a note, and gives what the collapsed table gives.
TEST(SparseRule, CovariateTableCollapsedForTheShrinkage) {
  CovariateCaptureTable t;
  t.lists = {"A", "B", "C", "D"};
  t.covariates = {Covariate{"area", {"north", "south"}}};
  t.counts.assign(2 * 16, 0);
  // Singles, and people on A and B, B and C, C and D: 8 of 15 patterns never seen.
  const std::int64_t north[16] = {0, 30, 22, 2, 18, 0, 3, 0, 25, 0, 0, 0, 1, 0, 0, 0};
  const std::int64_t south[16] = {0, 20, 15, 1, 27, 0, 1, 0, 14, 0, 0, 0, 2, 0, 0, 0};
  for (int c = 0; c < 16; ++c) t.counts[c] = north[c], t.counts[16 + c] = south[c];
  const auto collapsed = t.collapsed();
  ASSERT_TRUE(is_sparse(collapsed));

  EstimateOptions o;
  o.bootstrap_replicates = 0;
  const auto r = estimate_all(t, o);
  EXPECT_EQ(r.headline, "bayes_loglinear");
  EXPECT_TRUE(r.weak_headline.empty());
  for (const auto& n : r.notes) EXPECT_FALSE(n.starts_with("weak headline: ")) << n;
  const auto j = to_json(r);
  EXPECT_EQ(j["interval_method"], "bayes_loglinear");
  EXPECT_FALSE(j.contains("weak_headline"));
  ASSERT_TRUE(j["methods"].contains("loglinear_shrinkage"));
  EXPECT_NE(j["methods"]["loglinear_shrinkage"]["table"].get<std::string>().find("collapsed over the covariates"),
            std::string::npos);
  EXPECT_GE(r.estimate, r.interval.low);
  EXPECT_LE(r.estimate, r.interval.high);

  o.method = Method::LogLinearShrinkage;
  const auto shrunk = estimate_all(t, o);
  const auto plain = estimate_all(collapsed, o);
  EXPECT_EQ(shrunk.headline, "loglinear_shrinkage");
  EXPECT_EQ(shrunk.estimate, plain.estimate);
  EXPECT_EQ(shrunk.interval.low, plain.interval.low);
  EXPECT_EQ(shrunk.interval.high, plain.interval.high);
  EXPECT_EQ(shrunk.covariates, std::vector<std::string>{"area"});
  ASSERT_FALSE(shrunk.notes.empty());
  EXPECT_TRUE(shrunk.notes.front().starts_with("loglinear_shrinkage: the table was collapsed over the covariates"))
      << shrunk.notes.front();
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
