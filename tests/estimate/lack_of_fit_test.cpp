// The interval under lack of fit (issue 11, item 6): c-hat from the deviance, the widening
// of log(unseen), and auto's interval at a scale where the chosen model is rejected.
#include "estimate/lack_of_fit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

CaptureTable dense_table() { return testing::simulate_table(20000, {0.3, 0.3, 0.3, 0.3}, 3); }

/// N people on K = 5 lists, each with a log-normal visibility multiplier (log sd 1.2) of
/// the hazard of being recorded, P(list j) = 1 - exp(-h_j exp(1.2 z)), and two referrals
/// (being on A triples the hazard of B; being on C multiplies that of E by 2.5): the
/// simulator's kind of mechanism, which no log-linear form captures, so at a large N every
/// model is rejected.
CaptureTable lognormal_referral_table(std::int64_t n, std::uint64_t seed) {
  const std::vector<double> hazard = {0.35, 0.3, 0.2, 0.15, 0.12};
  std::vector<std::int64_t> counts(std::size_t{1} << hazard.size(), 0);
  Rng rng(seed, "lognormal_referral_table");
  for (std::int64_t i = 0; i < n; ++i) {
    const double m = std::exp(1.2 * rng.normal());
    std::uint32_t c = 0;
    for (std::size_t j = 0; j < hazard.size(); ++j) {
      double h = hazard[j] * m;
      if (j == 1 && (c & 1u)) h *= 3.0;
      if (j == 4 && (c & 4u)) h *= 2.5;
      if (rng.bernoulli(1.0 - std::exp(-h))) c |= 1u << j;
    }
    ++counts[c];
  }
  counts[0] = 0;
  return CaptureTable::from_counts({"A", "B", "C", "D", "E"}, counts);
}

/// The expected capture table, N times each history's probability in closed form (quadrature
/// over the visibility), of the simulator's recording model with its referral terms off
/// (the `visibility_only` preset): P(list j | z) = logistic(a_j + z), z ~ N(0, sd^2), with
/// the default country's logits. No sampling noise: any error is the model's.
CaptureTable logit_normal_table(double n, double sd) {
  const std::vector<double> a = {-1.5, -1.0, -2.0, -4.0, -2.6};
  constexpr int kNodes = 801;
  std::vector<double> p(std::size_t{1} << a.size(), 0.0);
  double weights = 0;
  for (int q = 0; q < kNodes; ++q) {
    const double u = -8.0 + 16.0 * q / (kNodes - 1), w = std::exp(-0.5 * u * u);
    weights += w;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
      double pr = w;
      for (std::size_t j = 0; j < a.size(); ++j) {
        const double pj = 1.0 / (1.0 + std::exp(-(a[j] + sd * u)));
        pr *= (c >> j & 1u) ? pj : 1.0 - pj;
      }
      p[c] += pr;
    }
  }
  std::vector<std::int64_t> counts(p.size(), 0);
  for (std::size_t c = 1; c < p.size(); ++c) counts[c] = std::llround(n * p[c] / weights);
  return CaptureTable::from_counts({"police", "children_services", "health", "nrm", "charity"}, counts);
}

}  // namespace

TEST(LackOfFit, CHatFromTheDevianceOnlyWhereTheFitIsRejected) {
  const auto t = dense_table();
  EXPECT_FALSE(lack_of_fit(t, 20.0, 17));  // p = 0.27
  EXPECT_FALSE(lack_of_fit(t, 5.0, 0));    // no df: nothing to test
  EXPECT_FALSE(lack_of_fit(t, NAN, 10));
  const auto f = lack_of_fit(t, 50.5, 17);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->c_hat, 50.5 / 17, 1e-12);
  EXPECT_NEAR(f->factor, std::sqrt(50.5 / 17), 1e-12);
  EXPECT_LT(f->p_value, 1e-4);
  EXPECT_GT(f->p_value, 1e-5);  // chi-square(17) upper tail at 50.5: 3.5e-5
}

