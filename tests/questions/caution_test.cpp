// The cautions said at the headline: each condition on its own, only the standing one (the
// assumption the lists cannot test) when all agree, and none without an estimate.
#include "questions/caution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "estimate/chapman.hpp"
#include "simulate/truth_reader.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots::questions {

namespace {

FourAnswers agreeing() {
  FourAnswers a;
  a.victims.estimate = 6450;
  a.victims.interval = {6100, 6900, 0.95, "test"};
  a.victims_detail.headline = "loglinear_heterogeneity";
  a.victims_detail.methods = {{"loglinear_heterogeneity", 6450, {6100, 6900, 0.95, "profile"}, {}},
                              {"lcmcr", 6300, {5900, 6700, 0.95, "posterior"}, {}}};
  return a;
}

bool is_standing(const std::string& caution) {
  return caution.starts_with("Assumed, and not testable from these lists");
}

/// The cautions said because of what this run found: all but the standing one, which comes
/// last.
std::vector<std::string> triggered(const FourAnswers& a) {
  auto c = headline_cautions(a);
  EXPECT_FALSE(c.empty());
  if (c.empty()) return c;
  EXPECT_TRUE(is_standing(c.back())) << c.back();
  c.pop_back();
  for (const auto& s : c) EXPECT_FALSE(is_standing(s)) << s;
  return c;
}

}  // namespace

