#include "estimate/lcmcr.hpp"

#include <gtest/gtest.h>

#include "estimate/loglinear.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

LcmcrOptions short_run(std::uint64_t seed) {
  LcmcrOptions o;
  o.chains = 2;
  o.burn_in = 1000;
  o.samples = 2000;
  o.seed = seed;
  return o;
}

TEST(Lcmcr, CoversTheTrueSizeOfAnIndependentPopulation) {
  const auto t = testing::simulate_table(2000, {0.3, 0.25, 0.2, 0.35}, 11);
  const auto r = run_lcmcr(t, short_run(3));
  EXPECT_LT(r.interval.low, 2000);
  EXPECT_GT(r.interval.high, 2000);
  EXPECT_GT(r.median, t.observed());
  EXPECT_LT(r.rhat, 1.1);
  EXPECT_GT(r.ess, 50);
}

TEST(Lcmcr, ReproducibleWithASeedAndIndependentOfThreads) {
  const auto t = testing::mse_table("kosovo_4list.csv");
  auto o = short_run(5);
  o.burn_in = 200;
  o.samples = 300;
  o.threads = 1;
  const auto a = run_lcmcr(t, o);
  o.threads = 2;
  const auto b = run_lcmcr(t, o);
  EXPECT_EQ(a.draws, b.draws);
  o.seed = 6;
  EXPECT_NE(run_lcmcr(t, o).draws, a.draws);
}

TEST(Lcmcr, OneClassIsTheIndependenceModel) {
  // With K* = 1 the model is the independence model; on a large table the posterior median
  // is close to the log-linear independence MLE (flat Beta priors, p(N) ~ 1/N).
  const auto t = testing::simulate_table(100000, {0.3, 0.25, 0.2}, 2);
  auto o = short_run(1);
  o.max_classes = 1;
  const auto r = run_lcmcr(t, o);
  const auto fit = fit_loglinear(t, LogLinearModel(3));
  EXPECT_NEAR(r.median, fit.estimate, 0.005 * fit.estimate);
  const auto ci = profile_interval(t, fit);
  EXPECT_NEAR(r.interval.low, ci.low, 0.25 * (ci.high - ci.low));
  EXPECT_NEAR(r.interval.high, ci.high, 0.25 * (ci.high - ci.low));
}

TEST(Lcmcr, DiagnosticsOnKnownChains) {
  // Identical chains of independent draws: R-hat near 1, ESS near the number of draws.
  Rng rng(1);
  std::vector<std::vector<double>> iid(4, std::vector<double>(2000));
  for (auto& c : iid)
    for (auto& x : c) x = rng.normal();
  EXPECT_NEAR(split_rhat(iid), 1.0, 0.01);
  EXPECT_NEAR(effective_sample_size(iid), 8000, 1200);
  // Chains stuck at different levels: R-hat far above 1.
  auto shifted = iid;
  for (auto& x : shifted[0]) x += 5;
  EXPECT_GT(split_rhat(shifted), 1.5);
  // A strongly autocorrelated AR(1) chain (phi = 0.9): ESS about n (1 - phi) / (1 + phi).
  std::vector<std::vector<double>> ar(4, std::vector<double>(5000));
  for (auto& c : ar) {
    double x = 0;
    for (auto& v : c) v = x = 0.9 * x + rng.normal();
  }
  EXPECT_NEAR(effective_sample_size(ar), 20000 * 0.1 / 1.9, 350);
}

}  // namespace
}  // namespace joindots::estimate
