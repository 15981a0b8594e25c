// Issue 11: auto's headline on dense tables (docs/estimation.md "What auto does, and why"): the
// best model of each heterogeneity form, averaged, inside the tail-area interval over the whole
// heterogeneity search; the published figures stay inside both.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "estimate/estimate.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

EstimateOptions lean() {
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.headline_only = true;
  return o;
}

std::string form_of(const std::string& model) {
  const auto plus = model.find('+');
  return plus == std::string::npos ? "none" : model.substr(plus + 1);
}

TEST(HeadlineRule, EachFormsBestModelIsItsFirstInTheRankingAndTheAverageIsTheirWeightedMean) {
  const auto j = to_json(estimate_all(testing::mse_table("kosovo_4list.csv"), lean()));
  const auto& averaged = j["methods"]["loglinear_heterogeneity_averaged"];
  ASSERT_TRUE(averaged.contains("forms"));
  const auto& best = averaged["forms"]["best"];
  ASSERT_EQ(best.size(), 4u);  // none, Poisson2, Darroch, Gamma3.5
  // The first model of each form in the ranking (the weights list is in the search's order).
  std::map<std::string, nlohmann::ordered_json> first;
  for (const auto& w : averaged["weights"]) first.emplace(form_of(w["model"].get<std::string>()), w);
  double total = 0, sum = 0, among = 0;
  for (const auto& f : best) {
    const std::string form = f["heterogeneity"].get<std::string>();
    ASSERT_TRUE(first.contains(form)) << form;
    EXPECT_EQ(f["model"], first[form]["model"]) << form;
    EXPECT_EQ(f["estimate"], first[form]["estimate"]) << form;
    total += f["weight"].get<double>();
    sum += f["weight"].get<double>() * f["estimate"].get<double>();
    among += f["weight_among_forms"].get<double>();
  }
  EXPECT_NEAR(among, 1.0, 1e-12);
  EXPECT_NEAR(averaged["forms"]["average"].get<double>(), sum / total, 1e-6 * sum / total);
  // The plain form's best is the published minimum-BIC model (Ball et al. 2002).
  EXPECT_EQ(best[0]["model"], "[123,14,34]");
}

TEST(HeadlineRule, APlainSearchHasOneFormAndNoFormAverage) {
  auto o = lean();
  o.heterogeneity = {};
  o.method = Method::LogLinear;
  o.headline_only = false;
  const auto j = to_json(estimate_all(testing::mse_table("kosovo_4list.csv"), o));
  ASSERT_TRUE(j["methods"].contains("loglinear_averaged"));
  EXPECT_FALSE(j["methods"]["loglinear_averaged"].contains("forms"));
}

TEST(HeadlineRule, OnThePublishedDenseTablesTheHeadlineStaysInsideThePublishedIntervals) {
  // auto's estimate on a dense table averages the forms' best models; on each published table
  // with a published interval (../shared/data/README.md) it must stay inside it.
  struct Published {
    const char* table;
    double low, high;
  };
  for (const Published& p : {Published{"kosovo_4list.csv", 8994, 12110},  // Ball et al. (2002)
                             Published{"korea_palembang_3list.csv", 131, 248},  // Silverman, Chan & Vincent (2024)
                             Published{"spina_bifida_3list.csv", 706, 758},     // Overstall & King (2014)
                             Published{"scotpwid_4list.csv", 24900, 38700}}) {  // King et al. (2013)
    const auto r = estimate_all(testing::mse_table(p.table), lean());
    EXPECT_EQ(r.headline, "loglinear_forms_averaged") << p.table;
    EXPECT_GE(r.estimate, p.low) << p.table;
    EXPECT_LE(r.estimate, p.high) << p.table;
    EXPECT_GE(r.estimate, r.interval.low) << p.table;
    EXPECT_LE(r.estimate, r.interval.high) << p.table;
  }
  // The published figures themselves, by name: Kosovo's minimum-BIC model (--method loglinear).
  auto o = lean();
  o.method = Method::LogLinear;
  o.headline_only = false;
  const auto kosovo = estimate_all(testing::mse_table("kosovo_4list.csv"), o);
  EXPECT_EQ(kosovo.headline, "loglinear");
  EXPECT_NEAR(kosovo.estimate, 10356.5, 0.05);
}

TEST(HeadlineRule, ThePublishedFiguresStayInsideAutosInterval) {
  // auto's interval on a dense table is the tail-area average over the whole heterogeneity
  // search, not over the forms' four best models whose average is the estimate (issue 11: that
  // interval was measured and not adopted, docs/estimation.md "The interval on dense tables").
  // Each published figure (../shared/data/README.md) must stay inside it, Kosovo's by name.
  struct Published {
    const char* table;
    double figure;
  };
  for (const Published& p : {Published{"kosovo_4list.csv", 10356.5},          // Ball et al. (2002)
                             Published{"uk2013_4list.csv", 11015},             // Silverman (2014)
                             Published{"korea_palembang_3list.csv", 137},      // Ball, Shin & Yang (2018)
                             Published{"spina_bifida_3list.csv", 727},         // Overstall & King (2014)
                             Published{"scotpwid_4list.csv", 31700}}) {        // King et al. (2013)
    const auto r = estimate_all(testing::mse_table(p.table), lean());
    EXPECT_EQ(r.headline, "loglinear_forms_averaged") << p.table;
    EXPECT_EQ(r.interval_method, "loglinear_mata") << p.table;
    EXPECT_LE(r.interval.low, p.figure) << p.table;
    EXPECT_GE(r.interval.high, p.figure) << p.table;
  }
}

TEST(HeadlineRule, ASparseTableKeepsTheChosenModel) {
  // New Orleans (17 of 31 cells empty): the published main-effects model, 1,034, stays auto's
  // estimate (Chan, Silverman & Vincent 2021); the forms' average (about 2,800) would leave
  // the published interval (589-1,703). That is the selection rule's estimate; auto's headline on
  // a sparse table is the shrinkage interval unless --sparse-default selection (sparse_rule_test).
  auto o = lean();
  o.sparse_shrinkage = false;
  const auto r = estimate_all(testing::mse_table("neworleans_5list.csv"), o);
  EXPECT_EQ(r.headline, "loglinear_heterogeneity");
  EXPECT_NEAR(r.estimate, 1034, 0.5);
}

}  // namespace
}  // namespace joindots::estimate
