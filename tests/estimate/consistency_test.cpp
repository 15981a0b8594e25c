// The headline and its interval come from one set of models, and every interval is labelled
// as what it is (issue 13): adversarial tables built to break that.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "estimate/estimate.hpp"
#include "estimate/model_search.hpp"
#include "test_support.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

EstimateOptions no_lcmcr_run(int bootstrap) {
  EstimateOptions o;
  o.bootstrap_replicates = bootstrap;
  o.headline_only = true;
  return o;
}

// Six lists that exclude one another, about 8,000 people observed: BIC's best model
// over the plain and heterogeneity models is a Poisson2 model whose coefficient is negative
// (fewer people on several lists than independence gives). That model used to be the
// headline while the tail-area interval left it out, so the headline sat at the interval's
// clamped lower end.
TEST(EstimateConsistency, TheHeadlineComesFromTheModelsOfItsIntervalAndLiesInside) {
  const auto t = testing::simulate_exclusive_table(20000, {0.25, 0.2, 0.3, 0.15, 0.2, 0.25}, 5, 0.6);
  // The adversarial premise: with negative heterogeneity allowed, BIC prefers it.
  SearchOptions so;
  so.heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35};
  so.profile_intervals = false;
  const auto all = select_models(t, so);
  ASSERT_TRUE(negative_heterogeneity(fit_loglinear(t, all.best().model))) << all.best().model.to_string();

  const auto r = estimate_all(t, no_lcmcr_run(0));
  // A dense table: the estimate averages the best model of each form, the chosen one first.
  ASSERT_EQ(r.headline, "loglinear_forms_averaged");
  const auto j = to_json(r);
  const auto& llh = j["methods"]["loglinear_heterogeneity"];
  const auto& mata = j["methods"]["loglinear_mata"];
  EXPECT_EQ(j["interval_method"], "loglinear_mata");
  EXPECT_EQ(j["methods"]["loglinear_forms_averaged"]["forms"][0]["model"], llh["model"]);
  EXPECT_GT(llh["estimate"].get<double>(), r.interval.low);
  EXPECT_LT(llh["estimate"].get<double>(), r.interval.high);
  EXPECT_FALSE(negative_heterogeneity(fit_loglinear(t, LogLinearModel::parse(llh["model"].get<std::string>(), 6))));
  EXPECT_EQ(mata["chosen_model"], llh["model"]);  // the estimate's model is averaged
  EXPECT_GT(r.estimate, r.interval.low);          // strictly: no clamping onto an end
  EXPECT_LT(r.estimate, r.interval.high);
  EXPECT_GT(mata["weight_kept"].get<double>(), 0.5);  // the interval rests on the weight, not on a sliver
  EXPECT_GT(llh["models_excluded"].get<int>(), 0);    // the negative models are listed as left out, with why
  bool negative_listed = false;
  for (const auto& e : llh["excluded"]) negative_listed |= e["status"] == "negative heterogeneity";
  EXPECT_TRUE(negative_listed);
}

TEST(EstimateConsistency, WithoutTheBootstrapTheAverageHasNoIntervalRatherThanAnothers) {
  const auto t = testing::mse_table("uk2013_4list.csv");
  EstimateOptions o;
  o.method = Method::LogLinear;
  o.bootstrap_replicates = 0;
  const auto r = estimate_all(t, o);
  const auto j = to_json(r);
  const auto& av = j["methods"]["loglinear_averaged"];
  EXPECT_TRUE(av["interval"][0].is_null());
  EXPECT_TRUE(av["interval"][1].is_null());
  EXPECT_EQ(av["interval_kind"], "none (no bootstrap: --bootstrap 0)");
  // The chosen model keeps its own profile interval, labelled so.
  const auto& ll = j["methods"]["loglinear"];
  EXPECT_TRUE(ll["interval"][0].is_number());
  EXPECT_EQ(ll["interval_kind"], "profile likelihood (Cormack 1992)");
  EXPECT_EQ(j["interval_kind"], "profile likelihood (Cormack 1992)");
}

TEST(EstimateConsistency, EveryMethodsIntervalKindIsItsOwn) {
  const auto t = testing::mse_table("uk2013_4list.csv");
  EstimateOptions o;
  o.method = Method::All;
  o.bootstrap_replicates = 50;
  o.lcmcr.chains = 2;
  o.lcmcr.burn_in = 200;
  o.lcmcr.samples = 300;
  o.bayes.draws_per_model = 200;
  const auto r = estimate_all(t, o);
  for (const auto& m : r.methods) {
    SCOPED_TRACE(m.method);
    EXPECT_FALSE(m.interval.kind.empty());
    EXPECT_EQ(to_json(r)["methods"][m.method]["interval_kind"], m.interval.kind);
  }
  EXPECT_EQ(to_json(r)["methods"]["loglinear_averaged"]["interval_kind"],
            "parametric bootstrap percentile of the model-averaged estimate");
}

bool have_cli() { return std::filesystem::exists(JOINDOTS_CLI); }

TEST(EstimateConsistency, CliTextNamesNoBootstrapIntervalWithoutTheBootstrap) {
  if (!have_cli()) GTEST_SKIP() << "joindots binary not built";
  const auto table = (joindots::testing::test_data_dir() / "mse" / "korea_palembang_3list.csv").string();
  const auto r = joindots::testing::run_cli("estimate --table '" + table +
                                            "' --method loglinear --bootstrap 0 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("bootstrap interval"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no interval"), std::string::npos) << r.out;      // the average's row
  EXPECT_NE(r.out.find("interval   profile likelihood"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace joindots::estimate
