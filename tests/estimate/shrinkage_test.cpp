#include "estimate/shrinkage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

// P(Poisson(lambda) <= m), 0 where lambda is so far above m that boost's series would overflow.
double poisson_cdf(double m, double lambda) {
  return lambda > m + 40 * std::sqrt(m + 1) + 200 ? 0.0 : boost::math::gamma_q(m + 1, lambda);
}

// P(N <= n + m) for the sampler's draws of log mu_0: the Poisson mixture's CDF.
double sampler_cdf(const ShrinkageResult& r, double m) {
  double s = 0;
  for (double l : r.log_unobserved) s += poisson_cdf(m, std::exp(l));
  return s / static_cast<double>(r.log_unobserved.size());
}

// A probability mass on a grid x0 + i h.
struct GridMass {
  double x0 = 0, h = 0;
  std::vector<double> p;
};

// log G for G ~ Gamma(y, 1): the posterior of a cell's log mean under a flat prior.
GridMass log_gamma_mass(double y, double h, double sign) {
  GridMass g;
  g.h = h;
  const double centre = std::log(y), half = 10.0 / std::sqrt(y) + 1.0;
  const int n = static_cast<int>(2 * half / h) + 1;
  g.x0 = sign * centre - half;
  for (int i = 0; i < n; ++i) {
    const double x = sign * (g.x0 + i * h);  // the variable before the sign
    g.p.push_back(std::exp(y * x - std::exp(x) - std::lgamma(y)) * h);
  }
  return g;
}

// Masses on a grid of a distribution given by its CDF over [-half, half].
template <class Cdf>
GridMass mass_from_cdf(Cdf cdf, double half, double h) {
  GridMass g;
  g.h = h;
  const int n = static_cast<int>(2 * half / h) + 1;
  g.x0 = -half;
  for (int i = 0; i < n; ++i) {
    const double x = g.x0 + i * h;
    g.p.push_back(cdf(x + h / 2) - cdf(x - h / 2));
  }
  return g;
}

// g ~ normal(0, tau^2), tau ~ half-normal(0, s): masses from the CDF (the density has a
// logarithmic pole at 0), P(g <= x) = int Phi(x / tau) 2 phi(tau / s) / s dtau.
GridMass interaction_mass(double s, double h) {
  auto cdf = [s](double x) {
    constexpr int kNodes = 4000;
    const double top = 8 * s, dt = top / kNodes;
    double acc = 0;
    for (int i = 0; i < kNodes; ++i) {
      const double tau = (i + 0.5) * dt;
      const double prior = 2 * std::exp(-0.5 * tau * tau / (s * s)) / (s * std::sqrt(2 * std::numbers::pi));
      acc += 0.5 * std::erfc(-x / (tau * std::numbers::sqrt2)) * prior * dt;
    }
    return acc;
  };
  return mass_from_cdf(cdf, 6 * s, h);
}

// P(N <= n + m) when log mu_0 has the grid's masses: the Poisson mixture's CDF.
double grid_cdf(const GridMass& lmu0, double m) {
  double s = 0;
  for (std::size_t i = 0; i < lmu0.p.size(); ++i)
    s += lmu0.p[i] * poisson_cdf(m, std::exp(lmu0.x0 + static_cast<double>(i) * lmu0.h));
  return s;
}

GridMass convolve(const GridMass& a, const GridMass& b) {
  GridMass c;
  c.h = a.h;
  c.x0 = a.x0 + b.x0;
  c.p.assign(a.p.size() + b.p.size() - 1, 0.0);
  for (std::size_t i = 0; i < a.p.size(); ++i)
    for (std::size_t j = 0; j < b.p.size(); ++j) c.p[i + j] += a.p[i] * b.p[j];
  return c;
}

// The two tests' table: two lists, 30 on A only, 40 on B only, 12 on both.
CaptureTable two_list_table() { return CaptureTable::from_counts({"A", "B"}, {0, 30, 40, 12}); }

