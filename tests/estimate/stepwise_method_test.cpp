// `--method stepwise`: the p-value stepwise rule with its BCa interval reproduces the
// published figures of the tables in ../shared/data/mse by name.
#include "estimate/stepwise_method.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "test_support.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

EstimateOptions stepwise(double p, int replicates) {
  EstimateOptions o;
  o.method = Method::Stepwise;
  o.stepwise_p = p;
  o.bootstrap_replicates = replicates;
  return o;
}

TEST(StepwiseMethod, Uk2013AtFivePercentSelectsThePublishedModel) {
  // Silverman (2014, 2020): with threshold 0.05 the rule adds LA:NG, LA:PFNCA and NG:GO,
  // giving 11,015.
  const auto t = testing::mse_table("uk2013_4list.csv");
  const auto r = estimate_all(t, stepwise(0.05, 200));
  ASSERT_EQ(r.headline, "stepwise");
  const auto j = to_json(r)["methods"]["stepwise"];
  EXPECT_EQ(j["model"], "[12,13,24]");
  EXPECT_EQ(j["interactions"], (std::vector<std::string>{"LA:NG", "LA:PFNCA", "NG:GO"}));
  EXPECT_EQ(std::lround(r.estimate), 11015);
  EXPECT_LT(r.interval.low, r.estimate);
  EXPECT_GT(r.interval.high, r.estimate);
  EXPECT_EQ(r.interval.kind, "nonparametric bootstrap BCa, the stepwise rule re-run in every replicate");
}

TEST(StepwiseMethod, NewOrleansReproducesTheEstimateAndBcaInterval) {
  // Chan, Silverman & Vincent (2021): no interaction at 0.02, 1,034 with BCa 95% interval
  // (589, 1,703) from 1,000 replicates. Our random numbers are not R's, and the bootstrap
  // distribution is very skewed (percentile interval about 790-5,500), so each end moves by
  // about +-50 between seeds (1,000 replicates): 10% of each end is about two such spreads.
  const auto t = testing::mse_table("neworleans_5list.csv");
  const auto r = estimate_all(t, stepwise(0.02, 1000));
  const auto j = to_json(r)["methods"]["stepwise"];
  EXPECT_EQ(j["model"], "[1,2,3,4,5]");
  EXPECT_EQ(std::lround(r.estimate), 1034);
  EXPECT_NEAR(r.interval.low, 589, 0.10 * 589);
  EXPECT_NEAR(r.interval.high, 1703, 0.10 * 1703);
  EXPECT_EQ(j["bootstrap"]["failed"], 0);
}

TEST(StepwiseMethod, WithoutTheBootstrapTheProfileIntervalIsLabelledAsSuch) {
  const auto t = testing::mse_table("neworleans_5list.csv");
  const auto r = estimate_all(t, stepwise(0.02, 0));
  EXPECT_EQ(std::lround(r.estimate), 1034);
  EXPECT_EQ(r.interval.kind,
            "profile likelihood of the selected model (no bootstrap: the selection is not allowed for)");
  EXPECT_LT(r.interval.low, r.estimate);
  EXPECT_GT(r.interval.high, r.estimate);
}

TEST(StepwiseMethod, AGivenModelIsAUsageError) {
  auto o = stepwise(0.02, 0);
  o.model = LogLinearModel::parse("[12,3,4,5]", 5);
  EXPECT_THROW(estimate_all(testing::mse_table("neworleans_5list.csv"), o), UsageError);
}

TEST(StepwiseMethod, CliMethodAndThreshold) {
  if (!std::filesystem::exists(JOINDOTS_CLI)) GTEST_SKIP() << "joindots binary not built";
  const auto table = (joindots::testing::test_data_dir() / "mse" / "uk2013_4list.csv").string();
  const auto r = joindots::testing::run_cli("estimate --table '" + table +
                                            "' --method stepwise --stepwise-p 0.05 --bootstrap 100 --json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(std::lround(j["estimate"].get<double>()), 11015);
  EXPECT_EQ(j["headline_method"], "stepwise");
  EXPECT_EQ(j["methods"]["stepwise"]["threshold"], 0.05);
  const auto bad = joindots::testing::run_cli("estimate --table '" + table + "' --method stepwise --stepwise-p 2");
  EXPECT_EQ(bad.exit_code, 1);
}

}  // namespace
}  // namespace joindots::estimate
