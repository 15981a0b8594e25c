#pragma once
// Issue 11's candidates for auto's dense headline, measured beside `auto` by
// bench/coverage_study.cpp and bench/mechanism_study.cpp on the same populations.
//
// The two candidate estimates were measured here before auto took the second, the forms'
// average (fb8efe6; docs/estimation.md, "The estimate on dense tables").
//
// Interval (forms_interval): the tail-area (MATA, Fletcher & Turek 2012) interval over the
// headline's own model set, the best model of each heterogeneity form with the forms'
// weights, against today's tail-area interval over the whole search. Under lack of fit it is
// made as today's: the deviances divided by c-hat, and the interval widened to take in the
// forms that fit about as badly (estimate.cpp, take_in_forms_about_as_bad).
#include <cmath>
#include <limits>
#include <vector>

#include "estimate/estimate.hpp"
#include "estimate/loglinear.hpp"
#include "estimate/loglinear_model.hpp"
#include "estimate/model_search.hpp"

namespace joindots::bench {

// The candidate interval: where auto's headline is the forms' average
// (loglinear_forms_averaged), the tail-area interval over those forms' best models with the
// forms' weights; elsewhere auto's own interval (the rule would not change it).
// `heterogeneity_charge` below 1 re-weights the forms as today's interval weighs its models
// (run_mata): a form with a heterogeneity term is charged only that share of BIC's log(n) for it
// (0: not charged, as today's interval). The forms' weights themselves are plain BIC's (1).
inline estimate::Interval forms_interval(const estimate::CaptureTable& table, const estimate::EstimateResult& result,
                                         double heterogeneity_charge = 1.0) {
  using namespace estimate;
  if (result.headline != "loglinear_forms_averaged") return result.interval;
  const MethodEstimate* forms = nullptr;
  const MethodEstimate* mata = nullptr;
  for (const auto& m : result.methods) {
    if (m.method == "loglinear_forms_averaged") forms = &m;
    if (m.method == "loglinear_mata") mata = &m;
  }
  if (!forms) return result.interval;
  std::vector<LogLinearFit> fits;
  std::vector<double> weights;
  for (const auto& f : forms->details["forms"]) {
    auto fit = fit_loglinear(table, LogLinearModel::parse(f["model"].get<std::string>(), table.k()));
    if (!fit.ok() || negative_heterogeneity(fit)) continue;
    const double uncharged = fit.model.heterogeneity() != Heterogeneity::None
                                 ? 0.5 * (1.0 - heterogeneity_charge) * std::log(static_cast<double>(table.observed()))
                                 : 0.0;
    fits.push_back(std::move(fit));
    weights.push_back(f["weight_among_forms"].get<double>() * std::exp(uncharged));
  }
  double total = 0;
  for (double w : weights) total += w;
  std::vector<WeightedFit> wf;
  for (std::size_t i = 0; i < fits.size(); ++i) wf.push_back({&fits[i], weights[i] / total});
  if (wf.empty()) return result.interval;
  const double c_hat = result.lack_of_fit ? std::max(1.0, result.lack_of_fit->c_hat) : 1.0;
  const auto iv = mata_interval(table, wf, result.interval.level, c_hat);
  Interval out{iv.low, iv.high, result.interval.level, "tail-area interval over the forms' best models"};
  if (result.lack_of_fit) {
    const auto plain = mata_interval(table, wf, result.interval.level, 1.0);
    out.low = std::min(out.low, plain.low);
    out.high = std::max(out.high, plain.high);
    if (mata && mata->details.contains("forms_about_as_bad"))
      for (const auto& f : mata->details["forms_about_as_bad"]) {
        const double v = f["estimate"].get<double>();
        if (std::isfinite(v)) out.low = std::min(out.low, v), out.high = std::max(out.high, v);
      }
  }
  return out;
}

}  // namespace joindots::bench
