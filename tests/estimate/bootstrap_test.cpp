#include "estimate/bootstrap.hpp"

#include <gtest/gtest.h>

#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

TEST(LogLinearBootstrap, ReproducibleAndIndependentOfThreads) {
  const auto t = testing::mse_table("uk2013_4list.csv");
  const auto sel = select_models(t, {.profile_intervals = false});
  const auto a = bootstrap_loglinear(t, sel, {.replicates = 200, .seed = 7, .threads = 1});
  const auto b = bootstrap_loglinear(t, sel, {.replicates = 200, .seed = 7, .threads = 2});
  EXPECT_EQ(a.estimates, b.estimates);
  EXPECT_EQ(a.chosen, b.chosen);
  const auto c = bootstrap_loglinear(t, sel, {.replicates = 200, .seed = 8, .threads = 2});
  EXPECT_NE(a.estimates, c.estimates);
  // The candidates are the models holding 99% of the weight, best first (not all 64).
  std::size_t holding = 0;
  for (double held = 0; held < 0.99; ++holding) held += sel.ranked[holding].weight;
  EXPECT_EQ(a.candidates, holding);
  EXPECT_LT(a.candidates, 64u);
  EXPECT_LT(a.interval.low, sel.best().estimate);
  EXPECT_GT(a.interval.high, sel.best().estimate);
}

TEST(LogLinearBootstrap, BestModelOnlyMatchesTheProfileIntervalOnALargeTable) {
  // Independent lists, N = 50,000: the likelihood is close to quadratic, so the bootstrap
  // percentile interval of the selected model and the profile interval nearly agree.
  const auto t = testing::simulate_table(50000, {0.3, 0.25, 0.2}, 3);
  const auto sel = select_models(t);
  ASSERT_EQ(sel.best().model.to_string(), "[1,2,3]");
  const auto b = bootstrap_loglinear(t, sel, {.replicates = 2000, .seed = 1, .reselect = false});
  EXPECT_EQ(b.candidates, 1u);
  const double width = sel.best().profile.high - sel.best().profile.low;
  EXPECT_NEAR(b.interval.low, sel.best().profile.low, 0.1 * width);
  EXPECT_NEAR(b.interval.high, sel.best().profile.high, 0.1 * width);
}

