#include "core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace joindots {

namespace {

struct Moments {
  double mean = 0, var = 0;
};

template <typename Draw>
Moments moments(int n, Draw draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  Moments m;
  m.mean = sum / n;
  m.var = sum2 / n - m.mean * m.mean;
  return m;
}

constexpr int kDraws = 200000;

// Tolerance for a sample mean: 5 standard errors (a false failure about once in 3 million).
double tol(double var) { return 5 * std::sqrt(var / kDraws); }

}  // namespace

TEST(Rng, SameSeedSameNumbersAndStreamsDiffer) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  Rng s1(7, "victims", 1), s2(7, "victims", 2), s3(7, "groups", 1), s1b(7, "victims", 1);
  const auto v = s1.next();
  EXPECT_EQ(v, s1b.next());
  EXPECT_NE(v, s2.next());
  EXPECT_NE(v, s3.next());
}

TEST(Rng, KnownFirstOutputsPinTheAlgorithm) {
  // xoshiro256** seeded by splitmix64(0): if this changes, every simulated country changes.
  Rng r(0);
  const auto first = r.next();
  Rng again(0);
  EXPECT_EQ(first, again.next());
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);  // published first output of splitmix64(0)
}

TEST(Rng, UniformAndBelow) {
  Rng r(1);
  auto m = moments(kDraws, [&] { return r.uniform(); });
  EXPECT_NEAR(m.mean, 0.5, tol(1.0 / 12));
  EXPECT_NEAR(m.var, 1.0 / 12, 0.002);
  std::vector<int> counts(7);
  for (int i = 0; i < 70000; ++i) ++counts[r.below(7)];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  EXPECT_LT(chi2, 22.5);  // chi-square 6 df, p = 0.001
}

TEST(Rng, NormalMoments) {
  Rng r(2);
  auto m = moments(kDraws, [&] { return r.normal(); });
  EXPECT_NEAR(m.mean, 0, tol(1));
  EXPECT_NEAR(m.var, 1, 0.02);
}

struct PoissonCase {
  double mean;
};

class PoissonMoments : public ::testing::TestWithParam<double> {};

TEST_P(PoissonMoments, MeanAndVarianceEqualLambda) {
  Rng r(3);
  const double lambda = GetParam();
  auto m = moments(kDraws, [&] { return static_cast<double>(r.poisson(lambda)); });
  EXPECT_NEAR(m.mean, lambda, tol(lambda));
  EXPECT_NEAR(m.var / lambda, 1.0, 0.03);
}

INSTANTIATE_TEST_SUITE_P(SmallAndLarge, PoissonMoments, ::testing::Values(0.3, 3.5, 9.9, 10.0, 55.0, 1000.0));

TEST(Rng, GammaMoments) {
  Rng r(4);
  for (double shape : {0.4, 1.0, 2.5, 30.0}) {
    const double scale = 1.7;
    auto m = moments(kDraws, [&] { return r.gamma(shape, scale); });
    EXPECT_NEAR(m.mean, shape * scale, tol(shape * scale * scale)) << shape;
    EXPECT_NEAR(m.var / (shape * scale * scale), 1.0, 0.05) << shape;
  }
}

TEST(Rng, NegativeBinomialOverdispersion) {
  Rng r(5);
  const double mean = 5, size = 2;
  auto m = moments(kDraws, [&] { return static_cast<double>(r.negative_binomial(mean, size)); });
  const double var = mean + mean * mean / size;
  EXPECT_NEAR(m.mean, mean, tol(var));
  EXPECT_NEAR(m.var / var, 1.0, 0.05);
}

TEST(Rng, BinomialMoments) {
  Rng r(6);
  for (const auto& np : {std::pair{20, 0.3}, std::pair{500, 0.02}, std::pair{1000, 0.6}}) {
    const auto n = np.first;  // not a structured binding: clang before 16 cannot capture one
    const auto p = np.second;
    auto m = moments(kDraws / 4, [&] { return static_cast<double>(r.binomial(n, p)); });
    const double var = n * p * (1 - p);
    EXPECT_NEAR(m.mean, n * p, 10 * std::sqrt(var / (kDraws / 4))) << n;
    EXPECT_NEAR(m.var / var, 1.0, 0.06) << n;
  }
}

TEST(AliasTable, FrequenciesFollowWeights) {
  const std::vector<double> w = {1, 0, 3, 6};
  AliasTable table(w);
  Rng r(8);
  std::vector<int> counts(4);
  for (int i = 0; i < 100000; ++i) ++counts[table.draw(r)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / 1e5, 0.1, 0.005);
  EXPECT_NEAR(counts[2] / 1e5, 0.3, 0.007);
  EXPECT_NEAR(counts[3] / 1e5, 0.6, 0.008);
  EXPECT_THROW(AliasTable(std::vector<double>{0, 0}), std::invalid_argument);
}

}  // namespace joindots
