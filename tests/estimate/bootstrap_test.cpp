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
  EXPECT_EQ(a.candidates, 64u);
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