TEST(LackOfFit, NotOnASparseTableWhereTheDevianceIsNotChiSquare) {
  // Cochran's rule: more than a fifth of the cells below 5.
  const auto sparse = testing::simulate_sparse_table(300, 6, 1);
  EXPECT_FALSE(lack_of_fit(sparse, 500.0, 40));
  EXPECT_FALSE(
      lack_of_fit(testing::mse_table("uk2013_4list.csv"), 18.37, 8));  // 6 of 15 cells below 5
}

TEST(LackOfFit, WidensLogUnseenAroundTheEstimate) {
  LackOfFit f;
  f.c_hat = 4;
  f.factor = 2;
  // observed 100, estimate 200: unseen 100; the ends' unseen 50 and 200 become 25 and 400.
  const auto w = widen_for_lack_of_fit({150, 300, 0.95, "profile"}, 200, 100, f);
  EXPECT_NEAR(w.low, 125, 1e-9);
  EXPECT_NEAR(w.high, 500, 1e-9);
  EXPECT_NE(w.kind.find("widened for lack of fit"), std::string::npos);
  // An end at the observed count stays; an infinite end stays infinite.
  const auto v = widen_for_lack_of_fit({100, INFINITY, 0.95, "profile"}, 200, 100, f);
  EXPECT_EQ(v.low, 100);
  EXPECT_TRUE(std::isinf(v.high));
}

TEST(LackOfFit, AutoAtScaleIsNoNarrowerThanTheFormsThatFitAboutAsBadly) {
  // 400,000 people: at this size every log-linear model is rejected and their own intervals
  // are a few percent wide.
  constexpr double kTruth = 400000;
  const auto t = lognormal_referral_table(static_cast<std::int64_t>(kTruth), 11);
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto r = estimate_all(t, o);
  ASSERT_TRUE(r.lack_of_fit) << r.method;
  EXPECT_GT(r.lack_of_fit->c_hat, 1.0);
  // Widened, never narrowed, and the headline inside.
  EXPECT_LE(r.interval.low, r.interval_before_lack_of_fit.low + 1e-6);
  EXPECT_GE(r.interval.high, r.interval_before_lack_of_fit.high - 1e-6);
  EXPECT_GE(r.estimate, r.interval.low);
  EXPECT_LE(r.estimate, r.interval.high);
  // Every form that fits about as badly lies inside the interval.
  const auto j = to_json(r);
  const auto& forms = j["methods"]["loglinear_mata"]["forms_about_as_bad"];
  ASSERT_FALSE(forms.empty());
  for (const auto& f : forms) {
    EXPECT_GE(f["estimate"].get<double>(), r.interval.low - 1e-6) << f.dump();
    EXPECT_LE(f["estimate"].get<double>(), r.interval.high + 1e-6) << f.dump();
  }
  EXPECT_TRUE(j.contains("lack_of_fit"));
  // On this population (fixed seed, the portable Rng) the rejected model's own average
  // misses the truth and the widened interval covers it.
  EXPECT_FALSE(r.interval_before_lack_of_fit.low <= kTruth &&
               kTruth <= r.interval_before_lack_of_fit.high)
      << r.interval_before_lack_of_fit.low << "-" << r.interval_before_lack_of_fit.high;
  EXPECT_LE(r.interval.low, kTruth);
  EXPECT_GE(r.interval.high, kTruth);
  EXPECT_NE(j["interval_kind"].get<std::string>().find("quasi-likelihood"), std::string::npos);
  // And a well-fitting table of the same size is left alone.
  const auto fine =
      estimate_all(testing::simulate_table(300000, {0.3, 0.25, 0.2, 0.15, 0.12}, 5), o);
  EXPECT_FALSE(fine.lack_of_fit);
  EXPECT_FALSE(to_json(fine).contains("lack_of_fit"));
}