// log mu_0 = l_A + l_B - l_AB + g for that table under flat main effects and intercept (each
// cell's log mean log-Gamma(y_c, 1) a posteriori), g with the grid's masses `interaction`.
GridMass log_unseen_mass(const GridMass& interaction, double h) {
  return convolve(convolve(log_gamma_mass(30, h, 1), log_gamma_mass(40, h, 1)),
                  convolve(log_gamma_mass(12, h, -1), interaction));
}

TEST(LogLinearShrinkage, OneInteractionPosteriorMatchesNumericalIntegration) {
  // Two lists, one interaction under normal(0, tau^2), tau ~ half-normal(0, 0.5), flat main
  // effects and intercept. The three observed cells' log means are then independent
  // log-Gamma(y_c, 1) a posteriori, the interaction keeps its prior (no cell speaks to it),
  // and log mu_0 = l_A + l_B - l_AB + g: a convolution, integrated here on a grid.
  const auto table = two_list_table();
  ShrinkageOptions o;
  o.main_effect_sd = std::numeric_limits<double>::infinity();
  o.tau_scale = 0.5;
  o.interaction_mean_sd = 0;
  o.samples = 40000;
  o.seed = 7;
  const auto r = loglinear_shrinkage(table, o);
  ASSERT_LT(r.rhat, 1.02);
  ASSERT_GT(r.ess, 500) << "step " << r.step_size << " steps " << r.mean_leapfrog_steps << " acc " << r.acceptance;
  EXPECT_LT(r.divergences, 0.005 * static_cast<double>(r.log_unobserved.size()));

  constexpr double kH = 0.004;
  const GridMass lmu0 = log_unseen_mass(interaction_mass(0.5, kH), kH);
  auto exact_cdf = [&](double m) { return grid_cdf(lmu0, m); };
  double total = 0;
  for (double p : lmu0.p) total += p;
  ASSERT_NEAR(total, 1.0, 1e-3);
  // At unseen counts spanning the posterior (its 2.5% to 97.5% points are near 35 and 330),
  // the sampler's CDF within 4 Monte Carlo standard errors of the integral's.
  for (double m : {35.0, 60.0, 100.0, 160.0, 330.0}) {
    const double f = exact_cdf(m), se = std::sqrt(f * (1 - f) / r.ess);
    EXPECT_NEAR(sampler_cdf(r, m), f, 4 * se + 0.002) << "unseen " << m;
  }
  // The method's median and interval are the mixture's.
  EXPECT_NEAR(exact_cdf(r.median - 82), 0.5, 4 * std::sqrt(0.25 / r.ess) + 0.01);
}

TEST(LogLinearShrinkage, StudentTInteractionsAboutAShiftedMeanMatchNumericalIntegration) {
  // The two study options (docs/estimation.md, "Where the sparse interval's width comes
  // from"): interactions Student-t with 3 df about m, and m's prior centred off 0. Two lists,
  // flat main effects and intercept, tau fixed at 0.5, m ~ normal(0.4, 0.3^2): no cell speaks
  // to g = m + 0.5 T_3, so log mu_0 = l_A + l_B - l_AB + g, a convolution integrated on a grid.
  // A sampler that ignored either option would be off by the shift (0.4 in log mu_0) or the tails.
  const auto table = two_list_table();
  ShrinkageOptions o;
  o.main_effect_sd = std::numeric_limits<double>::infinity();
  o.fixed_tau = 0.5;
  o.interaction_df = 3;
  o.interaction_mean_sd = 0.3;
  o.interaction_mean_centre = 0.4;
  o.samples = 40000;
  o.seed = 5;
  const auto r = loglinear_shrinkage(table, o);
  ASSERT_LT(r.rhat, 1.02);
  ASSERT_GT(r.ess, 500);

  constexpr double kH = 0.004;
  const boost::math::students_t_distribution<double> t3(3);
  const boost::math::normal_distribution<double> mean_spread(0, 0.3);
  const GridMass t_part = mass_from_cdf([&](double x) { return boost::math::cdf(t3, x / 0.5); }, 15.0, kH);
  GridMass m_part = mass_from_cdf([&](double x) { return boost::math::cdf(mean_spread, x); }, 3.0, kH);
  m_part.x0 += 0.4;  // m's prior centred at 0.4
  const GridMass lmu0 = log_unseen_mass(convolve(t_part, m_part), kH);
  auto exact_cdf = [&](double m) { return grid_cdf(lmu0, m); };
  double total = 0;
  for (double p : lmu0.p) total += p;
  ASSERT_NEAR(total, 1.0, 2e-3);
  for (double m : {0.1, 0.25, 0.5, 0.75, 0.9}) {
    // The sampler's CDF at the integral's quantiles, within 4 Monte Carlo standard errors.
    const double unseen = [&] {
      double lo = 0, hi = 1500;  // gamma_q(m + 1, .) overflows past m of about 1,750
      for (int it = 0; it < 60; ++it) (exact_cdf(0.5 * (lo + hi)) < m ? lo : hi) = 0.5 * (lo + hi);
      return hi;
    }();
    EXPECT_NEAR(sampler_cdf(r, unseen), exact_cdf(unseen), 4 * std::sqrt(m * (1 - m) / r.ess) + 0.002)
        << "quantile " << m << " at unseen " << unseen;
  }
}