TEST(Caution, OnlyTheStandingOneWhenMethodsLinkageAndThresholdAgree) {
  auto a = agreeing();
  a.threshold_curve = {{0.3, 100, 6400, {}}, {0.5, 100, 6450, {}}, {0.8, 100, 6600, {}}};
  const auto c = headline_cautions(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(is_standing(c[0])) << c[0];
}

TEST(Caution, TheStandingOneNamesTheBehaviouralResponseWithTheStudysFiguresAndNeedsAnEstimate) {
  auto a = agreeing();
  const auto c = headline_cautions(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("being recorded by one agency does not in itself change a child's chance of being recorded "
                      "by another"),
            std::string::npos)
      << c[0];
  EXPECT_NE(c[0].find("a model that fits well"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("25–40% too low"), std::string::npos) << c[0];
  // And the form of unequal visibility, with the default country's figures (issue 11).
  EXPECT_NE(c[0].find("Nor can they test the form in which children's chances of being recorded differ"),
            std::string::npos)
      << c[0];
  EXPECT_NE(c[0].find("6–11% too low"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("about 4% too low at 5,000 children and 10% at 450,000"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("from 100,000 children up their intervals missed the truth one time in three"), std::string::npos)
      << c[0];
  EXPECT_NE(c[0].find("42–72% too high"), std::string::npos) << c[0];
  // No estimate (nothing known, or too sparse): no headline to caution.
  a.victims.estimate = std::nan("");
  EXPECT_TRUE(headline_cautions(a).empty());
  a.victims.estimate = 0;
  EXPECT_TRUE(headline_cautions(a).empty());
}

TEST(Caution, MethodsWhoseIntervalsDoNotOverlapAreNamedWithTheSpan) {
  auto a = agreeing();
  a.victims_detail.methods[1] = {"lcmcr", 5160, {4900, 5400, 0.95, "posterior"}, {}};
  a.victims_detail.notes = {"loglinear_heterogeneity: the chosen model [12,3]+Darroch fits poorly (p = 0.001)"};
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("lcmcr gives 5,200 (4,900–5,400)"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("trust the headline's interval less"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("its model fits the lists poorly"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("anywhere from 4,900 to 6,900"), std::string::npos) << c[0];
  // A poor fit of another method's model is not the headline's.
  a.victims_detail.notes = {"loglinear: the chosen model [12,3] fits poorly (p = 0.001)"};
  EXPECT_EQ(triggered(a)[0].find("fits the lists poorly"), std::string::npos);
}

TEST(Caution, LinkageAndThresholdThatMoveTheAnswer) {
  auto a = agreeing();
  LinkageUncertainty u;
  u.model_estimate = 6800;
  u.combined.estimate = 6450;  // the correction moved it by -5%
  u.combined.linkage_share = 0.1;
  a.linkage = u;
  a.threshold_curve = {{0.3, 100, 6000, {}}, {0.5, 100, 6450, {}}, {0.8, 100, 7000, {}}};
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_NE(c[0].find("trust the uncorrected 6,800 less"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("missed match"), std::string::npos) << c[0];
  EXPECT_NE(c[1].find("6,000 at 0.3 against 7,000 at 0.8"), std::string::npos) << c[1];
  // A small move and share: nothing said about linkage.
  a.linkage->combined.estimate = 6700;
  a.threshold_curve.clear();
  EXPECT_TRUE(triggered(a).empty());
}

TEST(Caution, BlockingThatLeavesManyLikelyMatchesApartIsSaid) {
  auto a = agreeing();
  LinkageUncertainty u;
  u.model_estimate = 6450;
  u.combined.estimate = 6450;
  u.unseen_links.split_sample = 525;
  u.unseen_links.split_apart = 21;  // 4.0%, as on the independent country with linkage F1 0.82
  a.linkage = u;
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("left 4.0% of the likely matches in a random sample of record pairs (21 of 525)"),
            std::string::npos)
      << c[0];
  EXPECT_NE(c[0].find("likely too high"), std::string::npos) << c[0];
  // 1.8%, the most a sound link of the simulator's left apart: nothing said; nor on a sample too small.
  a.linkage->unseen_links.split_apart = 18;
  a.linkage->unseen_links.split_sample = 1000;
  EXPECT_TRUE(triggered(a).empty());
  a.linkage->unseen_links.split_apart = 9;
  a.linkage->unseen_links.split_sample = 90;
  EXPECT_TRUE(triggered(a).empty());
}

TEST(Caution, ManyMatchesLeftApartByTheLatentClassModelAreSaid) {
  auto a = agreeing();
  LinkageUncertainty u;
  u.model_estimate = 6450;
  u.combined.estimate = 6450;
  u.unseen_links.source = "latent_class";
  u.unseen_links.applied = true;
  u.unseen_links.missed_rate = 0.06;  // as on the independent generator's corrupt_mild countries
  u.unseen_links.effect = -0.07;
  a.linkage = u;
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("implies that 6.0% of the matches there are in two persons"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("corrected for them (-7.0%)"), std::string::npos) << c[0];
  // 3%, about the most sound links leave: nothing said; nor when the correction was not applied.
  a.linkage->unseen_links.missed_rate = 0.03;
  EXPECT_TRUE(triggered(a).empty());
  a.linkage->unseen_links.missed_rate = 0.06;
  a.linkage->unseen_links.applied = false;
  EXPECT_TRUE(triggered(a).empty());
}

TEST(Caution, SavedPairsThatDoNotRecreateTheLinksPersonsAreSaidAsAShare) {
  auto a = agreeing();
  LinkageUncertainty u;
  u.model_estimate = 6450;
  u.combined.estimate = 6450;
  u.link_persons = 1874;
  u.recluster_persons = 1893;  // 1.0% more: rounded to two figures both would read 1,900
  u.reproduces_link = false;
  a.linkage = u;
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("do not re-create its persons (re-clustered, they make 1.0% more persons"), std::string::npos)
      << c[0];
  EXPECT_EQ(c[0].find("1,900"), std::string::npos) << c[0];
  a.linkage->recluster_persons = 1800;
  EXPECT_NE(triggered(a)[0].find("make 3.9% fewer persons"), std::string::npos) << triggered(a)[0];
}

TEST(Caution, TheLinksWarningsAreSaidInWordsOnceEachBeforeTheStandingOne) {
  auto a = agreeing();
  auto c = headline_cautions(a, {"low_blocking_recall", "match_share", "low_blocking_recall", "new_code"});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(is_standing(c.back()));
  EXPECT_NE(c[0].find("The link that made these persons warned: its blocking rules leave some true pairs never "
                      "compared; it linked far more or fewer pairs than its model expects; new_code."),
            std::string::npos)
      << c[0];
  EXPECT_EQ(c[0].find("compared; its blocking"), std::string::npos) << "each warning once: " << c[0];
  EXPECT_EQ(headline_cautions(a, {}).size(), 1u);
  a.victims.estimate = std::nan("");  // no estimate: nothing to trust less
  for (const auto& s : headline_cautions(a, {"em_not_converged"})) EXPECT_EQ(s.find("warned"), std::string::npos);
}

TEST(Caution, LcmcrWithMoreThanOneModeIsSaidWhetherHeadlineOrNot) {
  auto a = agreeing();
  auto& lcmcr = a.victims_detail.methods[1].details;
  lcmcr["multimodal"] = false;
  EXPECT_TRUE(triggered(a).empty());
  lcmcr["multimodal"] = true;
  lcmcr["chain_summaries"]["disagreement"] = {{"half", {{"median", 33244.0}}}, {"outside", {{"median", 19886.0}}}};
  auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("LCMCR's posterior has more than one mode (its chains settle near 20,000 and "
                      "near 33,000)"),
            std::string::npos)
      << c[0];
  EXPECT_NE(c[0].find("more chains, a longer burn-in"), std::string::npos) << c[0];
  a.victims_detail.headline = "lcmcr";
  c = triggered(a);
  ASSERT_FALSE(c.empty());
  EXPECT_NE(c.back().find("The headline comes from LCMCR, whose posterior has more than one mode"), std::string::npos)
      << c.back();
}

TEST(Caution, AModelThatFitsPoorlyIsSaidWithTheFormsThatFitAboutAsBadly) {
  auto a = agreeing();
  estimate::LackOfFit f;
  f.deviance = 50.5;
  f.df = 17;
  f.c_hat = 50.5 / 17;
  a.victims_detail.lack_of_fit = f;
  estimate::MethodEstimate mata{"loglinear_mata", 6450, {6000, 7600, 0.95, "quasi"}, {}};
  mata.details["forms_about_as_bad"] = {{{"heterogeneity", "Darroch"}, {"estimate", 6450.0}},
                                        {{"heterogeneity", "Gamma3.5"}, {"estimate", 7480.0}}};
  a.victims_detail.methods.push_back(mata);
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("fit the lists poorly (the deviance is 3.0 times"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("give from 6,500 to 7,500"), std::string::npos) << c[0];
  // Forms that agree: the lack of fit alone.
  a.victims_detail.methods.back().details["forms_about_as_bad"][1]["estimate"] = 6500.0;
  EXPECT_EQ(triggered(a)[0].find("give from"), std::string::npos);
  EXPECT_EQ(triggered(a)[0].find("groups of children"), std::string::npos);
  // A latent-class form fitting clearly better (c-hat 1.1 against 3.0): the likely cause, and its figure.
  a.victims_detail.methods.back().details["forms_about_as_bad"].push_back(
      {{"heterogeneity", "latent_class"}, {"model", "3 latent classes"}, {"estimate", 11840.0}, {"c_hat", 1.1}});
  auto g = triggered(a);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_NE(g[0].find("A model of groups of children each seen by different lists fits the lists better (deviance "
                      "1.1 times, against 3.0) and gives 12,000"),
            std::string::npos)
      << g[0];
  EXPECT_NE(g[0].find("give from 6,500 to 12,000"), std::string::npos) << g[0];
  // A logit-normal form fitting better still (c-hat 1.0): its sentence instead, the range with its figure.
  a.victims_detail.methods.back().details["forms_about_as_bad"].push_back({{"heterogeneity", "logit_normal"},
                                                                           {"model", "[12,13]+logit-normal (sd 1.50)"},
                                                                           {"estimate", 13100.0},
                                                                           {"c_hat", 1.0}});
  g = triggered(a);
  EXPECT_NE(g[0].find("A model in which the most visible children are on nearly every list and the least on none "
                      "fits the lists better (deviance 1.0 times, against 3.0) and gives 13,000: the total then rests "
                      "on how many children almost no list records"),
            std::string::npos)
      << g[0];
  EXPECT_EQ(g[0].find("groups of children"), std::string::npos) << g[0];
  EXPECT_NE(g[0].find("give from 6,500 to 13,000"), std::string::npos) << g[0];
  a.victims_detail.methods.back().details["forms_about_as_bad"].erase(3);
  // About as good a fit as the chosen model's: no such sentence.
  a.victims_detail.methods.back().details["forms_about_as_bad"][2]["c_hat"] = 2.7;
  EXPECT_EQ(triggered(a)[0].find("groups of children"), std::string::npos);
  a.victims_detail.lack_of_fit.reset();
  EXPECT_TRUE(triggered(a).empty());
}

TEST(Caution, ALogitNormalModelThatBicPrefersIsSaidWhereTheChosenModelFits) {
  auto a = agreeing();
  estimate::MethodEstimate mata{"loglinear_mata", 6450, {6100, 6950, 0.95, "widened"}, {}};
  mata.details["logit_normal_preferred"] = {
      {{"model", "[1,2,3,4,5]+logit-normal (sd 1.20)"}, {"estimate", 6950.0}, {"bic", 210.0}, {"chosen_bic", 220.0}}};
  a.victims_detail.methods.push_back(mata);
  auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("fits the lists better by the selection's own measure (BIC) and gives a total 8% above the "
                      "headline's"),
            std::string::npos)
      << c[0];
  // Inside the interval before the rule (it made no end): nothing to say.
  a.victims_detail.methods.back().details["logit_normal_preferred"][0]["outside_interval"] = false;
  EXPECT_TRUE(triggered(a).empty());
  a.victims_detail.methods.back().details["logit_normal_preferred"][0]["outside_interval"] = true;
  // Within 3% of the headline: nothing to say.
  a.victims_detail.methods.back().details["logit_normal_preferred"][0]["estimate"] = 6600.0;
  EXPECT_TRUE(triggered(a).empty());
  // Under lack of fit the lack-of-fit caution speaks instead (the rule does not apply there).
  a.victims_detail.methods.back().details["logit_normal_preferred"][0]["estimate"] = 6950.0;
  estimate::LackOfFit f;
  f.deviance = 40;
  f.df = 10;
  f.c_hat = 4;
  a.victims_detail.lack_of_fit = f;
  c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].find("by the selection's own measure"), std::string::npos) << c[0];
}

TEST(Caution, AnotherFormThatFitsAsCloselyIsSaidWhereTheChosenModelFits) {
  auto a = agreeing();
  estimate::MethodEstimate mata{"loglinear_mata", 6450, {6100, 7400, 0.95, "widened"}, {}};
  mata.details["forms_fitting_as_closely"] = {{{"heterogeneity", "Gamma3.5"},
                                               {"model", "[12,13,24]+Gamma3.5"},
                                               {"estimate", 7400.0},
                                               {"deviance", 9.0},
                                               {"df", 15},
                                               {"chosen_deviance", 12.0},
                                               {"chosen_df", 17}},
                                              {{"heterogeneity", "none"},
                                               {"model", "[12,13,14,24]"},
                                               {"estimate", 6300.0},
                                               {"deviance", 10.0},
                                               {"df", 16},
                                               {"chosen_deviance", 12.0},
                                               {"chosen_df", 17}}};
  a.victims_detail.methods.push_back(mata);
  auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  // The farthest of the forms is named, with its figure against the headline method's (6,450).
  EXPECT_NE(c[0].find("Another form of unequal visibility (Gamma3.5) fits the lists as closely as the chosen model "
                      "and gives a total 15% above the headline's"),
            std::string::npos)
      << c[0];
  // With --db the answer is corrected after the models ran (here to 5,900 for links left apart):
  // the form is compared with the method's own figure on the same table, not the corrected one.
  a.victims.estimate = 5900;
  c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("a total 15% above"), std::string::npos) << c[0];
  a.victims.estimate = 6450;
  // A form that lay inside the interval before the rule made no end: nothing to say.
  a.victims_detail.methods.back().details["forms_fitting_as_closely"][0]["outside_interval"] = false;
  EXPECT_TRUE(triggered(a).empty());
  a.victims_detail.methods.back().details["forms_fitting_as_closely"][0]["outside_interval"] = true;
  // Within 3% of the headline: nothing to say.
  a.victims_detail.methods.back().details["forms_fitting_as_closely"][0]["estimate"] = 6600.0;
  EXPECT_TRUE(triggered(a).empty());
  // Under lack of fit the lack-of-fit caution speaks instead (the rule does not apply there).
  a.victims_detail.methods.back().details["forms_fitting_as_closely"][0]["estimate"] = 7400.0;
  estimate::LackOfFit f;
  f.deviance = 40;
  f.df = 10;
  f.c_hat = 4;
  a.victims_detail.lack_of_fit = f;
  c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].find("Another form of unequal visibility"), std::string::npos) << c[0];
}

