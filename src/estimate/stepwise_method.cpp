#include "estimate/stepwise_method.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/progress.hpp"
#include "estimate/bootstrap.hpp"
#include "estimate/model_search.hpp"

namespace joindots::estimate {

namespace {

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
nlohmann::ordered_json pair_json(double low, double high) {
  return nlohmann::ordered_json::array({number_or_null(low), number_or_null(high)});
}

}  // namespace

MethodEstimate run_stepwise_method(const CaptureTable& table, const EstimateOptions& o) {
  MethodEstimate m;
  m.method = "stepwise";
  m.interval.level = o.level;
  const double threshold = o.stepwise_p;
  const auto sel = select_stepwise_pvalue(table, threshold, o.level);
  const std::string rule =
      fmt::format("forward stepwise by the Poisson p-value of each pair's overlap, p < {}", threshold);
  if (sel.empty()) {
    m.estimate = std::numeric_limits<double>::quiet_NaN();
    m.interval.kind = "none (no model)";
    m.details = {{"rule", rule},
                 {"threshold", threshold},
                 {"reason", "the main-effects model has no MLE that identifies the unobserved count"}};
    return m;
  }
  const RankedModel& b = sel.best();
  m.estimate = b.estimate;
  m.details = {{"model", b.model.to_string()},
               {"interactions", b.model.interaction_names(table.lists)},
               {"rule", rule},
               {"threshold", threshold},
               {"models_fitted", sel.ranked.size()},
               {"deviance", b.deviance},
               {"df", b.df},
               {"parameters", b.parameters},
               {"aic", b.aic},
               {"bic", b.bic},
               {"profile_interval", pair_json(b.profile.low, b.profile.high)},
               {"bootstrap", nullptr},
               {"source", "Chan, Silverman & Vincent (2021), SparseMSE's stepwisefit and estimatepopulation; Silverman "
                          "(2020); BCa: Efron (1987), DiCiccio & Efron (1996)"}};
  if (o.bootstrap_replicates < 2) {
    m.interval = {b.profile.low, b.profile.high, o.level,
                  "profile likelihood of the selected model (no bootstrap: the selection is not allowed for)"};
    return m;
  }
  // The whole rule on each replicate, without the profile interval it does not need.
  const auto rule_estimate = [threshold](const CaptureTable& t) {
    const auto s = select_stepwise_pvalue(t, threshold, 0.95, /*with_profile=*/false);
    return s.empty() ? std::numeric_limits<double>::quiet_NaN() : s.best().estimate;
  };
  Progress progress("stepwise: BCa bootstrap", "replicates", o.bootstrap_replicates, !o.progress);
  const auto bca = bca_bootstrap(table, rule_estimate, o.bootstrap_replicates, o.seed, o.level, o.threads, &progress);
  progress.finish();
  m.interval = bca.interval;
  m.interval.kind = "nonparametric bootstrap BCa, the stepwise rule re-run in every replicate";
  std::vector<double> sorted = bca.estimates;
  std::sort(sorted.begin(), sorted.end());
  const double a = (1.0 - o.level) / 2.0;
  m.details["bootstrap"] = {
      {"interval", pair_json(bca.interval.low, bca.interval.high)},
      {"kind", m.interval.kind},
      {"percentile_interval", pair_json(quantile_sorted(sorted, a), quantile_sorted(sorted, 1 - a))},
      {"bias_correction_z0", bca.z0},
      {"acceleration", bca.acceleration},
      {"replicates", bca.replicates},
      {"failed", bca.failed},
      {"seed", o.seed}};
  return m;
}

}  // namespace joindots::estimate