TEST(LogLinearBootstrap, QuantilesAreTypeSeven) {
  EXPECT_DOUBLE_EQ(quantile_sorted({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_sorted({1, 2, 3, 4}, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile_sorted({1, 2, 3, 4}, 1.0), 4);
  EXPECT_DOUBLE_EQ(quantile_sorted({10, 20}, 0.25), 12.5);
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(LogLinearBootstrap, NewOrleansBcaIntervalOfTheStepwiseRule) {
  // Chan, Silverman & Vincent (2021): 1,034 with BCa 95% interval (589, 1,703), from 1,000
  // nonparametric replicates of the p-value stepwise rule. Our random numbers differ from
  // R's and the bootstrap distribution is very skewed (percentile interval about 790 to
  // 5,500), so the BCa ends move by +-50 between seeds; with seed 1: 579 and 1,584.
  const auto t = testing::mse_table("neworleans_5list.csv");
  auto rule = [](const CaptureTable& tt) {
    const auto sel = select_stepwise_pvalue(tt, 0.02);
    return sel.empty() ? std::numeric_limits<double>::quiet_NaN() : sel.best().estimate;
  };
  const auto b = bca_bootstrap(t, rule, 1000, 1);
  EXPECT_EQ(std::lround(b.estimate), 1034);
  EXPECT_EQ(b.failed, 0);
  EXPECT_NEAR(b.interval.low, 589, 0.10 * 589);
  EXPECT_NEAR(b.interval.high, 1703, 0.10 * 1703);
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(LogLinearBootstrap, CandidatesOnASparseEightListTableAreBoundedByWeight) {
  // 8 lists, about 185 people, most pairs never overlapping: the stepwise search visits
  // hundreds of models (with the heterogeneity terms), and re-fitting all of them in each
  // replicate made the default run take over 10 minutes (issue 13).
  const auto t = testing::simulate_sparse_table(185, 8, 3);
  SearchOptions so;
  so.heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35};
  so.profile_intervals = false;
  const auto sel = select_models(t, so);
  ASSERT_GT(sel.ranked.size() + sel.excluded.size(), 100u);
  const auto b = bootstrap_loglinear(t, sel, {.replicates = 20, .seed = 1});
  EXPECT_LE(b.candidates, 64u);
  double held = 0;
  for (std::size_t i = 0; i + 1 < b.candidates; ++i) held += sel.ranked[i].weight;
  EXPECT_LT(held, 0.99);  // no candidate beyond those needed for 99% of the weight
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

// The plain search and the one with heterogeneity terms, from one select_models call.
struct TwoSearches {
  ModelSelection heterogeneity, plain;
};
TwoSearches two_searches(const CaptureTable& t) {
  SearchOptions so;
  so.heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35};
  so.drop_negative_heterogeneity = true;
  so.profile_intervals = false;
  TwoSearches s;
  s.heterogeneity = select_models(t, so, &s.plain);
  return s;
}

void expect_same(const BootstrapResult& a, const BootstrapResult& b) {
  EXPECT_EQ(a.estimates, b.estimates);
  EXPECT_EQ(a.averaged, b.averaged);
  EXPECT_EQ(a.chosen, b.chosen);
  EXPECT_EQ(a.candidates, b.candidates);
  EXPECT_EQ(a.failed, b.failed);
}

TEST(LogLinearBootstrap, OneBootstrapForTwoSearchesEqualsOneEach) {
  // A sparse 5-list table: both searches choose the same plain model, so their bootstraps
  // draw the same tables; the shared one fits each candidate once per replicate and must
  // give each search exactly what its own bootstrap gives (issue 13: it halves the cost).
  const auto t = testing::simulate_sparse_table(150, 5, 11);
  const auto s = two_searches(t);
  ASSERT_FALSE(s.plain.empty());
  ASSERT_EQ(s.heterogeneity.best().model, s.plain.best().model);
  for (bool averaged : {false, true}) {
    BootstrapOptions bo{.replicates = 60, .seed = 3, .from_averaged = averaged, .threads = 2,
                        .drop_negative_heterogeneity = true};
    ASSERT_TRUE(same_means(bootstrap_means(t, s.heterogeneity, averaged), bootstrap_means(t, s.plain, averaged)));
    const auto shared = bootstrap_loglinear_shared(t, {&s.heterogeneity, &s.plain}, bo);
    ASSERT_EQ(shared.size(), 2u);
    expect_same(shared[0], bootstrap_loglinear(t, s.heterogeneity, bo));
    expect_same(shared[1], bootstrap_loglinear(t, s.plain, bo));
    // The two searches' candidates differ in weight (the plain ones are renormalised), and
    // their choices are their own: not one copied to the other.
    EXPECT_GT(shared[1].estimates.size(), 50u);
  }
  // Different candidate sets: the plain search's candidates cut at half the weight.
  BootstrapOptions narrow{.replicates = 40, .seed = 5, .candidate_weight = 0.5, .threads = 1};
  const auto shared = bootstrap_loglinear_shared(t, {&s.plain, &s.heterogeneity}, narrow);
  expect_same(shared[0], bootstrap_loglinear(t, s.plain, narrow));
  expect_same(shared[1], bootstrap_loglinear(t, s.heterogeneity, narrow));
}

TEST(LogLinearBootstrap, MeansDifferWhenTheSearchesChooseDifferentModels) {
  // Kosovo: the heterogeneity search chooses a model with a heterogeneity term, so the plain
  // search's bootstrap cannot share its tables.
  const auto t = testing::mse_table("kosovo_4list.csv");
  const auto s = two_searches(t);
  ASSERT_NE(s.heterogeneity.best().model, s.plain.best().model);
  EXPECT_FALSE(same_means(bootstrap_means(t, s.heterogeneity, false), bootstrap_means(t, s.plain, false)));
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(LogLinearBootstrap, WorkBudgetLowersTheReplicatesToItsFloor) {
  const auto t = testing::mse_table("uk2013_4list.csv");
  const auto sel = select_models(t, {.profile_intervals = false});
  const std::vector<LogLinearModel> candidates{sel.ranked[0].model, sel.ranked[1].model};
  double work = 0;  // one replicate: cells x (parameters + 1)^2 per candidate
  for (const auto& m : candidates) work += 16.0 * (m.parameters() + 1.0) * (m.parameters() + 1.0);
  BootstrapOptions bo{.replicates = 1000};
  EXPECT_EQ(budgeted_replicates(t, candidates, bo), 1000);  // no budget
  bo.work_budget = work * 1000;
  EXPECT_EQ(budgeted_replicates(t, candidates, bo), 1000);  // fits
  bo.work_budget = work * 450.5;
  EXPECT_EQ(budgeted_replicates(t, candidates, bo), 450);
  bo.work_budget = work * 3;
  EXPECT_EQ(budgeted_replicates(t, candidates, bo), 200);  // the floor
  bo.replicates = 150;
  EXPECT_EQ(budgeted_replicates(t, candidates, bo), 150);  // never more than asked
  // The bootstrap runs that many and says how many were asked.
  bo.replicates = 300;
  const auto b = bootstrap_loglinear(t, sel, bo);
  EXPECT_EQ(b.replicates, 200);
  EXPECT_EQ(b.replicates_asked, 300);
  EXPECT_EQ(b.estimates.size() + static_cast<std::size_t>(b.failed), 200u);
}

}  // namespace
}  // namespace joindots::estimate
