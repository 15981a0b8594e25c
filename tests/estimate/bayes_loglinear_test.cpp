#include "estimate/bayes_loglinear.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>

#include "core/error.hpp"
#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "test_support.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using joindots::testing::TempDir;
using joindots::testing::write_file;

CovariateCaptureTable spina_by_ethnicity() {
  return read_covariate_capture_table(joindots::testing::test_data_dir() / "mse" /
                                      "spina_bifida_3list_by_ethnicity.csv");
}

const BayesModel* find_model(const BayesLogLinearResult& r, std::uint64_t mask) {
  for (const auto& m : r.models)
    if (m.mask == mask) return &m;
  return nullptr;
}

TEST(BayesLogLinear, ReadsTheSpinaBifidaTableWithItsEthnicityCovariate) {
  const auto t = spina_by_ethnicity();
  EXPECT_EQ(t.lists, (std::vector<std::string>{"S1", "S2", "S3"}));
  ASSERT_EQ(t.covariates.size(), 1u);
  EXPECT_EQ(t.covariates[0].name, "eth");
  EXPECT_EQ(t.covariates[0].levels,
            (std::vector<std::string>{"caucasian", "afro-american", "other"}));
  EXPECT_EQ(t.strata(), 3u);
  EXPECT_EQ(t.observed(), 621);
  EXPECT_EQ(t.observed_in(0), 583);
  EXPECT_EQ(t.observed_in(1), 36);
  EXPECT_EQ(t.observed_in(2), 2);
  EXPECT_EQ(t.counts[1 * 8 + 0b011], 8);  // afro-american, S1 and S2
  // Collapsed over ethnicity it is the three-list table.
  EXPECT_EQ(t.collapsed().counts, testing::mse_table("spina_bifida_3list.csv").counts);
  EXPECT_EQ(t.stratum_label(2), "eth=other");
  const auto mse = joindots::testing::test_data_dir() / "mse";
  EXPECT_EQ(detect_covariate_columns(mse / "spina_bifida_3list_by_ethnicity.csv"),
            (std::vector<std::string>{"eth"}));
  EXPECT_EQ(detect_covariate_columns(mse / "scotpwid_4list_by_region_gender_age.csv"),
            (std::vector<std::string>{"Region", "Gender", "Age"}));
  EXPECT_TRUE(detect_covariate_columns(mse / "spina_bifida_3list.csv").empty());
}