TEST(LackOfFit, WhereTheChosenModelFitsAFormThatFitsAsCloselyIsTakenIn) {
  // The same mechanism at 100,000 people: here the chosen model fits (no lack of fit), and the
  // best Gamma3.5 model fits the lists at least as closely (deviance per df) with more
  // interactions: BIC kept the chosen model for its fewer parameters. Its estimate is taken in.
  constexpr double kTruth = 100000;
  const auto t = lognormal_referral_table(static_cast<std::int64_t>(kTruth), 11);
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto r = estimate_all(t, o);
  ASSERT_FALSE(r.lack_of_fit) << r.lack_of_fit->c_hat;
  const auto j = to_json(r);
  const auto& mata = j["methods"]["loglinear_mata"];
  ASSERT_TRUE(mata.contains("forms_fitting_as_closely")) << mata.dump();
  double highest = 0;
  for (const auto& f : mata["forms_fitting_as_closely"]) {
    EXPECT_LE(f["deviance"].get<double>() / f["df"].get<double>(),
              f["chosen_deviance"].get<double>() / f["chosen_df"].get<double>())
        << f.dump();
    EXPECT_GE(f["estimate"].get<double>(), r.interval.low - 1e-6) << f.dump();
    EXPECT_LE(f["estimate"].get<double>(), r.interval.high + 1e-6) << f.dump();
    highest = std::max(highest, f["estimate"].get<double>());
  }
  // On this population (fixed seed, the portable Rng) the headline falls more than 5% short, a
  // form fitting as closely makes the upper end, and only that brings the truth inside.
  EXPECT_LT(r.estimate, 0.95 * kTruth);
  EXPECT_NEAR(r.interval.high, highest, 1e-9 * kTruth) << mata.dump();
  EXPECT_LE(r.interval.low, kTruth);
  EXPECT_GE(r.interval.high, kTruth) << mata.dump();
  EXPECT_NE(r.interval.kind.find("fits the lists as closely"), std::string::npos) << r.interval.kind;
  EXPECT_TRUE(std::ranges::any_of(
      r.notes, [](const std::string& s) { return s.find("fits the lists as closely") != std::string::npos; }));
}

TEST(LackOfFit, NoneWhereTheHeterogeneityFormIsWrongButFitsTheDefaultCountrysLogitNormalVisibility) {
  // Issue 11: why the default country runs about 10% low at perfect linkage. Darroch's term
  // is the rare-capture form of a normal visibility; with a logit-normal one of sd 1.2 the
  // most visible children are on nearly every list, which the form does not allow for, and
  // it puts too few at "no list". On 100,000 children that is 6% too few with a deviance of
  // about 2 on 24 df: no table of this size can tell the forms apart.
  constexpr double kTruth = 100000;
  const auto t = logit_normal_table(kTruth, 1.2);
  const auto darroch = fit_loglinear(t, LogLinearModel(5).with_heterogeneity(Heterogeneity::Darroch));
  ASSERT_TRUE(darroch.ok());
  EXPECT_LT(darroch.deviance, 5.0);
  EXPECT_EQ(darroch.df, 24);
  EXPECT_GT(darroch.estimate, 0.92 * kTruth);
  EXPECT_LT(darroch.estimate, 0.955 * kTruth);
  // The bias is the form's, and grows with the visibility's spread: at sd 0.3 it is nil.
  const auto mild = fit_loglinear(logit_normal_table(kTruth, 0.3),
                                  LogLinearModel(5).with_heterogeneity(Heterogeneity::Darroch));
  ASSERT_TRUE(mild.ok());
  EXPECT_NEAR(mild.estimate / kTruth, 1.0, 0.005);
  // auto: no lack of fit to widen for, and the headline is low by as much.
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  const auto r = estimate_all(t, o);
  EXPECT_FALSE(r.lack_of_fit) << r.method;
  EXPECT_LT(r.estimate, 0.96 * kTruth) << r.method;
  EXPECT_GT(r.estimate, 0.90 * kTruth) << r.method;
}

}  // namespace joindots::estimate
