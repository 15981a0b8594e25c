#include "estimate/run_progress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "estimate/bootstrap.hpp"
#include "estimate/estimate.hpp"
#include "estimate/lcmcr.hpp"
#include "estimate/model_search.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

// The line gives the share of the whole run (planned work done, over every phase), not of
// the phase running; the final line names each phase that ran.
TEST(RunProgress, ShareIsOfTheWholeRunAndTheFinalLineNamesThePhases) {
  ::testing::internal::CaptureStderr();
  {
    RunProgress p(false, "estimate");
    p.set_print_interval(0);
    const auto boot = p.plan("loglinear bootstrap", 1.0);
    const auto lcmcr = p.plan("lcmcr", 3.0);
    p.report(boot, 0.4);  // 0.4 of 4
    p.end(boot);          // 1 of 4
    p.report(lcmcr, 0.4);  // 1 + 1.2 of 4
    p.end(lcmcr);
    p.finish();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("estimate: loglinear bootstrap (1 of 2), 10% of the run"), std::string::npos) << err;
  EXPECT_NE(err.find("estimate: loglinear bootstrap (1 of 2), 25% of the run"), std::string::npos) << err;
  EXPECT_NE(err.find("estimate: lcmcr (2 of 2), 55% of the run"), std::string::npos) << err;
  EXPECT_NE(err.find("ETA"), std::string::npos) << err;
  EXPECT_NE(err.find("estimate: done in"), std::string::npos) << err;
  EXPECT_NE(err.find("(loglinear bootstrap "), std::string::npos) << err;
  EXPECT_NE(err.find(", lcmcr "), std::string::npos) << err;
}

TEST(RunProgress, QuietPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    RunProgress p(true);
    p.set_print_interval(0);
    const auto a = p.plan("lcmcr", 1.0);
    p.report(a, 0.5);
    p.end(a);
    p.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// estimate_all with progress off (the CLI's --quiet) prints nothing on stderr, bootstrap and
// LCMCR included.
TEST(RunProgress, EstimateWithoutProgressIsSilent) {
  EstimateOptions o;
  o.bootstrap_replicates = 50;
  o.lcmcr.chains = 2;
  o.lcmcr.burn_in = 500;
  o.lcmcr.samples = 200;
  o.progress = false;
  ::testing::internal::CaptureStderr();
  const auto r = estimate_all(testing::simulate_table(600, {0.3, 0.25, 0.35}, 5), o);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(std::isfinite(r.estimate));
}

// LCMCR tells the share of its iterations done: it rises and ends at the whole run (two
// chains of 4,096 + 2,048 x 2 iterations, reported every 2,048).
TEST(RunProgress, LcmcrReportsTheShareOfItsIterations) {
  LcmcrOptions o;
  o.chains = 2;
  o.burn_in = 4096;
  o.samples = 2048;
  o.thin = 2;
  o.threads = 2;
  std::mutex m;
  std::vector<double> seen;
  o.report_fraction = [&](double f) {
    std::lock_guard lock(m);
    seen.push_back(f);
  };
  run_lcmcr(testing::simulate_table(800, {0.3, 0.25, 0.35}, 7), o);
  ASSERT_EQ(seen.size(), 8u);  // 8,192 iterations a chain / 2,048
  std::sort(seen.begin(), seen.end());
  EXPECT_DOUBLE_EQ(seen.front(), 0.125);
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);
}

// The bootstrap's planned work is its replicates x the sum over candidates of cells x
// (parameters + 1)^2, the budget's count (lowered with the budget), and it tells the share
// of replicates begun.
TEST(RunProgress, BootstrapWorkIsTheBudgetsCountAndItReportsItsShare) {
  const auto t = testing::simulate_table(1500, {0.3, 0.25, 0.35, 0.2}, 9);
  SearchOptions so;
  so.profile_intervals = false;
  const auto sel = select_models(t, so);
  BootstrapOptions bo;
  bo.replicates = 120;
  bo.threads = 1;
  bo.reselect = false;  // one candidate: the chosen model
  const double p = static_cast<double>(sel.best().model.parameters()) + 1.0;
  EXPECT_DOUBLE_EQ(bootstrap_work(t, {&sel}, bo), 120 * 16 * p * p);
  bo.work_budget = 50 * 16 * p * p;
  bo.min_replicates = 10;
  EXPECT_DOUBLE_EQ(bootstrap_work(t, {&sel}, bo), 50 * 16 * p * p);
  std::vector<double> seen;
  bo.report_fraction = [&](double f) { seen.push_back(f); };
  const auto r = bootstrap_loglinear(t, sel, bo);
  EXPECT_EQ(r.replicates, 50);
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_DOUBLE_EQ(seen.front(), 0.0);
  EXPECT_DOUBLE_EQ(seen.back(), 49.0 / 50.0);
}

}  // namespace
}  // namespace joindots::estimate