// The published figure: conting's bict on this table, maximal model y ~ (S1 + S2 + S3 + eth)^2,
// prior = "UIP": posterior mean 727, 95% HPD (706, 758) (Overstall & King 2014; the same
// run is the example of ?bict, "Posterior mean of total population size = 726.75 ... ( 706 758 )").
// That run has 100 iterations. The posterior mean is reproduced; its HPD is not the
// posterior's: conting's own longer runs here (R 4, conting 1.7,
//   set.seed(s); bict(y ~ (S1 + S2 + S3 + eth)^2, data = spina, n.sample = 20000, prior = "UIP");
//   total_pop(fit, n.burnin = 2000))
// give mean 726.4 and 728.9, HPD (675, 778) and (678, 780) for s = 1, 2 (ESS of N about 330
// and 410: Monte Carlo s.e. of the mean about 1.4 each), and 40 runs of 100 iterations give
// HPDs averaging (701, 774), 73 wide against the posterior's 109, their means spread with
// sd 16. joindots with 40,000 draws per model and three seeds: mean 729.5 (s.e. 0.04), HPD
// (677, 786) (s.e. of each end about 0.2), equal-tailed (683, 796). The default run (4,000
// draws per model) has s.e. about 0.2 on the mean and 0.3-0.5 on the HPD ends, so +-3 is
// at least six standard errors. The upper HPD end lies above conting's (778-780) because
// conting's chain rarely visits the heavy upper tail of the models with two or three list
// interactions: for the no-covariate saturated two-way model a 10^6-iteration random-walk
// Metropolis run gives sd(N) 115, joindots 110, conting's visits 78.
TEST(BayesLogLinear, SpinaBifidaWithEthnicityReproducesThePublishedPosteriorMean) {
  const auto r = bayes_loglinear(spina_by_ethnicity());
  EXPECT_EQ(r.models_in_space, 64u);
  EXPECT_EQ(r.cells, 24);
  EXPECT_EQ(r.missing_cells, 3);
  EXPECT_EQ(r.maximal_model,
            "S1 + S2 + S3 + eth + S1:S2 + S1:S3 + S1:eth + S2:S3 + S2:eth + S3:eth");
  EXPECT_NEAR(r.total.mean, 727, 3);      // published
  EXPECT_NEAR(r.total.mean, 729.5, 1.0);  // joindots' high-precision reference (5 s.e.)
  EXPECT_LT(r.total.mean_se, 0.5);
  EXPECT_NEAR(r.total.hpd.low, 677, 3);   // conting long runs: 675, 678
  EXPECT_NEAR(r.total.hpd.high, 786, 3);  // conting long runs: 778, 780 (see above)
  EXPECT_NEAR(r.total.equal_tailed.low, 683, 3);
  EXPECT_NEAR(r.total.equal_tailed.high, 796, 4);
  // Posterior model probabilities; conting (seed 1, 18,000 draws): 0.39, 0.16, 0.15, 0.12.
  ASSERT_GE(r.models.size(), 4u);
  EXPECT_EQ(r.models[0].formula, "S1 + S2 + S3 + eth + S2:S3");
  EXPECT_NEAR(r.models[0].probability, 0.365, 0.03);
  EXPECT_NEAR(r.models[1].probability, 0.174, 0.03);
  // Diagnostics: the importance weights are healthy for every model that matters.
  EXPECT_GT(r.min_importance_efficiency, 0.2);
  EXPECT_GT(r.ess, 10000);
  // Per stratum; the strata's means add up to the total's.
  ASSERT_EQ(r.strata.size(), 3u);
  EXPECT_EQ(r.strata[0].label, "eth=caucasian");
  double sum = 0;
  for (const auto& s : r.strata) {
    sum += s.mean;
    EXPECT_GE(s.hpd.low, static_cast<double>(s.observed));
    EXPECT_LE(s.hpd.low, s.mean);
    EXPECT_GE(s.hpd.high, s.mean);
  }
  EXPECT_NEAR(sum, r.total.mean, 1e-6);
  EXPECT_NEAR(r.strata[0].mean, 683.3, 1.0);
  EXPECT_NEAR(r.strata[1].mean, 43.7, 0.3);
}

// conting on the table without the covariate (R 4, conting 1.7):
//   agg <- aggregate(y ~ S1 + S2 + S3, data = transform(spina, y = ifelse(is.na(y), -1e6, y)), FUN
//   = sum) agg$y[agg$y < 0] <- NA; set.seed(1) fit <- bict(y ~ (S1 + S2 + S3)^2, data = agg,
//   n.sample = 20000, prior = "UIP") total_pop(fit, n.burnin = 2000)
// gives mean 730.0 (ESS 409, s.e. 1.4), HPD (679, 790), model probabilities 0.522 ([S2:S3]),
// 0.255, 0.181, 0.042; per model (seed 3) E(N | m) 724.9, 753.7, 702.9, 773.0.
TEST(BayesLogLinear, SpinaBifidaWithoutCovariatesAgreesWithConting) {
  const auto r = bayes_loglinear(
      CovariateCaptureTable::from_table(testing::mse_table("spina_bifida_3list.csv")));
  EXPECT_EQ(r.models_in_space, 8u);
  EXPECT_TRUE(r.strata.empty());
  EXPECT_NEAR(r.total.mean, 730.0, 3.0);  // two conting s.e. and ours
  EXPECT_NEAR(r.total.hpd.low, 679, 5);
  EXPECT_NEAR(r.total.hpd.high, 790, 6);
  ASSERT_EQ(r.models.size(), 4u);  // the four without S2:S3 have posterior probability ~1e-9
  EXPECT_EQ(r.models[0].interactions, (std::vector<std::string>{"S2:S3"}));
  EXPECT_NEAR(r.models[0].probability, 0.522, 0.04);
  EXPECT_NEAR(r.models[0].mean, 724.9, 1.5);
  const auto* m12 = find_model(r, 0b101);  // S1:S2 + S2:S3
  ASSERT_NE(m12, nullptr);
  EXPECT_NEAR(m12->probability, 0.255, 0.04);
  EXPECT_NEAR(m12->mean, 753.7, 2.0);
}

