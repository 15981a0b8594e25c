#include "estimate/model_search.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>

#include "core/error.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using testing::mse_table;

TEST(LogLinearSearch, ExhaustiveCountsWeightsAndOrder) {
  const auto t = mse_table("hiv_rome_4list.csv");
  const auto sel = select_models(t);
  EXPECT_EQ(sel.search, "exhaustive");
  EXPECT_EQ(sel.models_considered, 64u);
  EXPECT_EQ(sel.ranked.size() + sel.excluded.size() + sel.not_converged, 64u);
  double total = 0;
  for (std::size_t i = 0; i < sel.ranked.size(); ++i) {
    total += sel.ranked[i].weight;
    if (i > 0) EXPECT_LE(sel.ranked[i - 1].criterion, sel.ranked[i].criterion);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_TRUE(sel.best().has_profile);
  EXPECT_NEAR(std::accumulate(sel.ranked.begin(), sel.ranked.end(), 0.0,
                              [](double s, const RankedModel& r) { return s + r.weight * r.estimate; }),
              sel.averaged_estimate, 1e-6);
}

TEST(LogLinearSearch, WarmStartsChangeNothing) {
  // Every fit in the search equals a cold fit of the same model.
  const auto t = mse_table("lesbian_allegheny_4list.csv");
  const auto sel = select_models(t, {.profile_intervals = false});
  for (const auto& r : sel.ranked) EXPECT_NEAR(r.estimate, fit_loglinear(t, r.model).estimate, 1e-6 * r.estimate);
}

TEST(LogLinearSearch, KosovoTwoWayBicChoice) {
  // The published minimum-BIC model [123,14,34] has a three-way term, outside the two-way
  // search. Among two-way models BIC picks [12,13,14,23,34] (N^ about 14,342), which fits
  // poorly (G^2 about 39.9 on 5 df): documented in docs/estimation.md.
  const auto t = mse_table("kosovo_4list.csv");
  const auto sel = select_models(t);
  EXPECT_EQ(sel.best().model.to_string(), "[12,13,14,23,34]");
  EXPECT_NEAR(sel.best().estimate, 14342, 1);
  EXPECT_NEAR(sel.best().deviance, 39.9, 0.05);
  EXPECT_EQ(sel.best().df, 5);
}

TEST(LogLinearSearch, LesbianBicChoice) {
  // Plain log-linear BIC picks [12,14,23,24,34].
  const auto t = mse_table("lesbian_allegheny_4list.csv");
  const auto sel = select_models(t);
  EXPECT_EQ(sel.best().model.to_string(), "[12,14,23,24,34]");
}

TEST(LogLinearSearch, LesbianBicChoiceWithDarrochHeterogeneity) {
  // Rcapture's docs (closedpMS.t(lesbian, h = "Darroch")): BIC picks the interactions 12,
  // 13 and 14 for Darroch's heterogeneity model.
  const auto t = mse_table("lesbian_allegheny_4list.csv");
  for (int order : {2, 3}) {
    const auto sel = select_models(t, {.max_order = order, .heterogeneity = {Heterogeneity::Darroch}});
    EXPECT_EQ(sel.best().model.to_string(), "[12,13,14]+Darroch") << "order " << order;
  }
}

TEST(LogLinearSearch, Uk2013AicChoiceIncludesThePublishedModel) {
  const auto t = mse_table("uk2013_4list.csv");
  const auto sel = select_models(t, {.criterion = Criterion::Aic, .profile_intervals = false});
  bool found = false;
  for (const auto& r : sel.ranked)
    if (r.model.to_string() == "[12,13,24]") {
      found = true;
      EXPECT_EQ(std::lround(r.estimate), 11015);
    }
  EXPECT_TRUE(found);
}

TEST(LogLinearSearch, ArtificialTableExclusions) {
  const auto t = mse_table("artificial_3list.csv");
  const auto sel = select_models(t);
  EXPECT_EQ(sel.models_considered, 8u);
  std::map<std::string, MleStatus> excluded;
  for (const auto& e : sel.excluded) excluded[e.model.to_string()] = e.status;
  EXPECT_EQ(excluded, (std::map<std::string, MleStatus>{{"[12,13,23]", MleStatus::NotIdentifiable},
                                                        {"[12,13]", MleStatus::DoesNotExist},
                                                        {"[12,23]", MleStatus::DoesNotExist},
                                                        {"[12,3]", MleStatus::DoesNotExist}}));
  // [13,23] fits exactly by sending AC, BC and ABC to 0 (N^ 296); BIC charges its two
  // interactions though the facial set cannot estimate them (issue 13), and independence
  // (N^ 539, deviance 8.9 on 3 df) edges it by 0.26.
  EXPECT_EQ(sel.best().model.to_string(), "[1,2,3]");
  ASSERT_GE(sel.ranked.size(), 2u);
  EXPECT_EQ(sel.ranked[1].model.to_string(), "[13,23]");
  EXPECT_NEAR(sel.ranked[1].bic - sel.best().bic, 0.26, 0.01);
  EXPECT_NEAR(sel.ranked[1].estimate, 296.0, 1e-6);
}

TEST(LogLinearSearch, StepwiseBeyondSixLists) {
  // Seven lists, independent: forward stepwise BIC should stop at or near independence and
  // estimate N within its interval.
  const auto t = testing::simulate_table(20000, {0.2, 0.15, 0.25, 0.1, 0.3, 0.2, 0.12}, 7);
  const auto sel = select_models(t);
  EXPECT_EQ(sel.search, "stepwise");
  EXPECT_LT(sel.models_considered, 200u);
  EXPECT_LE(sel.best().model.interactions().size(), 2u);
  EXPECT_LT(sel.best().profile.low, 20000);
  EXPECT_GT(sel.best().profile.high, 20000);
}

TEST(LogLinearSearch, UnknownCriterionListsTheValidOnes) {
  try {
    parse_criterion("dic");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown criterion `dic`; valid: aic, bic");
  }
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(LogLinearSearch, NewOrleansStepwisePValueSelectsNoInteraction) {
  // Chan, Silverman & Vincent (2021): under their stepwise p-value selection (threshold
  // 0.02) no interaction enters, and the estimate is 1,034.
  const auto t = testing::mse_table("neworleans_5list.csv");
  const auto sel = select_stepwise_pvalue(t, 0.02);
  EXPECT_EQ(sel.best().model.to_string(), "[1,2,3,4,5]");
  EXPECT_EQ(std::lround(sel.best().estimate), 1034);
  EXPECT_TRUE(sel.best().has_profile);
}

TEST(LogLinearSearch, KosovoAllHierarchicalModelsBicPicksThePublishedModel) {
  // Ball et al. (2002) searched hierarchical models with three-way terms: among all 113 of
  // them (order <= 3) the minimum-BIC model is [123,14,34], 10,356.5 (8,994-12,110).
  const auto t = testing::mse_table("kosovo_4list.csv");
  const auto sel = select_models(t, {.criterion = Criterion::Bic, .max_order = 3});
  EXPECT_EQ(sel.models_considered, 113u);
  EXPECT_EQ(sel.best().model.to_string(), "[123,14,34]");
  EXPECT_NEAR(sel.best().estimate, 10356.5, 0.05);
  EXPECT_NEAR(sel.best().profile.low, 8994, 0.5);
  EXPECT_NEAR(sel.best().profile.high, 12110, 0.5);
  EXPECT_THROW(select_models(testing::mse_table("neworleans_5list.csv"), {.max_order = 4}), UsageError);
}

TEST(LogLinearSearch, Uk2013AicPicksThePublishedModel) {
  // Silverman's stepwise AIC selection gives main + LA:NG + LA:PFNCA + NG:GO; the exhaustive
  // AIC search agrees.
  const auto t = testing::mse_table("uk2013_4list.csv");
  const auto sel = select_models(t, {.criterion = Criterion::Aic});
  EXPECT_EQ(sel.best().model.to_string(), "[12,13,24]");
  EXPECT_EQ(sel.best().model.interaction_names(t.lists), (std::vector<std::string>{"LA:NG", "LA:PFNCA", "NG:GO"}));
  EXPECT_EQ(std::lround(sel.best().estimate), 11015);
}

}  // namespace
}  // namespace joindots::estimate

