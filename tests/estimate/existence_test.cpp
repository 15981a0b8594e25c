#include "estimate/existence.hpp"

#include <bit>
#include <cmath>

#include <gtest/gtest.h>

#include "estimate/cell_glm.hpp"
#include "estimate/loglinear.hpp"
#include "core/simplex.hpp"
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

namespace joindots::estimate {
namespace {

// A slow, obvious reference for the verdicts: run Newton's method on all observed cells
// (no facial set) for a fixed number of iterations. Where the extended MLE exists, the
// zero cells on the boundary go to 0 and mu_0 settles at the value fit_loglinear finds on
// the face; where the MLE does not exist, mu_0 runs off to 0 or to infinity along the
// recession direction.
TEST(LogLinearExistence, VerdictsAgreeWithLongNewtonRunsOnRandomSparseTables) {
  Rng rng(2024);
  int exists_checked = 0, missing_checked = 0;
  for (int table_no = 0; table_no < 40; ++table_no) {
    std::vector<std::int64_t> counts(16, 0);
    for (std::uint32_t c = 1; c < 16; ++c)
      counts[c] = rng.bernoulli(0.45) ? 0 : rng.poisson(std::popcount(c) == 1 ? 30.0 : 4.0);
    const auto t = CaptureTable::from_counts({"A", "B", "C", "D"}, counts);
    if (t.observed() == 0) continue;
    std::vector<double> y(16);
    for (int c = 0; c < 16; ++c) y[c] = static_cast<double>(counts[c]);
    std::vector<std::uint8_t> all(16, 1);
    all[0] = 0;
    for (std::uint32_t s = 0; s < 64; s += 3) {
      std::vector<std::uint32_t> gens;
      for (int i = 0; i < 6; ++i)
        if (s >> i & 1u) gens.push_back(all_pairs(4)[static_cast<std::size_t>(i)]);
      const auto m = LogLinearModel::hierarchical(4, gens);
      const auto fit = fit_loglinear(t, m);
      if (fit.existence.status == MleStatus::NotIdentifiable) continue;
      CellGlm glm(4, m.terms());
      std::vector<double> beta;
      glm.fit(y, all, beta, 60, 0.0);
      const double mu60 = glm.fitted()[0];
      glm.fit(y, all, beta, 60, 0.0);
      const double mu120 = glm.fitted()[0];
      if (!std::isfinite(mu60) || !std::isfinite(mu120) || mu60 <= 0 || mu120 <= 0) continue;  // numerically lost
      if (fit.ok()) {
        EXPECT_NEAR(mu120, fit.unobserved, 1e-4 * (1 + fit.unobserved)) << m.to_string() << " table " << table_no;
        ++exists_checked;
      } else {
        // mu_0 runs off to 0 or to infinity (until exp under- or overflows the fit).
        const double n = static_cast<double>(t.observed());
        const bool to_infinity = fit.existence.reason.find("to infinity") != std::string::npos;
        EXPECT_TRUE(to_infinity ? mu120 > 1e6 * n : mu120 < 1e-6)
            << m.to_string() << " table " << table_no << ": " << mu120 << "; " << fit.existence.reason;
        ++missing_checked;
      }
    }
  }
  EXPECT_GT(exists_checked, 100);
  EXPECT_GT(missing_checked, 5);
}

// The facial set against an obviously right reference: a zero cell lies outside F exactly
// when some direction of the recession cone makes its fitted log-mean strictly negative, one
// small program per cell (max -a_i'u subject to A u <= 0, -a_i'u <= 1), on sparse tables of
// five to seven lists like those the bootstrap resamples.
TEST(LogLinearExistence, FacialSetAgreesWithOneProgramPerZeroCell) {
  Rng rng(77);
  int boundary_seen = 0, checked = 0;
  for (int table_no = 0; table_no < 24; ++table_no) {
    const int k = 5 + table_no % 3;
    const std::uint32_t cells = 1u << k;
    std::vector<std::int64_t> counts(cells, 0);
    for (std::uint32_t c = 1; c < cells; ++c) {
      const int lists = std::popcount(c);
      if (lists <= 2 && rng.bernoulli(lists == 1 ? 0.9 : 0.2)) counts[c] = 1 + rng.poisson(lists == 1 ? 20.0 : 2.0);
    }
    std::vector<std::string> names;
    for (int j = 0; j < k; ++j) names.push_back(std::string(1, static_cast<char>('A' + j)));
    const auto t = CaptureTable::from_counts(names, counts);
    const auto pairs = all_pairs(k);
    for (int model_no = 0; model_no < 6; ++model_no) {
      std::vector<std::uint32_t> gens;
      for (auto p : pairs)
        if (rng.bernoulli(0.3)) gens.push_back(p);
      const auto m = LogLinearModel::hierarchical(k, gens);
      const auto check = check_existence(t, m);
      if (check.reason.find("heterogeneity") != std::string::npos) continue;
      std::vector<std::uint32_t> pos, zero;
      for (std::uint32_t c = 1; c < cells; ++c) (counts[c] > 0 ? pos : zero).push_back(c);
      Eigen::FullPivLU<Eigen::MatrixXd> lu(design_matrix(m, pos));
      lu.setThreshold(1e-10);
      std::vector<std::uint8_t> expected(cells, 0);
      for (std::uint32_t c = 1; c < cells; ++c) expected[c] = 1;
      if (lu.rank() < lu.cols()) {
        const Eigen::MatrixXd z = lu.kernel();
        const Eigen::MatrixXd a = design_matrix(m, zero) * z;
        const Eigen::Index r = z.cols();
        for (Eigen::Index i = 0; i < a.rows(); ++i) {
          Eigen::MatrixXd lp(a.rows() + 1, 2 * r);
          lp << a, -a, -a.row(i), a.row(i);
          Eigen::VectorXd b = Eigen::VectorXd::Zero(a.rows() + 1);
          b(a.rows()) = 1.0;
          Eigen::VectorXd c(2 * r);
          c << -a.row(i).transpose(), a.row(i).transpose();
          const auto res = maximize_simplex(lp, b, c);
          if (res.status == LpStatus::Optimal && res.value > 0.5) expected[zero[static_cast<std::size_t>(i)]] = 0;
        }
      }
      for (std::uint32_t c = 1; c < cells; ++c) {
        EXPECT_EQ(check.in_face[c], expected[c]) << m.to_string() << " table " << table_no << " cell " << c;
        boundary_seen += expected[c] == 0 ? 1 : 0;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(boundary_seen, 200);
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

// The zero-margin reduction (cells holding a pair that never overlaps are outside F without
// a program; the programs run on the rest) against the programs on the whole problem: the
// same verdict, facial set, boundary cells and reason, on sparse tables of 5-8 lists like
// the shapes of issue 13 and their bootstrap replicates, with and without heterogeneity.
TEST(LogLinearExistence, ZeroMarginReductionGivesTheWholeProblemsVerdicts) {
  Rng rng(13);
  int checked = 0, reduced_boundary = 0, not_exist = 0;
  for (int table_no = 0; table_no < 16; ++table_no) {
    const int k = 5 + table_no % 4;
    const auto t = testing::simulate_sparse_table(120 + 10 * table_no, k, 100 + static_cast<std::uint64_t>(table_no));
    const auto pairs = all_pairs(k);
    for (int model_no = 0; model_no < 8; ++model_no) {
      std::vector<std::uint32_t> gens;
      for (auto p : pairs)
        if (rng.bernoulli(0.5)) gens.push_back(p);
      const Heterogeneity h = model_no % 4 == 0 ? Heterogeneity::Poisson2 : Heterogeneity::None;
      const auto m = LogLinearModel::hierarchical(k, gens).with_heterogeneity(h);
      const auto fast = check_existence(t, m);
      const auto whole = check_existence(t, m, false);
      EXPECT_EQ(fast.status, whole.status) << m.to_string() << " table " << table_no;
      EXPECT_EQ(fast.in_face, whole.in_face) << m.to_string() << " table " << table_no;
      EXPECT_EQ(fast.boundary_cells, whole.boundary_cells) << m.to_string() << " table " << table_no;
      EXPECT_EQ(fast.reason, whole.reason) << m.to_string() << " table " << table_no;
      reduced_boundary += static_cast<int>(fast.boundary_cells.size());
      not_exist += fast.status != MleStatus::Exists ? 1 : 0;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 128);
  EXPECT_GT(reduced_boundary, 1000);
  EXPECT_GT(not_exist, 3);
}

}  // namespace
}  // namespace joindots::estimate
