#include "questions/method_details.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"

namespace joindots::questions {

namespace {

using Json = nlohmann::ordered_json;

/// The key's value, or an InternalError naming the method and the key.
const Json& at(const Json& j, const char* method, const char* key) {
  if (!j.is_object() || !j.contains(key))
    throw InternalError(
        fmt::format("the {} method's details have no '{}' (estimate/estimate.cpp renamed it?)", method, key));
  return j.at(key);
}

double number(const Json& j) { return j.is_null() ? kNoValue : j.get<double>(); }
Json number_json(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Bounds bounds(const Json& j) {
  Bounds b;
  if (j.is_array() && j.size() == 2) b = {number(j[0]), number(j[1])};
  return b;
}
Json bounds_json(const Bounds& b) { return Json::array({number_json(b.low), number_json(b.high)}); }

std::vector<WeightedModelRow> weighted_rows(const Json& rows, const char* method) {
  std::vector<WeightedModelRow> out;
  for (const auto& r : rows)
    out.push_back({at(r, method, "model").get<std::string>(), number(at(r, method, "estimate")),
                   number(at(r, method, "weight"))});
  return out;
}
Json weighted_rows_json(const std::vector<WeightedModelRow>& rows) {
  Json out = Json::array();
  for (const auto& r : rows)
    out.push_back({{"model", r.model}, {"estimate", number_json(r.estimate)}, {"weight", number_json(r.weight)}});
  return out;
}

RankedModelRow ranked_row(const Json& r) {
  constexpr const char* m = "loglinear";
  RankedModelRow row;
  row.model = at(r, m, "model").get<std::string>();
  row.interactions = at(r, m, "interactions").get<std::vector<std::string>>();
  row.estimate = number(at(r, m, "estimate"));
  row.criterion = number(at(r, m, "criterion"));
  row.weight = number(at(r, m, "weight"));
  row.deviance = number(at(r, m, "deviance"));
  row.df = at(r, m, "df").get<int>();
  row.parameters = at(r, m, "parameters").get<int>();
  if (r.contains("interval")) row.interval = bounds(r.at("interval"));
  row.boundary_cells = r.value("boundary_cells", 0);
  return row;
}
Json ranked_row_json(const RankedModelRow& r) {
  Json j{{"model", r.model},
         {"interactions", r.interactions},
         {"estimate", number_json(r.estimate)},
         {"criterion", number_json(r.criterion)},
         {"weight", number_json(r.weight)},
         {"deviance", number_json(r.deviance)},
         {"df", r.df},
         {"parameters", r.parameters}};
  if (r.interval) j["interval"] = bounds_json(*r.interval);
  if (r.boundary_cells > 0) j["boundary_cells"] = r.boundary_cells;
  return j;
}

std::optional<BootstrapSummary> bootstrap_summary(const Json& b) {
  if (b.is_null()) return std::nullopt;
  constexpr const char* m = "loglinear bootstrap";
  BootstrapSummary s;
  s.interval = bounds(at(b, m, "interval"));
  s.kind = at(b, m, "kind").get<std::string>();
  s.median = number(at(b, m, "median"));
  s.replicates = at(b, m, "replicates").get<int>();
  s.replicates_asked = at(b, m, "replicates_asked").get<int>();
  s.failed = at(b, m, "failed").get<int>();
  s.candidates = at(b, m, "candidates").get<int>();
  for (const auto& [model, count] : at(b, m, "models_chosen").items())
    s.models_chosen.emplace_back(model, count.get<std::int64_t>());
  return s;
}
Json bootstrap_json(const std::optional<BootstrapSummary>& s) {
  if (!s) return nullptr;
  Json chosen = Json::object();
  for (const auto& [model, count] : s->models_chosen) chosen[model] = count;
  return {{"interval", bounds_json(s->interval)}, {"kind", s->kind}, {"median", number_json(s->median)},
          {"replicates", s->replicates}, {"replicates_asked", s->replicates_asked}, {"failed", s->failed},
          {"candidates", s->candidates}, {"models_chosen", chosen}};
}

}  // namespace

LogLinearDetails LogLinearDetails::from_json(const Json& d) {
  constexpr const char* m = "loglinear";
  LogLinearDetails o;
  for (const auto& e : at(d, m, "excluded"))
    o.excluded.push_back({at(e, m, "model").get<std::string>(),
                          at(e, m, "interactions").get<std::vector<std::string>>(),
                          at(e, m, "status").get<std::string>(), at(e, m, "reason").get<std::string>()});
  o.excluded_total = at(d, m, "excluded_total").get<std::int64_t>();
  o.fitted = d.contains("model");
  o.interval_kind = d.value("interval_kind", "");
  if (!o.fitted) return o;
  o.model = at(d, m, "model").get<std::string>();
  o.interactions = at(d, m, "interactions").get<std::vector<std::string>>();
  o.criterion = at(d, m, "criterion").get<std::string>();
  o.criterion_value = number(at(d, m, "criterion_value"));
  o.search = at(d, m, "search").get<std::string>();
  o.max_order = at(d, m, "max_order").get<int>();
  o.models_considered = at(d, m, "models_considered").get<std::int64_t>();
  o.models_valid = at(d, m, "models_valid").get<std::int64_t>();
  o.models_excluded = at(d, m, "models_excluded").get<std::int64_t>();
  o.models_not_converged = at(d, m, "models_not_converged").get<std::int64_t>();
  o.deviance = number(at(d, m, "deviance"));
  o.df = at(d, m, "df").get<int>();
  o.gof_p_value = number(at(d, m, "gof_p_value"));
  o.parameters = at(d, m, "parameters").get<int>();
  o.aic = number(at(d, m, "aic"));
  o.bic = number(at(d, m, "bic"));
  o.weight = number(at(d, m, "weight"));
  o.boundary_cells = at(d, m, "boundary_cells").get<int>();
  o.heterogeneity = d.value("heterogeneity", "");
  o.bootstrap = bootstrap_summary(at(d, m, "bootstrap"));
  for (const auto& r : at(d, m, "top_models")) o.top_models.push_back(ranked_row(r));
  return o;
}

Json LogLinearDetails::to_json() const {
  Json excluded_json = Json::array();
  for (const auto& e : excluded)
    excluded_json.push_back(
        {{"model", e.model}, {"interactions", e.interactions}, {"status", e.status}, {"reason", e.reason}});
  if (!fitted) {
    Json j{{"excluded", excluded_json}, {"excluded_total", excluded_total}};
    if (!interval_kind.empty()) j["interval_kind"] = interval_kind;
    return j;
  }
  Json top = Json::array();
  for (const auto& r : top_models) top.push_back(ranked_row_json(r));
  Json j{{"model", model},
         {"interactions", interactions},
         {"criterion", criterion},
         {"criterion_value", number_json(criterion_value)},
         {"search", search},
         {"max_order", max_order},
         {"models_considered", models_considered},
         {"models_valid", models_valid},
         {"models_excluded", models_excluded},
         {"models_not_converged", models_not_converged},
         {"deviance", number_json(deviance)},
         {"df", df},
         {"gof_p_value", number_json(gof_p_value)},
         {"parameters", parameters},
         {"aic", number_json(aic)},
         {"bic", number_json(bic)},
         {"weight", number_json(weight)},
         {"boundary_cells", boundary_cells},
         {"bootstrap", bootstrap_json(bootstrap)},
         {"top_models", top},
         {"excluded", excluded_json},
         {"excluded_total", excluded_total}};
  if (!heterogeneity.empty()) j["heterogeneity"] = heterogeneity;
  if (!interval_kind.empty()) j["interval_kind"] = interval_kind;
  return j;
}

AveragedDetails AveragedDetails::from_json(const Json& d) {
  constexpr const char* m = "loglinear_averaged";
  return {at(d, m, "criterion").get<std::string>(), at(d, m, "models_averaged").get<std::int64_t>(),
          weighted_rows(at(d, m, "weights"), m)};
}
Json AveragedDetails::to_json() const {
  return {{"criterion", criterion}, {"models_averaged", models_averaged}, {"weights", weighted_rows_json(weights)}};
}

MataDetails MataDetails::from_json(const Json& d) {
  constexpr const char* m = "loglinear_mata";
  return {at(d, m, "models_averaged").get<std::int64_t>(), at(d, m, "weight_with_heterogeneity").get<double>(),
          weighted_rows(at(d, m, "top_models"), m)};
}
Json MataDetails::to_json() const {
  return {{"models_averaged", models_averaged},
          {"weight_with_heterogeneity", weight_with_heterogeneity},
          {"top_models", weighted_rows_json(top_models)}};
}

LcmcrDetails LcmcrDetails::from_json(const Json& d) {
  constexpr const char* m = "lcmcr";
  LcmcrDetails o;
  o.rhat = number(at(d, m, "rhat"));
  o.ess = number(at(d, m, "ess"));
  o.chains = at(d, m, "chains").get<int>();
  o.burn_in = at(d, m, "burn_in").get<int>();
  o.samples_per_chain = at(d, m, "samples_per_chain").get<int>();
  o.thin = at(d, m, "thin").get<int>();
  o.max_classes = at(d, m, "max_classes").get<int>();
  o.multimodal = at(d, m, "multimodal").get<bool>();
  return o;
}
Json LcmcrDetails::to_json() const {
  return {{"rhat", number_json(rhat)}, {"ess", number_json(ess)},   {"chains", chains},
          {"burn_in", burn_in},        {"samples_per_chain", samples_per_chain}, {"thin", thin},
          {"max_classes", max_classes}, {"multimodal", multimodal}};
}

ChapmanDetails ChapmanDetails::from_json(const Json& d) {
  constexpr const char* m = "chapman";
  return {at(d, m, "n1").get<std::int64_t>(), at(d, m, "n2").get<std::int64_t>(), at(d, m, "both").get<std::int64_t>(),
          at(d, m, "interval_kind").get<std::string>()};
}
Json ChapmanDetails::to_json() const {
  return {{"n1", n1}, {"n2", n2}, {"both", both}, {"interval_kind", interval_kind}};
}

StepwiseDetails StepwiseDetails::from_json(const Json& d) {
  return {d.value("model", ""), at(d, "stepwise", "rule").get<std::string>()};
}
Json StepwiseDetails::to_json() const {
  Json j = Json::object();
  if (!model.empty()) j["model"] = model;
  j["rule"] = rule;
  return j;
}

BayesLogLinearDetails BayesLogLinearDetails::from_json(const Json& d) {
  constexpr const char* m = "bayes_loglinear";
  BayesLogLinearDetails o;
  o.models_in_space = at(d, m, "models_in_space").get<std::int64_t>();
  o.ess = number(at(d, m, "ess"));
  for (const auto& t : at(d, m, "top_models"))
    o.top_models.push_back({at(t, m, "model").get<std::string>(), at(t, m, "probability").get<double>()});
  const auto counts = [&](const char* key) {
    std::vector<StratumCount> out;
    for (const auto& s : d.value(key, Json::array()))
      out.push_back({at(s, m, "stratum").get<std::string>(), at(s, m, "observed").get<std::int64_t>(),
                     number(at(s, m, "posterior_mean")), bounds(at(s, m, "hpd")), bounds(at(s, m, "equal_tailed"))});
    return out;
  };
  o.strata = counts("strata");
  o.margins = counts("margins");
  return o;
}
Json BayesLogLinearDetails::to_json() const {
  Json top = Json::array();
  for (const auto& t : top_models) top.push_back({{"model", t.model}, {"probability", t.probability}});
  const auto counts = [](const std::vector<StratumCount>& rows) {
    Json out = Json::array();
    for (const auto& s : rows)
      out.push_back({{"stratum", s.stratum},
                     {"observed", s.observed},
                     {"posterior_mean", number_json(s.posterior_mean)},
                     {"hpd", bounds_json(s.hpd)},
                     {"equal_tailed", bounds_json(s.equal_tailed)}});
    return out;
  };
  return {{"models_in_space", models_in_space}, {"ess", number_json(ess)}, {"top_models", top},
          {"strata", counts(strata)}, {"margins", counts(margins)}};
}

std::string method_source(const estimate::MethodEstimate& m) {
  const auto it = m.details.find("source");
  return it != m.details.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace joindots::questions
