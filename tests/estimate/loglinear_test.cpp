#include "estimate/loglinear.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "estimate/cell_glm.hpp"
#include "estimate/existence.hpp"
#include "core/error.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using testing::mse_table;

TEST(LogLinearModelNotation, ParsesAndPrintsGeneratingClasses) {
  const auto m = LogLinearModel::parse("[123,14,34]", 4);
  EXPECT_EQ(m.to_string(), "[123,14,34]");
  // Intercept, 4 main effects, 12 13 23 14 34, 123.
  EXPECT_EQ(m.parameters(), 11u);
  EXPECT_TRUE(m.has_term(0b0111));
  EXPECT_TRUE(m.has_term(0b1001));
  EXPECT_FALSE(m.has_term(0b1010));
  EXPECT_EQ(LogLinearModel(4).to_string(), "[1,2,3,4]");
  EXPECT_EQ(LogLinearModel::two_way(3, {{0, 1}}).to_string(), "[12,3]");
  EXPECT_EQ(LogLinearModel::parse("[12, 3]", 3), LogLinearModel::two_way(3, {{0, 1}}));
  EXPECT_EQ(LogLinearModel::two_way(4, {{0, 1}, {0, 2}}).interaction_names({"LA", "NG", "PFNCA", "GO"}),
            (std::vector<std::string>{"LA:NG", "LA:PFNCA"}));
  EXPECT_THROW(LogLinearModel::parse("[15]", 4), UsageError);
  EXPECT_THROW(LogLinearModel::parse("12,13", 4), UsageError);
}

TEST(LogLinear, KosovoMinimumBicModelAndProfileInterval) {
  // Ball et al. (2002): the minimum-BIC hierarchical model [123,14,34] gives 10,356.5 with
  // profile-likelihood CI 8,994-12,110. It has a three-way term.
  const auto t = mse_table("kosovo_4list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[123,14,34]", 4));
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit.estimate, 10356.5, 0.05);
  const auto ci = profile_interval(t, fit);
  EXPECT_NEAR(ci.low, 8994, 0.5);
  EXPECT_NEAR(ci.high, 12110, 0.5);
}