namespace joindots::estimate {
namespace {

TEST(ModelSearch, PlainPartOfTheHeterogeneitySearchEqualsThePlainSearch) {
  // The default runs the plain search once, inside the search with heterogeneity terms, and
  // takes the plain method's selection from it (issue 13): it must be what the plain search
  // gives alone, on an exhaustive (5 lists) and a stepwise (7 lists, sparse) search.
  for (const auto& t : {testing::mse_table("neworleans_5list.csv"), testing::simulate_sparse_table(200, 7, 5)}) {
    SearchOptions so;
    so.heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch};
    so.drop_negative_heterogeneity = true;
    ModelSelection plain;
    const auto all = select_models(t, so, &plain);
    const auto alone = select_models(t, {});
    EXPECT_GT(all.models_considered, plain.models_considered);
    EXPECT_EQ(plain.search, alone.search);
    EXPECT_EQ(plain.models_considered, alone.models_considered);
    EXPECT_EQ(plain.excluded.size(), alone.excluded.size());
    EXPECT_DOUBLE_EQ(plain.averaged_estimate, alone.averaged_estimate);
    ASSERT_EQ(plain.ranked.size(), alone.ranked.size());
    for (std::size_t i = 0; i < plain.ranked.size(); ++i) {
      EXPECT_EQ(plain.ranked[i].model, alone.ranked[i].model);
      EXPECT_DOUBLE_EQ(plain.ranked[i].estimate, alone.ranked[i].estimate);
      EXPECT_DOUBLE_EQ(plain.ranked[i].weight, alone.ranked[i].weight);
      EXPECT_EQ(plain.ranked[i].has_profile, alone.ranked[i].has_profile);
      if (plain.ranked[i].has_profile) {
        EXPECT_DOUBLE_EQ(plain.ranked[i].profile.low, alone.ranked[i].profile.low);
        EXPECT_DOUBLE_EQ(plain.ranked[i].profile.high, alone.ranked[i].profile.high);
      }
    }
  }
  // No plain models searched: left empty.
  ModelSelection plain;
  select_models(testing::mse_table("kosovo_4list.csv"), {.heterogeneity = {Heterogeneity::Darroch}}, &plain);
  EXPECT_TRUE(plain.empty());
}

}  // namespace
}  // namespace joindots::estimate
