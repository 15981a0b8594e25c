#include "estimate/sampling.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <map>

namespace joindots::estimate {
namespace {

double log_pmf(std::int64_t n, double p, std::int64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  return std::lgamma(nd + 1) - std::lgamma(kd + 1) - std::lgamma(nd - kd + 1) + kd * std::log(p) +
         (nd - kd) * std::log1p(-p);
}

// Pearson's chi-square of `draws` draws against the exact Binomial(n, p) pmf, bins with
// expected counts below 5 pooled; returns the p-value.
double gof_p_value(std::int64_t n, double p, int draws, std::uint64_t seed) {
  Rng rng(seed);
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < draws; ++i) {
    const auto x = binomial_draw(rng, n, p);
    EXPECT_GE(x, 0);
    EXPECT_LE(x, n);
    ++seen[x];
  }
  const double mean = static_cast<double>(n) * p, sd = std::sqrt(mean * (1 - p));
  const auto lo = std::max<std::int64_t>(0, static_cast<std::int64_t>(mean - 8 * sd - 2));
  const auto hi = std::min<std::int64_t>(n, static_cast<std::int64_t>(mean + 8 * sd + 2));
  double chi2 = 0, pooled_e = 0, pooled_o = 0;
  int bins = 0;
  double tail_e = 1.0, tail_o = draws;
  for (std::int64_t k = lo; k <= hi; ++k) {
    const double e = draws * std::exp(log_pmf(n, p, k));
    const double o = seen.count(k) ? seen[k] : 0;
    tail_e -= e / draws;
    tail_o -= o;
    pooled_e += e;
    pooled_o += o;
    if (pooled_e >= 5) {
      chi2 += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
      ++bins;
      pooled_e = pooled_o = 0;
    }
  }
  pooled_e += std::max(0.0, tail_e) * draws;
  pooled_o += tail_o;
  if (pooled_e > 0) {
    chi2 += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
    ++bins;
  }
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(bins - 1), chi2));
}

TEST(LcmcrSampling, BinomialMatchesTheExactPmf) {
  // Inversion (n p < 10) and BTRD (n p >= 10, both tails of p, the squeeze and exact tests).
  const std::pair<std::int64_t, double> cases[] = {{20, 0.3},    {100, 0.05},  {100, 0.3},  {60, 0.9},
                                                   {1000, 0.02}, {1000, 0.45}, {5000, 0.7}, {1000000, 0.4}};
  std::uint64_t seed = 1;
  for (auto [n, p] : cases) EXPECT_GT(gof_p_value(n, p, 200000, seed++), 1e-4) << "n " << n << " p " << p;
}

TEST(LcmcrSampling, BinomialMomentsForHugeN) {
  Rng rng(3);
  const std::int64_t n = 4'000'000'000;
  const double p = 0.013;
  double s = 0, ss = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const double x = static_cast<double>(binomial_draw(rng, n, p));
    s += x;
    ss += x * x;
  }
  const double mean = s / draws, var = ss / draws - mean * mean;
  const double true_var = n * p * (1 - p);
  EXPECT_NEAR(mean, n * p, 5 * std::sqrt(true_var / draws));
  EXPECT_NEAR(var / true_var, 1.0, 0.05);
}

TEST(LcmcrSampling, MultinomialKeepsTheTotalAndTheProportions) {
  Rng rng(4);
  const std::vector<double> w = {0.5, 1.5, 0.0, 2.0};
  std::vector<std::int64_t> out(4, 0);
  for (int i = 0; i < 1000; ++i) multinomial_add(rng, 10000, w, 4.0, out);
  EXPECT_EQ(out[0] + out[1] + out[2] + out[3], 10'000'000);
  EXPECT_EQ(out[2], 0);
  EXPECT_NEAR(out[0] / 1e7, 0.125, 0.001);
  EXPECT_NEAR(out[3] / 1e7, 0.5, 0.001);
}

}  // namespace
}  // namespace joindots::estimate
