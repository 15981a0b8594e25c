#include "estimate/logit_normal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using testing::logit_normal_table;

TEST(LogitNormal, RecoversTheSizeAndSpreadOfItsOwnModel) {
  // From the expected table of a million children the MLE is the truth: N, sigma, a deviance
  // near 0, with and without an interaction (a referral between lists 1 and 2).
  const std::vector<double> a = {-1.5, -2.0, -1.0, -2.5, -1.8};
  const double n = 1e6;
  {
    const auto table = logit_normal_table(n, a, 1.2);
    const auto f = fit_logit_normal(table, LogLinearModel(5));
    ASSERT_TRUE(f.bounded && f.converged);
    EXPECT_NEAR(f.estimate, n, 2e-3 * n);
    EXPECT_NEAR(f.sigma, 1.2, 0.01);
    EXPECT_LT(f.deviance, 1.0);
    EXPECT_EQ(f.df, 31 - 6 - 1);
  }
  {
    const auto table = logit_normal_table(n, a, 1.2, {{0b00011, 0.8}});
    const auto model = LogLinearModel::parse("[12,3,4,5]", 5);
    const auto f = fit_logit_normal(table, model);
    ASSERT_TRUE(f.bounded && f.converged);
    EXPECT_NEAR(f.estimate, n, 2e-3 * n);
    EXPECT_NEAR(f.sigma, 1.2, 0.01);
    EXPECT_LT(f.deviance, 1.0);
    // Without the interaction the referral is read as visibility, and the fit is poor.
    const auto without = fit_logit_normal(table, LogLinearModel(5));
    EXPECT_GT(without.deviance, 100);
    // A heterogeneity term on the model given is dropped: sigma takes its place.
    const auto darroch = fit_logit_normal(table, model.with_heterogeneity(Heterogeneity::Darroch));
    EXPECT_NEAR(darroch.estimate, f.estimate, 1e-6 * n);
  }
}

TEST(LogitNormal, EveryoneEquallyVisibleIsTheIndependenceModel) {
  // sigma 0: the lists are independent, and the fit gives the main-effects model's N.
  const auto table = logit_normal_table(50000, {-1.0, -1.4, -0.7, -2.0}, 0.0);
  const auto f = fit_logit_normal(table, LogLinearModel(4));
  const auto ll = fit_loglinear(table, LogLinearModel(4));
  ASSERT_TRUE(ll.ok());
  ASSERT_TRUE(f.bounded);
  EXPECT_NEAR(f.estimate, ll.estimate, 2e-3 * ll.estimate);
  EXPECT_LT(f.sigma, 0.1);
}

TEST(LogitNormal, OddTablesGiveAFigureOrSayUnboundedNeverNaN) {
  // Each fit is finite or says it is unbounded, with a finite deviance.
  const auto tables = testing::odd_five_list_tables();
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const auto f = fit_logit_normal(tables[t], LogLinearModel(5));
    EXPECT_FALSE(std::isnan(f.estimate)) << "table " << t;
    EXPECT_FALSE(std::isnan(f.deviance)) << "table " << t;
    EXPECT_TRUE(f.bounded ? std::isfinite(f.estimate) && f.estimate >= tables[t].observed() : std::isinf(f.estimate))
        << "table " << t << ": " << f.estimate;
  }
  // With no overlap at all the lists say nothing of the unseen: no bounded N.
  EXPECT_FALSE(fit_logit_normal(tables[3], LogLinearModel(5)).bounded);
}

