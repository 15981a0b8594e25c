#include "core/simplex.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "core/rng.hpp"

namespace joindots {

namespace {
const double kInf = std::numeric_limits<double>::infinity();
}

TEST(BoundedSimplex, RangeOfAVariableUnderAnEqualityAndBounds) {
  // x + y = z, x in [0, 10], y in [1, 2], z in [3, 4]: x ranges over [1, 3].
  Eigen::MatrixXd a(1, 3);
  a << 1, 1, -1;
  Eigen::VectorXd lo(3), hi(3);
  lo << 0, 1, 3;
  hi << 10, 2, 4;
  const BoundedSimplex lp(a, Eigen::VectorXd::Zero(1), lo, hi);
  ASSERT_TRUE(lp.feasible());
  const Eigen::VectorXd x = Eigen::VectorXd::Unit(3, 0);
  const auto high = lp.maximize(x);
  const auto low = lp.minimize(x);
  ASSERT_EQ(high.status, LpStatus::Optimal);
  ASSERT_EQ(low.status, LpStatus::Optimal);
  EXPECT_NEAR(high.value, 3, 1e-9);
  EXPECT_NEAR(low.value, 1, 1e-9);
  EXPECT_NEAR(high.x(0) + high.x(1), high.x(2), 1e-9);  // the optimum is feasible
}

TEST(BoundedSimplex, InfeasibleAndUnbounded) {
  Eigen::MatrixXd a(1, 2);
  a << 1, 1;
  Eigen::VectorXd lo(2), hi(2);
  lo << 1, 0;
  hi << kInf, kInf;
  const BoundedSimplex none(a, Eigen::VectorXd::Zero(1), lo, hi);  // x + y = 0 with x >= 1
  EXPECT_FALSE(none.feasible());
  EXPECT_EQ(none.maximize(Eigen::VectorXd::Ones(2)).status, LpStatus::Infeasible);
  a << 1, -1;
  const BoundedSimplex open(a, Eigen::VectorXd::Zero(1), lo, hi);  // x = y >= 1
  ASSERT_TRUE(open.feasible());
  EXPECT_EQ(open.maximize(Eigen::VectorXd::Unit(2, 0)).status, LpStatus::Unbounded);
  EXPECT_NEAR(open.minimize(Eigen::VectorXd::Unit(2, 0)).value, 1, 1e-9);
}

TEST(BoundedSimplex, AgreesWithTheSlackSimplexOnRandomPrograms) {
  // max c'x, A x <= b, x >= 0 written as [A I] (x, s) = b with s >= 0.
  Rng rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int m = 1 + static_cast<int>(rng.below(6)), n = 1 + static_cast<int>(rng.below(8));
    Eigen::MatrixXd a(m, n);
    Eigen::VectorXd b(m), c(n);
    for (int i = 0; i < m; ++i) {
      b(i) = static_cast<double>(rng.between(0, 20));
      for (int j = 0; j < n; ++j) a(i, j) = static_cast<double>(rng.between(-3, 6));
    }
    for (int j = 0; j < n; ++j) c(j) = static_cast<double>(rng.between(-5, 5));
    const auto reference = maximize_simplex(a, b, c);
    Eigen::MatrixXd eq(m, n + m);
    eq << a, Eigen::MatrixXd::Identity(m, m);
    const BoundedSimplex lp(eq, b, Eigen::VectorXd::Zero(n + m), Eigen::VectorXd::Constant(n + m, kInf));
    ASSERT_TRUE(lp.feasible()) << "trial " << trial;  // x = 0 is feasible
    Eigen::VectorXd cost = Eigen::VectorXd::Zero(n + m);
    cost.head(n) = c;
    const auto r = lp.maximize(cost);
    ASSERT_EQ(r.status == LpStatus::Unbounded, reference.status == LpStatus::Unbounded) << "trial " << trial;
    if (r.status == LpStatus::Optimal) {
      EXPECT_NEAR(r.value, reference.value, 1e-7) << "trial " << trial;
      EXPECT_LE((a * r.x.head(n) - b).maxCoeff(), 1e-7);
    }
  }
}

}  // namespace joindots

namespace joindots {

TEST(SlackSimplex, UpperBoundsAgreeWithTheSameBoundsWrittenAsRows) {
  // x <= u kept out of the tableau against x <= u as extra rows [I | u].
  Rng rng(29);
  int bounded_by_upper = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int m = 1 + static_cast<int>(rng.below(6)), n = 1 + static_cast<int>(rng.below(8));
    Eigen::MatrixXd a(m, n);
    Eigen::VectorXd b(m), c(n), upper(n);
    for (int i = 0; i < m; ++i) {
      b(i) = rng.bernoulli(0.5) ? 0.0 : static_cast<double>(rng.between(0, 20));  // degenerate rows, as in existence
      for (int j = 0; j < n; ++j) a(i, j) = static_cast<double>(rng.between(-3, 6));
    }
    for (int j = 0; j < n; ++j) {
      c(j) = static_cast<double>(rng.between(-5, 5));
      upper(j) = rng.bernoulli(0.3) ? kInf : static_cast<double>(rng.between(0, 4));
    }
    int finite = 0;
    for (int j = 0; j < n; ++j) finite += std::isfinite(upper(j)) ? 1 : 0;
    Eigen::MatrixXd rows(m + finite, n);
    Eigen::VectorXd rhs(m + finite);
    rows.topRows(m) = a;
    rhs.head(m) = b;
    for (int j = 0, r = m; j < n; ++j)
      if (std::isfinite(upper(j))) {
        rows.row(r) = Eigen::RowVectorXd::Unit(n, j);
        rhs(r++) = upper(j);
      }
    const auto reference = maximize_simplex(rows, rhs, c);
    const auto r = maximize_simplex(a, b, c, upper);
    ASSERT_EQ(r.status, reference.status) << "trial " << trial;
    if (r.status != LpStatus::Optimal) continue;
    EXPECT_NEAR(r.value, reference.value, 1e-7) << "trial " << trial;
    EXPECT_LE((a * r.x - b).maxCoeff(), 1e-7) << "trial " << trial;
    EXPECT_LE((r.x - upper).maxCoeff(), 1e-9) << "trial " << trial;
    EXPECT_GE(r.x.minCoeff(), -1e-9) << "trial " << trial;
    for (int j = 0; j < n; ++j) bounded_by_upper += std::isfinite(upper(j)) && r.x(j) == upper(j) ? 1 : 0;
  }
  EXPECT_GT(bounded_by_upper, 50);  // the bounds were active, not just present
}

}  // namespace joindots
