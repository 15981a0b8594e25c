#include <boost/math/distributions/chi_squared.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "estimate/estimate_methods.hpp"
#include "estimate/sparse_rule.hpp"

namespace joindots::estimate {

namespace {

nlohmann::ordered_json model_json(const RankedModel& r, const std::vector<std::string>& lists) {
  nlohmann::ordered_json j{{"model", r.model.to_string()},
                   {"interactions", r.model.interaction_names(lists)},
                   {"estimate", r.estimate},
                   {"criterion", r.criterion},
                   {"weight", r.weight},
                   {"deviance", r.deviance},
                   {"df", r.df},
                   {"parameters", r.parameters}};
  if (r.has_profile) j["interval"] = nlohmann::ordered_json::array({r.profile.low, r.profile.high});
  if (r.boundary_cells > 0) j["boundary_cells"] = r.boundary_cells;
  return j;
}

// The models a search left out (the first kExcludedShown), with why.
nlohmann::ordered_json excluded_json(const ModelSelection& found, const std::vector<std::string>& lists) {
  nlohmann::ordered_json excluded = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < found.excluded.size() && i < kExcludedShown; ++i)
    excluded.push_back({{"model", found.excluded[i].model.to_string()},
                        {"interactions", found.excluded[i].model.interaction_names(lists)},
                        {"status", found.excluded[i].status == MleStatus::Exists ? "negative heterogeneity"
                                                                               : to_string(found.excluded[i].status)},
                        {"reason", found.excluded[i].reason}});
  return excluded;
}

// The chosen model's bootstrap (with model selection) as the details show it.
nlohmann::ordered_json bootstrap_json(const BootstrapResult& br, std::uint64_t seed) {
  nlohmann::ordered_json chosen = nlohmann::ordered_json::object();
  for (const auto& [model, count] : br.chosen) chosen[model] = count;
  return {{"interval", interval_json(br.interval)},
          {"kind", br.interval.kind},
          {"median", br.median},
          {"replicates", br.replicates},
          {"replicates_asked", br.replicates_asked},
          {"failed", br.failed},
          {"candidates", br.candidates},
          {"existence_checks", {{"computed", br.existence_computed}, {"reused", br.existence_reused}}},
          {"models_chosen", chosen},
          {"seed", seed}};
}

// The best model of each heterogeneity form in the search (its first in the ranking) with
// its estimate and weight, and their weighted average (weights renormalised over the forms):
// the interactions chosen by the criterion within each form, the form itself averaged (issue
// 11: which form holds is what the lists cannot show). auto's estimate on a dense table
// (forms_averaged_method).
nlohmann::ordered_json best_of_each_form(const ModelSelection& sel) {
  nlohmann::ordered_json forms = nlohmann::ordered_json::array();
  double total = 0, sum = 0;
  for (const RankedModel* r : sel.best_of_each_form()) {
    total += r->weight;
    sum += r->weight * r->estimate;
    forms.push_back({{"heterogeneity", to_string(r->model.heterogeneity())},
                     {"model", r->model.to_string()},
                     {"estimate", r->estimate},
                     {"weight", r->weight}});
  }
  if (forms.size() > 1 && total > 0)
    for (auto& f : forms) f["weight_among_forms"] = f["weight"].get<double>() / total;
  return forms.size() > 1 && total > 0 ? nlohmann::ordered_json{{"average", sum / total}, {"best", forms}}
                                       : nlohmann::ordered_json::array();
}

}  // namespace

SearchOptions search_options(const CaptureTable& table, const EstimateOptions& o,
                             const std::vector<Heterogeneity>& heterogeneity, ExistenceCache& existence_cache) {
  SearchOptions so;
  so.criterion = o.criterion;
  so.level = o.level;
  so.heterogeneity = heterogeneity;
  so.max_order = o.max_order != 0 ? o.max_order : (table.k() == 4 || table.k() == 5 ? 3 : 2);
  if (o.bound_sparse_search && is_sparse(table)) so.exhaustive_max_lists = std::min(so.exhaustive_max_lists, 5);
  // A negative heterogeneity coefficient is not heterogeneity (see run_mata): such models
  // leave the search, so the chosen model, the averages and the tail-area interval all come
  // from one set of models.
  so.drop_negative_heterogeneity = !heterogeneity.empty();
  so.threads = o.threads;
  so.existence_cache = &existence_cache;
  return so;
}

// The log-linear search with `heterogeneity` on every model, or the given model (o.model).
// `plain`: see select_models.
ModelSelection search_loglinear(const CaptureTable& table, const EstimateOptions& o,
                                const std::vector<Heterogeneity>& heterogeneity, ExistenceCache& existence_cache,
                                ModelSelection* plain) {
  if (!o.model) return select_models(table, search_options(table, o, heterogeneity, existence_cache), plain);
  // One given model: no search.
  ModelSelection sel;
  sel.criterion = o.criterion;
  sel.search = "given model";
  sel.models_considered = 1;
  const auto fit = fit_loglinear(table, *o.model);
  if (fit.existence.status != MleStatus::Exists) {
    sel.excluded.push_back({*o.model, fit.existence.status, fit.existence.reason});
  } else if (fit.ok()) {
    RankedModel r = rank_fit(fit, o.criterion);
    r.weight = 1.0;
    r.profile = profile_interval(table, fit, o.level);
    r.has_profile = true;
    sel.ranked.push_back(r);
    sel.averaged_estimate = r.estimate;
  } else {
    ++sel.not_converged;
  }
  return sel;
}