TEST(LogLinearShrinkage, DenseTableAgreesWithTheTwoWayMle) {
  // 30,000 people on four lists, heterogeneous (so the lists are dependent): every cell full.
  // With tau fixed large the prior is flat in effect and the posterior of N must sit on the
  // MLE of the model with all six interactions, its interval on the profile interval
  // (Bernstein-von Mises); with tau learned the shrinkage must not move it much.
  const auto table = testing::simulate_table(30000, {0.3, 0.25, 0.35, 0.2}, 11, 0.3, 1.8);
  const auto fit = fit_loglinear(table, LogLinearModel::two_way(4, {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}));
  ASSERT_TRUE(fit.ok());
  const auto prof = profile_interval(table, fit);
  const double half_width = 0.5 * (prof.high - prof.low);
  ShrinkageOptions o;
  o.fixed_tau = 20;
  o.main_effect_sd = std::numeric_limits<double>::infinity();
  const auto flat = loglinear_shrinkage(table, o);
  EXPECT_LT(flat.rhat, 1.02);
  EXPECT_NEAR(flat.median, fit.estimate, 0.1 * half_width);
  EXPECT_NEAR(flat.interval.low, prof.low, 0.1 * half_width);
  EXPECT_NEAR(flat.interval.high, prof.high, 0.1 * half_width);
  const auto learned = loglinear_shrinkage(table, ShrinkageOptions{});
  EXPECT_LT(learned.rhat, 1.02);
  EXPECT_TRUE(learned.centred);
  EXPECT_NEAR(learned.median, fit.estimate, 0.25 * half_width);
  EXPECT_NEAR(learned.interval.low, prof.low, 0.25 * half_width);
  EXPECT_NEAR(learned.interval.high, prof.high, 0.25 * half_width);
}

TEST(LogLinearShrinkage, IsAMethodWithItsHeadlineInsideItsInterval) {
  EstimateOptions o;
  o.method = parse_method("loglinear_shrinkage");
  const auto r = estimate_all(testing::mse_table("neworleans_5list.csv"), o);
  EXPECT_EQ(r.headline, "loglinear_shrinkage");
  ASSERT_TRUE(std::isfinite(r.estimate));
  EXPECT_GE(r.estimate, r.interval.low);
  EXPECT_LE(r.estimate, r.interval.high);
  EXPECT_GT(r.interval.low, static_cast<double>(r.observed));
  ASSERT_EQ(r.methods.size(), 1u);
  EXPECT_EQ(r.methods[0].details["interaction_medians"].size(), 10u);
  EXPECT_EQ(r.methods[0].details["interval_kind"], "95% equal-tailed posterior interval");
}

}  // namespace
}  // namespace joindots::estimate