TEST(LogitNormal, AutoTakesItInWhereTheMostVisibleAreOnEveryList) {
  // Visibility whose chance saturates (sd 1.5 on the logit, lists recording 20-55% of
  // children) with a referral between two lists, at national scale: the log-linear forms fit poorly and sit below the
  // truth; the logit-normal form fits, and under that lack of fit auto's interval takes in its estimate (estimate.cpp,
  // take_in_forms_about_as_bad).
  const double n = 400000;
  const auto table = logit_normal_table(n, {-0.3, 0.2, -1.0, -0.6, -1.4}, 1.5, {{0b00101, 0.7}}, 7);
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto r = estimate_all(table, o);
  ASSERT_TRUE(r.lack_of_fit) << r.method;
  const auto j = to_json(r);
  const auto& forms = j["methods"]["loglinear_mata"]["forms_about_as_bad"];
  // The logit-normal form borrows the interactions of the chosen model (listed first: here
  // the true ones, [13,2,4,5]) and of each log-linear form's best model.
  std::vector<double> logit_normal;
  double loglinear_highest = 0;
  for (const auto& f : forms) {
    if (f["heterogeneity"] == "logit_normal")
      logit_normal.push_back(f["estimate"].get<double>());
    else if (f["heterogeneity"] != "latent_class")
      loglinear_highest = std::max(loglinear_highest, f["estimate"].get<double>());
  }
  ASSERT_FALSE(logit_normal.empty()) << forms.dump() << " c-hat " << r.lack_of_fit->c_hat;
  EXPECT_NEAR(logit_normal.front(), n, 0.01 * n) << forms.dump();
  // On this population (fixed seed, the portable Rng) every log-linear form falls short of the
  // truth by more than 1%, and it is a logit-normal estimate that makes the interval's upper
  // end and brings the truth inside.
  EXPECT_LT(loglinear_highest, 0.99 * n) << forms.dump();
  EXPECT_NEAR(r.interval.high, *std::ranges::max_element(logit_normal), 1e-9 * n) << forms.dump();
  EXPECT_LE(r.interval.low, n);
  EXPECT_GE(r.interval.high, n) << forms.dump();
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(LogitNormal, WhereTheChosenModelFitsALogitNormalModelBicPrefersIsTakenIn) {
  // Visibility alone (sd 1.2 on the logit, no interaction) among 100,000 children: the chosen
  // log-linear model fits (no lack of fit) but carries interactions that mimic the visibility
  // and falls short of the truth; the main-effects logit-normal model has fewer parameters and
  // fits as well, so BIC prefers it, and the interval takes in its estimate.
  const double n = 100000;
  const auto table = logit_normal_table(n, {-1.0, -0.6, -1.4, -1.8, -1.2}, 1.2, {}, 11);
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto r = estimate_all(table, o);
  ASSERT_FALSE(r.lack_of_fit) << r.lack_of_fit->c_hat;
  const auto j = to_json(r);
  const auto& mata = j["methods"]["loglinear_mata"];
  ASSERT_TRUE(mata.contains("logit_normal_preferred")) << mata.dump();
  const auto& preferred = mata["logit_normal_preferred"];
  double highest = 0;
  for (const auto& p : preferred) {
    EXPECT_LT(p["bic"].get<double>(), p["chosen_bic"].get<double>());
    highest = std::max(highest, p["estimate"].get<double>());
  }
  EXPECT_NEAR(highest, n, 0.03 * n) << preferred.dump();
  EXPECT_LE(r.interval.low, highest);
  EXPECT_GE(r.interval.high, highest - 1e-6) << preferred.dump();
  EXPECT_GE(r.interval.high, n) << preferred.dump() << " " << r.estimate;
  // On this population (fixed seed) the headline falls short and the interval reached the
  // truth only by the widening.
  EXPECT_LT(r.estimate, 0.98 * n);
  EXPECT_NE(r.interval.kind.find("a logit-normal model that BIC prefers"), std::string::npos) << r.interval.kind;
  EXPECT_TRUE(std::ranges::any_of(r.notes, [](const std::string& s) {
    return s.find("a logit-normal model that BIC prefers") != std::string::npos;
  }));

  // Independent lists (sd 0): the logit-normal model's extra parameter buys nothing, BIC keeps
  // the chosen model, and nothing is taken in.
  const auto flat = logit_normal_table(n, {-1.0, -0.6, -1.4, -1.8, -1.2}, 0.0, {}, 12);
  const auto r0 = estimate_all(flat, o);
  EXPECT_FALSE(to_json(r0)["methods"]["loglinear_mata"].contains("logit_normal_preferred"))
      << to_json(r0)["methods"]["loglinear_mata"].dump();
}

}  // namespace
}  // namespace joindots::estimate