BootstrapOptions bootstrap_options(const EstimateOptions& o, bool drop_negative, ExistenceCache& existence_cache) {
  BootstrapOptions bo;
  bo.replicates = o.bootstrap_replicates;
  bo.seed = o.seed;
  bo.level = o.level;
  bo.reselect = !o.model.has_value();
  bo.threads = o.threads;
  bo.drop_negative_heterogeneity = drop_negative;
  bo.existence_cache = &existence_cache;
  return bo;
}

BootstrapPlan plan_bootstraps(const CaptureTable& table, const EstimateOptions& o,
                              const std::vector<const ModelSelection*>& selections,
                              const std::vector<std::string>& names, ExistenceCache& existence_cache,
                              bool beside_headline, RunProgress& progress) {
  BootstrapPlan plan;
  if (o.bootstrap_replicates <= 0) return plan;
  // drop_negative_heterogeneity only touches models with a heterogeneity term: on for all.
  plan.options = bootstrap_options(o, true, existence_cache);
  auto& bo = plan.options;
  if (beside_headline) bo.work_budget = o.side_bootstrap_budget;
  for (int averaged = 0; averaged < (bo.reselect ? 2 : 1); ++averaged) {
    std::vector<std::vector<double>> means;
    for (const auto* s : selections) means.push_back(bootstrap_means(table, *s, averaged == 1));
    std::vector<bool> done(selections.size(), false);
    for (std::size_t i = 0; i < selections.size(); ++i) {
      if (done[i]) continue;
      PlannedBootstrap run;
      run.from_averaged = averaged == 1;
      for (std::size_t j = i; j < selections.size(); ++j)
        if (!done[j] && (j == i || same_means(means[i], means[j]))) run.group.push_back(j);
      std::vector<const ModelSelection*> sels;
      for (auto g : run.group) {
        done[g] = true;
        sels.push_back(selections[g]);
        run.label += (run.label.empty() ? "" : " and ") + names[g] + (run.from_averaged ? "_averaged" : "");
      }
      bo.from_averaged = run.from_averaged;
      run.phase = progress.plan(run.label + " bootstrap",
                                bootstrap_work(table, sels, bo) * RunProgress::kBootstrapSecondsPerUnit);
      plan.runs.push_back(std::move(run));
    }
  }
  return plan;
}

std::vector<SearchBootstrap> run_bootstraps(const CaptureTable& table, const BootstrapPlan& plan,
                                            const std::vector<const ModelSelection*>& selections,
                                            RunProgress& progress) {
  std::vector<SearchBootstrap> out(selections.size());
  BootstrapOptions bo = plan.options;
  for (const auto& run : plan.runs) {
    bo.from_averaged = run.from_averaged;
    bo.report_fraction = [&progress, phase = run.phase](double f) { progress.report(phase, f); };
    std::vector<const ModelSelection*> sels;
    for (auto g : run.group) sels.push_back(selections[g]);
    const auto results = bootstrap_loglinear_shared(table, sels, bo);
    progress.end(run.phase);
    for (std::size_t g = 0; g < run.group.size(); ++g) {
      auto& sb = out[run.group[g]];
      sb.ran = true;
      if (bo.from_averaged) {
        sb.averaged = results[g].averaged_interval;
        sb.averaged_replicates = results[g].replicates;
        sb.averaged_asked = results[g].replicates_asked;
      } else
        sb.selected = results[g];
    }
  }
  return out;
}

