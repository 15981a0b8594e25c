// The estimate methods' details read into types: on the estimate stage's own output (every
// method of `all` on a published table, Chapman on two lists), each typed form carries the
// figures the details hold, and to_json -> from_json -> to_json gives the same JSON.
#include "questions/method_details.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "estimate/estimate.hpp"
#include "questions/four_questions.hpp"
#include "../estimate/test_tables.hpp"

namespace joindots::questions {

namespace {

estimate::EstimateResult all_methods() {
  estimate::EstimateOptions o;
  o.method = estimate::Method::All;
  o.bootstrap_replicates = 60;
  o.lcmcr.chains = 2;
  o.lcmcr.burn_in = 300;
  o.lcmcr.samples = 400;
  o.bayes.draws_per_model = 50;
  return estimate::estimate_all(estimate::testing::mse_table("uk2013_4list.csv"), o);
}

const estimate::MethodEstimate& method(const estimate::EstimateResult& r, const std::string& name) {
  for (const auto& m : r.methods)
    if (m.method == name) return m;
  throw std::runtime_error("no method " + name);
}

/// to_json -> from_json -> to_json gives the same text.
template <typename Details>
void expect_round_trip(const estimate::MethodEstimate& m) {
  const auto once = Details::from_json(m.details).to_json();
  EXPECT_EQ(Details::from_json(once).to_json().dump(), once.dump()) << m.method;
}

}  // namespace

TEST(MethodDetails, EveryMethodOfAllReadsIntoItsTypeAndRoundTrips) {
  const auto r = all_methods();
  const auto& plain = method(r, "loglinear");
  const auto ll = LogLinearDetails::from_json(plain.details);
  ASSERT_TRUE(ll.fitted);
  EXPECT_EQ(ll.model, plain.details["model"].get<std::string>());
  EXPECT_EQ(ll.df, plain.details["df"].get<int>());
  EXPECT_DOUBLE_EQ(ll.deviance, plain.details["deviance"].get<double>());
  EXPECT_EQ(ll.top_models.size(), plain.details["top_models"].size());
  EXPECT_EQ(ll.top_models.front().model, ll.model);
  ASSERT_TRUE(ll.bootstrap);
  EXPECT_EQ(ll.bootstrap->replicates + ll.bootstrap->failed, 60);
  std::int64_t chosen = 0;
  for (const auto& [model, count] : ll.bootstrap->models_chosen) chosen += count;
  EXPECT_EQ(chosen, ll.bootstrap->replicates);
  EXPECT_EQ(ll.interval_kind, plain.interval.kind);
  EXPECT_FALSE(method_source(plain).empty());
  expect_round_trip<LogLinearDetails>(plain);
  expect_round_trip<LogLinearDetails>(method(r, "loglinear_heterogeneity"));

  const auto& averaged = method(r, "loglinear_averaged");
  const auto av = AveragedDetails::from_json(averaged.details);
  EXPECT_EQ(av.models_averaged, ll.models_valid);
  double weights = 0;
  for (const auto& w : av.weights) weights += w.weight;
  EXPECT_LE(weights, 1 + 1e-9);
  expect_round_trip<AveragedDetails>(averaged);

  const auto mata = MataDetails::from_json(method(r, "loglinear_mata").details);
  EXPECT_GE(mata.weight_with_heterogeneity, 0.0);
  EXPECT_LE(mata.weight_with_heterogeneity, 1.0);
  expect_round_trip<MataDetails>(method(r, "loglinear_mata"));

  const auto lcmcr = LcmcrDetails::from_json(method(r, "lcmcr").details);
  EXPECT_EQ(lcmcr.chains, 2);
  EXPECT_EQ(lcmcr.burn_in, 300);
  EXPECT_EQ(lcmcr.samples_per_chain, 400);
  expect_round_trip<LcmcrDetails>(method(r, "lcmcr"));

  const auto stepwise = StepwiseDetails::from_json(method(r, "stepwise").details);
  EXPECT_FALSE(stepwise.rule.empty());
  expect_round_trip<StepwiseDetails>(method(r, "stepwise"));

  const auto bayes = BayesLogLinearDetails::from_json(method(r, "bayes_loglinear").details);
  EXPECT_GT(bayes.models_in_space, 0);
  ASSERT_FALSE(bayes.top_models.empty());
  EXPECT_GT(bayes.top_models[0].probability, 0.0);
  expect_round_trip<BayesLogLinearDetails>(method(r, "bayes_loglinear"));
}

TEST(MethodDetails, ChapmanCarriesItsTwoListsCounts) {
  const auto t = estimate::CaptureTable::from_counts({"police", "health"}, {0, 80, 60, 20});
  estimate::EstimateOptions o;
  o.method = estimate::Method::Chapman;
  const auto r = estimate::estimate_all(t, o);
  const auto c = ChapmanDetails::from_json(method(r, "chapman").details);
  EXPECT_EQ(c.n1, 100);  // 80 + 20
  EXPECT_EQ(c.n2, 80);   // 60 + 20
  EXPECT_EQ(c.both, 20);
  expect_round_trip<ChapmanDetails>(method(r, "chapman"));
}

TEST(MethodDetails, AKeyTheEstimateStageNoLongerWritesIsNamed) {
  const auto r = all_methods();
  auto renamed = method(r, "loglinear").details;
  renamed["dev"] = renamed["deviance"];
  renamed.erase("deviance");
  try {
    LogLinearDetails::from_json(renamed);
    FAIL() << "a missing key was read";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("'deviance'"), std::string::npos) << e.what();
  }
  auto lcmcr = method(r, "lcmcr").details;
  lcmcr.erase("rhat");
  EXPECT_THROW(LcmcrDetails::from_json(lcmcr), InternalError);
}

TEST(MethodDetails, TheEstimateResultRoundTripsThroughItsJson) {
  const auto r = all_methods();
  const auto once = estimate::to_json(r);
  const auto back = estimate_result_from_json(once);
  EXPECT_EQ(estimate::to_json(back).dump(), once.dump());
  EXPECT_EQ(back.methods.size(), r.methods.size());
  EXPECT_EQ(back.headline, r.headline);
}

}  // namespace joindots::questions