// The posterior of one model computed by brute force: a two-list table, the independence
// model (intercept, A, B with sum-to-zero columns, so the unit information prior is N(0, 1)
// on each main effect: X'X / 4 cells = I), integrated on a 3-d grid in the coordinates that
// whiten the posterior at its mode. `cell_loglik(c, mu)` is cell c's log likelihood and
// `unseen(mu)` the expected count not observed for certain given the cells' means; returns
// the log marginal likelihood and E(N | m) - `certain`.
struct Quadrature {
  double log_z = 0, unseen = 0;
};
Quadrature integrate_two_list_independence(const std::vector<double>& mode,
                                           const std::function<double(int, double)>& cell_loglik,
                                           const std::function<double(const double*)>& unseen,
                                           int n = 120, double lim = 9.0) {
  auto x = [](int c, int j) {
    return j == 0 ? 1.0 : ((c >> (j - 1) & 1) ? -1.0 : 1.0);
  };  // "un" +1, "obs" -1
  auto means = [&](const Eigen::Vector3d& b, double* mu) {
    for (int c = 0; c < 4; ++c) mu[c] = std::exp(b(0) + x(c, 1) * b(1) + x(c, 2) * b(2));
  };
  auto log_post = [&](const Eigen::Vector3d& b) {
    double mu[4];
    means(b, mu);
    double l = 0;
    for (int c = 1; c < 4; ++c) l += cell_loglik(c, mu[c]);
    return l - 0.5 * (b(1) * b(1) + b(2) * b(2)) - std::log(2 * M_PI);
  };
  const Eigen::Vector3d b0(mode[0], mode[1], mode[2]);
  Eigen::Matrix3d h;
  const double e = 1e-4;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      Eigen::Vector3d a = b0, b = b0, c = b0, d = b0;
      a(i) += e;
      a(j) += e;
      b(i) += e;
      b(j) -= e;
      c(i) -= e;
      c(j) += e;
      d(i) -= e;
      d(j) -= e;
      h(i, j) = -(log_post(a) - log_post(b) - log_post(c) + log_post(d)) / (4 * e * e);
    }
  const Eigen::Matrix3d l = Eigen::LLT<Eigen::Matrix3d>(h.inverse()).matrixL();
  const double step = 2 * lim / n;
  const double ref = log_post(b0);
  double z_sum = 0, u_sum = 0;
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j <= n; ++j)
      for (int k = 0; k <= n; ++k) {
        const Eigen::Vector3d b =
            b0 + l * Eigen::Vector3d(-lim + i * step, -lim + j * step, -lim + k * step);
        const double w = std::exp(log_post(b) - ref);
        double mu[4];
        means(b, mu);
        z_sum += w;
        u_sum += w * unseen(mu);
      }
  return {ref + std::log(z_sum * l.determinant() * step * step * step), u_sum / z_sum};
}

TEST(BayesLogLinear, TwoListIndependenceModelMatchesGridQuadrature) {
  const std::vector<std::int64_t> counts = {0, 60, 40, 20};
  const auto table =
      CovariateCaptureTable::from_table(CaptureTable::from_counts({"A", "B"}, counts));
  BayesLogLinearOptions o;
  o.draws_per_model = 20000;
  const auto r = bayes_loglinear(table, o);
  const auto* ind = find_model(r, 0);
  ASSERT_NE(ind, nullptr);
  const auto mode = bayes_mode(table, 0);
  ASSERT_TRUE(mode.converged);
  const auto q = integrate_two_list_independence(
      mode.beta,
      [&](int c, double mu) {
        const double y = static_cast<double>(counts[static_cast<std::size_t>(c)]);
        return y * std::log(mu) - mu - std::lgamma(y + 1);
      },
      [](const double* mu) { return mu[0]; });  // the unobserved cell: both "un"
  const double mean = 120 + q.unseen;
  EXPECT_NEAR(ind->log_marginal, q.log_z, 0.015);  // measured 0.0045; importance s.e. about 0.004
  EXPECT_NEAR(ind->mean, mean, 0.01 * q.unseen);   // measured 0.39 (0.3%); s.e. about 0.2
  EXPECT_NEAR(ind->log_marginal_laplace, q.log_z,
              0.05);  // Laplace: measured 0.007, close but not exact
}