TEST(Caution, TwoListsSayWhatTheirIntervalLeavesOut) {
  auto a = agreeing();
  a.victims_detail.headline = "chapman";
  a.lists = {"police", "children_services", "health"};
  for (const auto& c : triggered(a)) EXPECT_EQ(c.find("Only two lists"), std::string::npos) << c;
  a.lists = {"police", "children_services"};
  const auto c = triggered(a);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].starts_with("Only two lists")) << c[0];
  EXPECT_NE(c[0].find("two lists cannot test either"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find(estimate::kTwoListsMeasured), std::string::npos) << c[0];
  a.victims.estimate = NAN;
  EXPECT_TRUE(headline_cautions(a).empty());
}

// The measured sentence the two-list caution carries, re-measured: every pair of the simulated
// country's source types, linked perfectly (the truth's person of each victim record), through
// Chapman, against the true number of victims. The country's most visible children are on
// nearly every list, so two lists see the same children and most pairs fall far below.
TEST(Caution, TwoListsOfTheSimulatedCountryAreMostlyFarBelowTheTruth) {
  testing::TempDir dir;
  const auto country = testing::simulate_default_country(dir / "country", 0.3, 29);
  const auto truth = read_simulated_truth(country);
  ASSERT_GT(truth.victims, 500);

  // The first four columns of an agency file: record_id, source_type, source_org, role.
  std::map<std::string, std::set<std::string>> persons_of_type;
  for (const auto& f : std::filesystem::directory_iterator(country / "agencies")) {
    std::ifstream in(f.path());
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<std::string> col;
      std::size_t start = 0;
      for (int i = 0; i < 4; ++i) {
        const auto end = line.find(',', start);
        col.push_back(line.substr(start, end - start));
        start = end + 1;
      }
      if (col[3] != "victim") continue;
      const auto it = truth.person_of.find({col[2], col[0]});
      ASSERT_NE(it, truth.person_of.end()) << f.path() << ": " << col[0];
      persons_of_type[col[1]].insert(it->second);
    }
  }
  ASSERT_GE(persons_of_type.size(), 4u);
  std::vector<double> bias;
  for (auto i = persons_of_type.begin(); i != persons_of_type.end(); ++i)
    for (auto j = std::next(i); j != persons_of_type.end(); ++j) {
      std::int64_t both = 0;
      for (const auto& p : i->second) both += j->second.count(p);
      if (both < 7) continue;  // Chapman's figure is flagged weak there
      const auto r = estimate::chapman(static_cast<std::int64_t>(i->second.size()),
                                       static_cast<std::int64_t>(j->second.size()), both);
      bias.push_back(r.estimate / static_cast<double>(truth.victims) - 1);
      std::printf("%s x %s: %lld, %lld, both %lld: %.0f (%.0f-%.0f) against %lld: %+.1f%%\n", i->first.c_str(),
                  j->first.c_str(), static_cast<long long>(i->second.size()), static_cast<long long>(j->second.size()),
                  static_cast<long long>(both), r.estimate, r.interval.low, r.interval.high,
                  static_cast<long long>(truth.victims), 100 * bias.back());
    }
  ASSERT_GE(bias.size(), 6u);
  std::sort(bias.begin(), bias.end());
  const double median = bias[bias.size() / 2];
  EXPECT_GT(median, -0.75);
  EXPECT_LT(median, -0.30);
  EXPECT_LT(std::count_if(bias.begin(), bias.end(), [](double b) { return b > -0.2; }), 2);
}

TEST(Caution, Thousands) {
  EXPECT_EQ(thousands(0), "0");
  EXPECT_EQ(thousands(999.4), "999");
  EXPECT_EQ(thousands(1234567), "1,234,567");
  EXPECT_EQ(thousands(-12345), "-12,345");
}

}  // namespace joindots::questions