// The search's results as methods named `name` and `name`_averaged.
LogLinearOutcome describe_loglinear(const CaptureTable& table, const EstimateOptions& o, ModelSelection found,
                                    const std::string& name, const SearchBootstrap& boot_result,
                                    const SearchOptions& so) {
  LogLinearOutcome out;
  const nlohmann::ordered_json excluded = excluded_json(found, table.lists);
  if (found.empty()) {
    out.best.details = {{"excluded", excluded}, {"excluded_total", found.excluded.size()}};
    return out;
  }
  out.ok = true;
  out.selection = std::move(found);
  const ModelSelection& sel = out.selection;
  const RankedModel& b = sel.best();
  out.profile = {b.profile.low, b.profile.high, o.level, "profile likelihood (Cormack 1992)"};

  nlohmann::ordered_json boot = nullptr;
  if (boot_result.ran) {
    const auto& br = boot_result.selected;
    out.bootstrap = br.interval;
    if (!o.model) out.averaged_bootstrap = boot_result.averaged;
    out.has_bootstrap = !std::isnan(br.interval.low);
    boot = bootstrap_json(br, o.seed);
  }
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < sel.ranked.size() && i < kTopModelsShown; ++i)
    top.push_back(model_json(sel.ranked[i], table.lists));

  // Goodness of fit of the chosen model: the deviance against chi-square on its df.
  double gof_p = std::numeric_limits<double>::quiet_NaN();
  if (b.df > 0 && b.deviance >= 0)
    gof_p = boost::math::cdf(boost::math::complement(boost::math::chi_squared(b.df), b.deviance));
  if (gof_p < 0.05)
    out.warning = fmt::format(
        "{}: the chosen model {} fits poorly (deviance {:.1f} on {} df, p = {:.2g}); its interval understates "
        "the uncertainty{}",
        name, b.model.to_string(), b.deviance, b.df, gof_p,
        so.max_order == 2 && !o.model && (table.k() == 4 || table.k() == 5)
            ? "; try --max-order 3 (models with three-way terms)"
            : "");

  out.best.method = name;
  const Heterogeneity chosen_h = b.model.heterogeneity();
  out.best.estimate = b.estimate;
  out.best.interval = out.profile;
  out.best.details = {{"model", b.model.to_string()},
                      {"interactions", b.model.interaction_names(table.lists)},
                      {"criterion", to_string(o.criterion)},
                      {"criterion_value", b.criterion},
                      {"search", sel.search},
                      {"max_order", so.max_order},
                      {"models_considered", sel.models_considered},
                      {"models_valid", sel.ranked.size()},
                      {"models_excluded", sel.excluded.size()},
                      {"models_not_converged", sel.not_converged},
                      {"unobserved", b.unobserved},
                      {"deviance", b.deviance},
                      {"df", b.df},
                      {"gof_p_value", gof_p},
                      {"parameters", b.parameters},
                      {"aic", b.aic},
                      {"bic", b.bic},
                      {"weight", b.weight},
                      {"boundary_cells", b.boundary_cells},
                      {"interval_kind", out.profile.kind},
                      {"profile_mle", b.profile.profile_mle},
                      {"bootstrap", boot},
                      {"top_models", top},
                      {"excluded", excluded},
                      {"excluded_total", sel.excluded.size()},
                      {"source", "Fienberg (1972); existence: Fienberg & Rinaldo (2012), Chan, Silverman & Vincent "
                                 "(2021); profile CI: Cormack (1992)"}};
  if (chosen_h != Heterogeneity::None) out.best.details["heterogeneity"] = to_string(chosen_h);

  out.averaged.method = name + "_averaged";
  out.averaged.estimate = sel.averaged_estimate;
  // Without the bootstrap the average has no interval of its own (the chosen model's profile
  // interval is not one).
  out.averaged.interval = out.has_bootstrap ? out.averaged_bootstrap : Interval{};
  out.averaged.interval.level = o.level;
  if (!out.has_bootstrap)
    out.averaged.interval.kind = o.bootstrap_replicates > 0 ? "none (the bootstrap failed)"
                                                            : "none (no bootstrap: --bootstrap 0)";
  nlohmann::ordered_json weights = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < sel.ranked.size() && i < kTopModelsShown; ++i)
    weights.push_back({{"model", sel.ranked[i].model.to_string()},
                       {"estimate", sel.ranked[i].estimate},
                       {"weight", sel.ranked[i].weight}});
  out.averaged.details = {{"criterion", to_string(o.criterion)},
                          {"weights", weights},
                          {"models_averaged", sel.ranked.size()},
                          {"interval_kind", out.averaged.interval.kind},
                          {"source", "information weights exp(-delta/2) (Burnham & Anderson 2002)"}};
  if (const auto forms = best_of_each_form(sel); forms.is_object()) out.averaged.details["forms"] = forms;
  return out;
}

std::optional<MethodEstimate> forms_averaged_method(const LogLinearOutcome& llh, const MethodEstimate& mata) {
  if (!llh.ok || !llh.averaged.details.contains("forms")) return std::nullopt;
  const auto& forms = llh.averaged.details["forms"];
  const double average = forms["average"].get<double>();
  if (!std::isfinite(average) || average < mata.interval.low || average > mata.interval.high) return std::nullopt;
  MethodEstimate m;
  m.method = "loglinear_forms_averaged";
  m.estimate = average;
  m.interval = mata.interval;
  m.details = {{"estimate_kind", "the best model of each heterogeneity form, averaged by their weights"},
               {"criterion", llh.averaged.details["criterion"]},
               {"forms", forms["best"]},
               {"interval_kind", m.interval.kind},
               {"interval_method", "loglinear_mata"},
               {"source", "Buckland, Burnham & Augustin (1997); Burnham & Anderson (2002); heterogeneity forms "
                          "Darroch, Fienberg, Glonek & Junker (1993); interval Fletcher & Turek (2012)"}};
  return m;
}

}  // namespace joindots::estimate