// Censored cells (conting's cens): the A-only count 60 is an upper bound, the true count in
// [1, 60]. Its likelihood is P(1 <= Y <= 60), and N counts its true value, whose expectation
// given mu is the truncated Poisson mean.
TEST(BayesLogLinear, CensoredCellMatchesGridQuadrature) {
  const std::vector<std::int64_t> counts = {0, 60, 40, 20};
  const auto table =
      CovariateCaptureTable::from_table(CaptureTable::from_counts({"A", "B"}, counts));
  BayesLogLinearOptions o;
  o.draws_per_model = 20000;
  o.censored_list = 0;  // A alone
  const auto r = bayes_loglinear(table, o);
  EXPECT_EQ(r.censored_cells, 1);
  const auto* ind = find_model(r, 0);
  ASSERT_NE(ind, nullptr);
  auto interval = [](double mu, double* mean) {  // P(1 <= Y <= 60) and E(Y | 1 <= Y <= 60)
    double p = 0, m = 0, pk = std::exp(-mu);     // Poisson probabilities by recursion
    for (int k = 1; k <= 60; ++k) {
      pk *= mu / k;
      p += pk;
      m += k * pk;
    }
    if (mean)
      *mean = p > 0 ? m / p : (mu > 60 ? 60.0 : 1.0);  // where p underflows (weight 0 anyway)
    return p;
  };
  const auto mode = bayes_mode(table, 0, 0, 0);
  ASSERT_TRUE(mode.converged);
  const auto q = integrate_two_list_independence(
      mode.beta,
      [&](int c, double mu) {
        if (c == 1) return std::log(interval(mu, nullptr));
        const double y = static_cast<double>(counts[static_cast<std::size_t>(c)]);
        return y * std::log(mu) - mu - std::lgamma(y + 1);
      },
      [&](const double* mu) {
        double tm = 0;
        interval(mu[1], &tm);
        return mu[0] + tm;
      },
      100,
      12.0);  // the censored posterior has a long tail: a wider grid (at 9 sd: 110.8, 0.4 short)
  const double mean = 60 + q.unseen;  // 60 people on B, certainly
  // Measured: log p(y | m) -8.8100 against -8.8007 (a grid of 160^3 to 12 sd); E(N | m)
  // 111.38 against 111.29 (200,000 draws and three seeds: 111.2).
  EXPECT_NEAR(ind->log_marginal, q.log_z, 0.03);
  EXPECT_NEAR(ind->mean, mean, 0.01 * q.unseen);
  // A bound of 1 is an exact count of 1: the same posterior as the uncensored table.
  const std::vector<std::int64_t> one = {0, 1, 40, 20};
  const auto t1 = CovariateCaptureTable::from_table(CaptureTable::from_counts({"A", "B"}, one));
  BayesLogLinearOptions o1;
  o1.draws_per_model = 1000;
  const auto plain = bayes_loglinear(t1, o1);
  o1.censored_list = 0;
  const auto bound = bayes_loglinear(t1, o1);
  EXPECT_NEAR(bound.total.mean, plain.total.mean, 1e-6 * plain.total.mean);
  EXPECT_EQ(bound.total.hpd.high, plain.total.hpd.high);
  EXPECT_NEAR(bound.models[0].log_marginal, plain.models[0].log_marginal, 1e-9);
}

// With a flat prior (a huge prior scale) the posterior mode is the maximum likelihood fit:
// the same unobserved count as fit_loglinear. With the covariate and no interaction with
// it, the table is collapsible: the sum of the strata's unobserved cells is the collapsed
// table's MLE.
TEST(BayesLogLinear, PosteriorModeWithAFlatPriorIsTheMle) {
  const auto plain = testing::mse_table("spina_bifida_3list.csv");
  const auto mle = fit_loglinear(plain, LogLinearModel::parse("[1,23]", 3));
  ASSERT_TRUE(mle.ok());
  const std::uint64_t s2s3 = 0b100;  // pairs (S1,S2), (S1,S3), (S2,S3)
  const auto flat = bayes_mode(CovariateCaptureTable::from_table(plain), s2s3, 1e14);
  ASSERT_TRUE(flat.converged);
  EXPECT_NEAR(flat.unobserved, mle.unobserved, 1e-6 * mle.unobserved);
  // With the prior the mode is pulled (a little) towards no interaction.
  const auto uip = bayes_mode(CovariateCaptureTable::from_table(plain), s2s3);
  EXPECT_GT(std::abs(uip.unobserved - mle.unobserved), 1e-3);
  // Six pairs with the covariate: (S1,S2), (S1,S3), (S1,eth), (S2,S3), (S2,eth), (S3,eth).
  const auto with_eth = bayes_mode(spina_by_ethnicity(), 0b001000, 1e14);
  ASSERT_TRUE(with_eth.converged);
  EXPECT_NEAR(with_eth.unobserved, mle.unobserved, 1e-6 * mle.unobserved);
}

