#include "estimate/existence.hpp"

#include <gtest/gtest.h>

#include "estimate/loglinear.hpp"
#include "estimate/simplex.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using testing::mse_table;

TEST(LogLinearExistence, SimplexSolvesASmallProgram) {
  // max 3x + 2y s.t. x + y <= 4, x + 3y <= 6, x <= 3: optimum at (3, 1), value 11.
  Eigen::MatrixXd a(3, 2);
  a << 1, 1, 1, 3, 1, 0;
  Eigen::VectorXd b(3), c(2);
  b << 4, 6, 3;
  c << 3, 2;
  const auto r = maximize_simplex(a, b, c);
  EXPECT_EQ(r.status, LpStatus::Optimal);
  EXPECT_NEAR(r.value, 11, 1e-12);
  EXPECT_NEAR(r.x(0), 3, 1e-12);
  EXPECT_NEAR(r.x(1), 1, 1e-12);
  Eigen::MatrixXd a2(1, 2);
  a2 << 1, -1;
  Eigen::VectorXd b2(1);
  b2 << 0;
  EXPECT_EQ(maximize_simplex(a2, b2, c).status, LpStatus::Unbounded);
}

// Chan, Silverman & Vincent (2021), Table 2 (the artificial three-list data): with all three
// pairs the MLE is not identifiable; with AB alone or with one other pair it does not
// exist; [13,23] is fine.
struct Verdict {
  const char* model;
  MleStatus status;
};

TEST(LogLinearExistence, ArtificialTableVerdicts) {
  const auto t = mse_table("artificial_3list.csv");
  const Verdict cases[] = {
      {"[12,13,23]", MleStatus::NotIdentifiable}, {"[12,3]", MleStatus::DoesNotExist},
      {"[12,13]", MleStatus::DoesNotExist},       {"[12,23]", MleStatus::DoesNotExist},
      {"[13,23]", MleStatus::Exists},             {"[1,2,3]", MleStatus::Exists},
      {"[13,2]", MleStatus::Exists},              {"[1,23]", MleStatus::Exists},
  };
  for (const auto& v : cases) {
    const auto m = LogLinearModel::parse(v.model, 3);
    const auto check = check_existence(t, m);
    EXPECT_EQ(check.status, v.status) << v.model << ": " << check.reason;
    EXPECT_EQ(check.reason.empty(), v.status == MleStatus::Exists) << v.model;
  }
}

TEST(LogLinearExistence, ExtendedMleOnTheFacialSet) {
  // [13,23]: AC and BC never overlap, so cells 101, 011 and 111 are fitted at 0 and the fit on
  // the rest (the independence model on four cells, saturated) gives mu_0 = 40 * 30 / 6.
  const auto t = mse_table("artificial_3list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[13,23]", 3));
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit.existence.boundary_cells, (std::vector<std::uint32_t>{0b101, 0b110, 0b111}));
  EXPECT_EQ(fit.parameters, 4);
  EXPECT_EQ(fit.df, 0);
  EXPECT_NEAR(fit.unobserved, 40.0 * 30.0 / 6.0 * 20.0 / 20.0, 1e-6);
  EXPECT_NEAR(fit.estimate, 96 + 200, 1e-6);
}

TEST(LogLinearExistence, PositiveTablesAlwaysExistWithoutTheKWayTerm) {
  const auto t = mse_table("kosovo_4list.csv");
  EXPECT_EQ(check_existence(t, LogLinearModel::parse("[123,124,134,234]", 4)).status, MleStatus::Exists);
  // The K-way term is confounded with the unobserved cell.
  EXPECT_EQ(check_existence(t, LogLinearModel::parse("[1234]", 4)).status, MleStatus::NotIdentifiable);
}

TEST(LogLinearExistence, FailedModelsGiveNoEstimate) {
  const auto t = mse_table("artificial_3list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[12,3]", 3));
  EXPECT_FALSE(fit.ok());
  EXPECT_TRUE(std::isnan(fit.estimate));
  EXPECT_THROW(profile_interval(t, fit), std::invalid_argument);
}

}  // namespace
}  // namespace joindots::estimate