TEST(LogLinear, Uk2013PublishedModel) {
  // Silverman (2014/2020), robustness variant: main + LA:NG + LA:PFNCA + NG:GO gives 11,015.
  const auto t = mse_table("uk2013_4list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::two_way(4, {{0, 1}, {0, 2}, {1, 3}}));
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(std::lround(fit.estimate), 11015);
}

TEST(LogLinear, NewOrleansIndependenceModel) {
  // Chan, Silverman & Vincent (2021): no interaction selected, estimate 1,034.
  const auto t = mse_table("neworleans_5list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel(5));
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(std::lround(fit.estimate), 1034);
}

// An independent implementation: Newton's method with the explicit design matrix.
std::vector<double> newton_explicit(const CaptureTable& t, const LogLinearModel& m) {
  std::vector<std::uint32_t> cells;
  for (std::uint32_t c = 1; c < t.cells(); ++c) cells.push_back(c);
  const Eigen::MatrixXd x = design_matrix(m, cells);
  Eigen::VectorXd y(static_cast<Eigen::Index>(cells.size()));
  for (std::size_t i = 0; i < cells.size(); ++i)
    y(static_cast<Eigen::Index>(i)) = static_cast<double>(t.counts[cells[i]]);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(x.cols());
  b(0) = std::log(y.mean());
  for (int it = 0; it < 200; ++it) {
    const Eigen::VectorXd mu = (x * b).array().exp();
    const Eigen::VectorXd g = x.transpose() * (y - mu);
    const Eigen::MatrixXd h = x.transpose() * mu.asDiagonal() * x;
    Eigen::VectorXd step = h.ldlt().solve(g);
    auto ll = [&](const Eigen::VectorXd& bb) {
      const Eigen::VectorXd eta = x * bb;
      return y.dot(eta) - eta.array().exp().sum();
    };
    double s = 1;
    while (ll(b + s * step) < ll(b) && s > 1e-10) s /= 2;
    b += s * step;
    if (step.cwiseAbs().maxCoeff() < 1e-13) break;
  }
  return {b.data(), b.data() + b.size()};
}

TEST(LogLinear, IrlsAgreesWithExplicitNewton) {
  const auto t = mse_table("lesbian_allegheny_4list.csv");
  for (const char* spec : {"[1,2,3,4]", "[12,13,14]", "[12,14,23,24,34]", "[123,4]", "[1,2,3,4]+Darroch",
                           "[12,13,14]+Darroch", "[12,3,4]+Poisson2", "[123,4]+Gamma3.5"}) {
    const auto m = LogLinearModel::parse(spec, 4);
    const auto fit = fit_loglinear(t, m);
    ASSERT_TRUE(fit.ok()) << spec;
    const auto ref = newton_explicit(t, m);
    ASSERT_EQ(ref.size(), fit.beta.size());
    for (std::size_t j = 0; j < ref.size(); ++j) EXPECT_NEAR(fit.beta[j], ref[j], 1e-7) << spec << " term " << j;
    // The score vanishes and the fitted margins match the observed ones.
    for (auto term : m.terms()) {
      double obs = 0, fitted = 0;
      for (std::uint32_t c = 1; c < t.cells(); ++c)
        if ((c & term) == term) {
          obs += static_cast<double>(t.counts[c]);
          fitted += fit.fitted[c];
        }
      EXPECT_NEAR(obs, fitted, 1e-6 * (1 + obs)) << spec;
    }
  }
}

TEST(LogLinearModelNotation, HeterogeneityTerms) {
  const auto m = LogLinearModel::parse("[12, 3,4] + Darroch", 4);
  EXPECT_EQ(m.heterogeneity(), Heterogeneity::Darroch);
  EXPECT_EQ(m.to_string(), "[12,3,4]+Darroch");
  EXPECT_EQ(m.parameters(), 7u);  // intercept, 4 main effects, 12, eta
  EXPECT_FALSE(m == LogLinearModel::parse("[12,3,4]", 4));
  EXPECT_EQ(LogLinearModel::parse("[1,2,3]+Gamma3.5", 3).to_string(), "[1,2,3]+Gamma3.5");
  EXPECT_THROW(LogLinearModel::parse("[1,2,3]+Chao", 3), UsageError);
  // h(s) for s lists: Poisson2 2^s - 1, Darroch s^2 / 2, Gamma3.5 -log(1 + s / 3.5); 0 at s = 0.
  const auto h = LogLinearModel::parse("[1,2,3]+Poisson2", 3).heterogeneity_column();
  EXPECT_EQ(h, (std::vector<double>{0, 1, 1, 3, 1, 3, 3, 7}));
  EXPECT_DOUBLE_EQ(heterogeneity_value(Heterogeneity::Darroch, 3), 4.5);
  EXPECT_DOUBLE_EQ(heterogeneity_value(Heterogeneity::Gamma35, 2), -std::log(1 + 2 / 3.5));
}

TEST(LogLinear, DarrochWithEveryTwoWayTermIsNotAModelOfItsOwn) {
  // s^2 / 2 = s / 2 + (sum of the pairs): the column adds nothing to the all-pairs model.
  const auto t = mse_table("lesbian_allegheny_4list.csv");
  const auto check = check_existence(t, LogLinearModel::parse("[12,13,14,23,24,34]+Darroch", 4));
  EXPECT_EQ(check.status, MleStatus::NotIdentifiable);
  EXPECT_NE(check.reason.find("[12,13,14,23,24,34] without it"), std::string::npos) << check.reason;
  // With one pair fewer it is identified, and so is Poisson2 with every pair.
  EXPECT_EQ(check_existence(t, LogLinearModel::parse("[12,13,14,23,24]+Darroch", 4)).status, MleStatus::Exists);
  EXPECT_EQ(check_existence(t, LogLinearModel::parse("[12,13,14,23,24,34]+Poisson2", 4)).status, MleStatus::Exists);
}

TEST(LogLinear, RedundantHeterogeneityAgreesWithTheRankOfTheDesign) {
  // The Moebius test against ranks of the explicit design on the observed cells: every
  // two-way model of 3, 4 and 5 lists (half of those of 4 with a three-way term), each term.
  for (int k : {3, 4, 5}) {
    std::vector<std::uint32_t> cells;
    for (std::uint32_t c = 1; c < (1u << k); ++c) cells.push_back(c);
    const auto pairs = all_pairs(k);
    int redundant = 0;
    for (std::uint32_t s = 0; s < (1u << pairs.size()); ++s) {
      std::vector<std::uint32_t> gens;
      for (std::size_t i = 0; i < pairs.size(); ++i)
        if (s >> i & 1u) gens.push_back(pairs[i]);
      if (k == 4 && (s & 1u)) gens.push_back(0b0111);  // some with a three-way term
      for (auto h : {Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35}) {
        const auto m = LogLinearModel::hierarchical(k, gens).with_heterogeneity(h);
        const Eigen::MatrixXd x = design_matrix(m, cells);
        Eigen::FullPivLU<Eigen::MatrixXd> all(x), terms(x.leftCols(x.cols() - 1));
        all.setThreshold(1e-10);
        terms.setThreshold(1e-10);
        const bool by_rank = all.rank() == terms.rank();
        EXPECT_EQ(heterogeneity_redundant(m), by_rank) << m.to_string();
        redundant += by_rank;
      }
    }
    EXPECT_GT(redundant, 0) << k;  // Darroch with every pair, at least
  }
}

TEST(LogLinear, HeterogeneityProfileIntervalBracketsTheEstimate) {
  const auto t = mse_table("hiv_rome_4list.csv");
  const auto plain = fit_loglinear(t, LogLinearModel(4));
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[1,2,3,4]+Poisson2", 4));
  ASSERT_TRUE(fit.ok());
  EXPECT_TRUE(fit.estimated_heterogeneity);
  EXPECT_EQ(fit.parameters, 6);
  const auto pi = profile_interval(t, fit);
  EXPECT_LT(pi.low, fit.estimate);
  EXPECT_GT(pi.high, fit.estimate);
  // The multinomial profile peaks near the Poisson estimate (here 87% of N unobserved).
  EXPECT_NEAR(pi.profile_mle, fit.estimate, 0.01 * fit.estimate);
  // One more parameter: the interval is wider than the independence model's.
  const auto pp = profile_interval(t, plain);
  EXPECT_GT(pi.high - pi.low, pp.high - pp.low);
}

TEST(LogLinear, DevianceDfAndCriteria) {
  const auto t = mse_table("kosovo_4list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[123,14,34]", 4));
  EXPECT_EQ(fit.parameters, 11);
  EXPECT_EQ(fit.df, 4);
  EXPECT_NEAR(fit.aic - fit.bic, 11 * (2 - std::log(4400.0)), 1e-9);
  double dev = 0;
  for (std::uint32_t c = 1; c < t.cells(); ++c) {
    const double y = static_cast<double>(t.counts[c]);
    dev += 2 * (y * std::log(y / fit.fitted[c]) - (y - fit.fitted[c]));
  }
  EXPECT_NEAR(fit.deviance, dev, 1e-9);
}

TEST(LogLinear, ProfileIntervalBracketsTheEstimateAndWidensWithLevel) {
  const auto t = mse_table("uk2013_4list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::two_way(4, {{0, 1}, {0, 2}, {1, 3}}));
  const auto ci95 = profile_interval(t, fit, 0.95);
  const auto ci80 = profile_interval(t, fit, 0.80);
  EXPECT_LT(ci95.low, fit.estimate);
  EXPECT_GT(ci95.high, fit.estimate);
  EXPECT_LT(ci95.low, ci80.low);
  EXPECT_GT(ci95.high, ci80.high);
  EXPECT_GE(ci95.low, static_cast<double>(t.observed()));
}

TEST(ModelAveragedTailArea, OneModelGivesItsProfileInterval) {
  // With all the weight on one model, the MATA interval is that model's profile interval and
  // its centre the profile MLE: the confidence distribution's 2.5%, 50% and 97.5% points.
  const auto t = mse_table("kosovo_4list.csv");
  const auto fit = fit_loglinear(t, LogLinearModel::parse("[123,14,34]", 4));
  ASSERT_TRUE(fit.ok());
  const auto profile = profile_interval(t, fit);
  const auto mata = mata_interval(t, {{&fit, 1.0}});
  EXPECT_NEAR(mata.low, profile.low, 1e-4 * profile.low);
  EXPECT_NEAR(mata.high, profile.high, 1e-4 * profile.high);
  EXPECT_NEAR(mata.profile_mle, profile.profile_mle, 1e-4 * profile.profile_mle);
  ProfileCurve curve(t, fit);
  EXPECT_NEAR(curve.confidence(profile.low), 0.025, 1e-5);
  EXPECT_NEAR(curve.confidence(profile.high), 0.975, 1e-5);
  EXPECT_NEAR(curve.confidence(profile.profile_mle), 0.5, 1e-5);
  // A second copy of the same model changes nothing.
  const auto twice = mata_interval(t, {{&fit, 0.3}, {&fit, 0.7}});
  EXPECT_NEAR(twice.low, mata.low, 1e-6 * mata.low);
  EXPECT_NEAR(twice.high, mata.high, 1e-6 * mata.high);
}

TEST(ModelAveragedTailArea, EndsLieBetweenTheModelsEndsAndSolveTheAverage) {
  // Each model's confidence distribution rises with N, so the averaged one crosses 2.5% no
  // earlier than the first model's lower end and no later than the last's; and the ends
  // solve sum w C(N) = 0.025 and 0.975 (checked with the curves directly).
  const auto t = mse_table("uk2013_4list.csv");
  const auto a = fit_loglinear(t, LogLinearModel::parse("[12,13,4]", 4));
  const auto b = fit_loglinear(t, LogLinearModel::parse("[12,24,3]+Darroch", 4));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  const auto pa = profile_interval(t, a), pb = profile_interval(t, b);
  for (double w : {0.1, 0.5, 0.9}) {
    const auto m = mata_interval(t, {{&a, w}, {&b, 1 - w}});
    EXPECT_GE(m.low, std::min(pa.low, pb.low) - 1e-6);
    EXPECT_LE(m.low, std::max(pa.low, pb.low) + 1e-6);
    EXPECT_GE(m.high, std::min(pa.high, pb.high) - 1e-6);
    EXPECT_LE(m.high, std::max(pa.high, pb.high) + 1e-6);
    ProfileCurve ca(t, a), cb(t, b);
    EXPECT_NEAR(w * ca.confidence(m.low) + (1 - w) * cb.confidence(m.low), 0.025, 1e-6);
    EXPECT_NEAR(w * ca.confidence(m.high) + (1 - w) * cb.confidence(m.high), 0.975, 1e-6);
    EXPECT_NEAR(w * ca.confidence(m.profile_mle) + (1 - w) * cb.confidence(m.profile_mle), 0.5, 1e-6);
  }
  // Weights that are all but zero are left out; none at all is an error.
  const auto only_a = mata_interval(t, {{&a, 1.0}, {&b, 1e-6}});
  EXPECT_NEAR(only_a.low, pa.low, 1e-4 * pa.low);
  EXPECT_THROW(mata_interval(t, {{&a, 0.0}}), std::invalid_argument);
}

}  // namespace
}  // namespace joindots::estimate