// Beyond 2^max_enumerated_terms models the candidates come from Metropolis chains over the
// model space. On a space small enough to enumerate (64 models) the chains find every model
// that matters, and the figures are the enumeration's up to Monte Carlo error.
TEST(BayesLogLinear, ModelChainsFindWhatEnumerationFinds) {
  BayesLogLinearOptions o;
  const auto all = bayes_loglinear(spina_by_ethnicity(), o);
  EXPECT_EQ(all.search, "enumerated");
  EXPECT_EQ(all.models_evaluated, 64u);
  o.max_enumerated_terms = 5;
  o.model_chain_iterations = 3000;
  const auto mc3 = bayes_loglinear(spina_by_ethnicity(), o);
  EXPECT_EQ(mc3.search, "MC3");
  EXPECT_LE(mc3.models_evaluated, 64u);
  EXPECT_GT(mc3.model_chain_acceptance, 0.05);
  EXPECT_LT(mc3.mass_missed_by_a_chain, 0.01);
  EXPECT_NEAR(mc3.total.mean, all.total.mean, 1.0);  // s.e. about 0.2 each
  EXPECT_NEAR(mc3.screened_out_probability + 0.0, 0.0, 1e-6);
  ASSERT_FALSE(mc3.models.empty());
  EXPECT_EQ(mc3.models[0].formula, all.models[0].formula);
  EXPECT_NEAR(mc3.models[0].probability, all.models[0].probability, 0.02);
}

// Two covariates: a summary per stratum (each combination of levels) and per level of each
// covariate over the other (a margin); means add up across strata, margins and the total.
TEST(BayesLogLinear, TwoCovariatesGiveStrataAndMargins) {
  TempDir dir;
  write_file(dir / "t.csv",
             "A,B,sex,area,count\n1,0,f,north,30\n0,1,f,north,25\n1,1,f,north,10\n"
             "1,0,m,north,40\n0,1,m,north,35\n1,1,m,north,12\n1,0,f,south,20\n0,1,f,south,30\n"
             "1,1,f,south,8\n1,0,m,south,22\n0,1,m,south,28\n1,1,m,south,6\n");
  const auto t = read_covariate_capture_table(dir / "t.csv");
  ASSERT_EQ(t.covariates.size(), 2u);
  BayesLogLinearOptions o;
  o.draws_per_model = 1000;
  const auto r = bayes_loglinear(t, o);
  EXPECT_EQ(r.models_in_space, 64u);
  ASSERT_EQ(r.strata.size(), 4u);
  ASSERT_EQ(r.margins.size(), 4u);
  EXPECT_EQ(r.strata[1].label, "sex=m, area=north");
  EXPECT_EQ(r.margins[0].label, "sex=f");
  EXPECT_EQ(r.margins[3].label, "area=south");
  EXPECT_EQ(r.margins[0].observed, 30 + 25 + 10 + 20 + 30 + 8);
  EXPECT_NEAR(r.margins[0].mean, r.strata[0].mean + r.strata[2].mean, 1e-6);
  EXPECT_NEAR(r.margins[2].mean + r.margins[3].mean, r.total.mean, 1e-6);
  for (const auto& m : r.margins) EXPECT_LE(m.hpd.low, m.mean);
}

TEST(BayesLogLinear, SameSeedSameResultWhateverTheThreads) {
  BayesLogLinearOptions o;
  o.draws_per_model = 500;
  o.threads = 1;
  const auto a = bayes_loglinear(spina_by_ethnicity(), o);
  o.threads = 2;
  const auto b = bayes_loglinear(spina_by_ethnicity(), o);
  EXPECT_EQ(a.total.mean, b.total.mean);
  EXPECT_EQ(a.total.hpd.high, b.total.hpd.high);
  EXPECT_EQ(a.models[0].probability, b.models[0].probability);
  o.seed = 2;
  const auto c = bayes_loglinear(spina_by_ethnicity(), o);
  EXPECT_NE(a.total.mean, c.total.mean);
}

TEST(BayesLogLinear, HpdOfAPmf) {
  EXPECT_EQ(hpd_of_pmf({0.1, 0.2, 0.4, 0.2, 0.1}, 0.8),
            (std::pair<std::size_t, std::size_t>{1, 3}));
  EXPECT_EQ(hpd_of_pmf({0.5, 0.3, 0.1, 0.1}, 0.8), (std::pair<std::size_t, std::size_t>{0, 1}));
  EXPECT_EQ(hpd_of_pmf({0.05, 0.05, 0.9}, 0.9), (std::pair<std::size_t, std::size_t>{2, 2}));
}

TEST(BayesLogLinear, EstimateAllMakesItTheHeadlineWhenThereAreCovariates) {
  EstimateOptions o;
  o.method = Method::BayesLogLinear;
  o.bayes.draws_per_model = 1000;
  const auto j = to_json(estimate_all(spina_by_ethnicity(), o));
  EXPECT_EQ(j["headline_method"], "bayes_loglinear");
  EXPECT_EQ(j["covariates"], (std::vector<std::string>{"eth"}));
  EXPECT_NE(j["method"].get<std::string>().find("covariates (eth)"), std::string::npos);
  const auto& b = j["methods"]["bayes_loglinear"];
  EXPECT_EQ(j["estimate"], b["estimate"]);
  EXPECT_EQ(b["strata"].size(), 3u);
  EXPECT_TRUE(b.contains("top_models"));
  EXPECT_TRUE(b.contains("ess"));
  EXPECT_NEAR(j["estimate"].get<double>(), 729.5, 3);
  // Without covariates it is a method like the others.
  const auto p = to_json(estimate_all(testing::mse_table("spina_bifida_3list.csv"), o));
  EXPECT_EQ(p["headline_method"], "bayes_loglinear");
  EXPECT_EQ(p["methods"].size(), 1u);
  EXPECT_EQ(parse_method("bayes_loglinear"), Method::BayesLogLinear);
}

std::string problems_of(const std::string& csv,
                        const std::optional<std::vector<std::string>>& covariates = std::nullopt) {
  TempDir dir;
  write_file(dir / "t.csv", csv);
  try {
    read_covariate_capture_table(dir / "t.csv", covariates);
  } catch (const BadInputError& e) {
    std::string out;
    for (const auto& i : e.issues()) out += i.to_string().substr(i.file.size()) + "\n";
    return out;
  }
  return "";
}

TEST(BayesLogLinear, BadCovariateTablesNameFileLineAndField) {
  EXPECT_EQ(problems_of("A,B,eth,count\n1,0,x,2\n0,1,y,z\n"),
            ":3: count: must be a whole number >= 0, got `z`\n");
  EXPECT_EQ(problems_of("A,B,eth,count\n1,0,x,2\n1,0,x,3\n"),
            ":3: A: pattern 10 (eth=x) already given on line 2\n");
  EXPECT_EQ(problems_of("A,B,age,count\n1,2,1,2\n0,1,,3\n", std::vector<std::string>{"age"}),
            ":2: B: must be 0 or 1, got `2`\n:3: age: covariate value is empty\n");
  EXPECT_EQ(problems_of("A,B,eth,count\n0,0,x,2\n"),
            ":2: A: the all-zero pattern (people on no list) cannot be observed; drop the row\n");
  EXPECT_EQ(problems_of("A,age,B,count\n1,1,0,2\n", std::vector<std::string>{"age"}),
            ":1: header: covariate columns must come last, just before count; `B` is among them "
            "but is not named as "
            "a covariate\n");
  // A covariate coded by numbers must be named; then it reads.
  EXPECT_EQ(problems_of("A,B,age,count\n1,0,1,2\n0,1,2,3\n"), ":3: age: must be 0 or 1, got `2`\n");
  EXPECT_EQ(problems_of("A,B,age,count\n1,0,1,2\n0,1,2,3\n", std::vector<std::string>{"age"}), "");
  TempDir dir;
  write_file(dir / "t.csv", "A,B,count\n1,0,2\n");
  EXPECT_THROW(read_covariate_capture_table(dir / "t.csv", std::vector<std::string>{"eth"}),
               UsageError);
  // The file name is in every message.
  try {
    read_covariate_capture_table(dir / "t.csv", std::vector<std::string>{"B"});
    FAIL();
  } catch (const BadInputError& e) {
    EXPECT_NE(e.issues()[0].to_string().find("t.csv:1: header: need at least 2 list columns"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace joindots::estimate
