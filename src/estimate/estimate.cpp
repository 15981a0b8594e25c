#include "estimate/estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <boost/math/distributions/chi_squared.hpp>
#include <limits>
#include <cmath>

#include "core/error.hpp"
#include "estimate/bootstrap.hpp"
#include "estimate/chapman.hpp"
#include "estimate/run_progress.hpp"
#include "estimate/sparse_rule.hpp"
#include "estimate/stepwise_method.hpp"

namespace joindots::estimate {

namespace {

constexpr std::size_t kTopModelsShown = 20;
constexpr std::size_t kExcludedShown = 50;

struct MethodName {
  Method method;
  const char* name;
};
constexpr MethodName kMethods[] = {{Method::Auto, "auto"},
                                   {Method::Chapman, "chapman"},
                                   {Method::LogLinear, "loglinear"},
                                   {Method::Stepwise, "stepwise"},
                                   {Method::Lcmcr, "lcmcr"},
                                   {Method::BayesLogLinear, "bayes_loglinear"},
                                   {Method::All, "all"}};

// A number, or null when it is NaN or infinite (JSON has no such numbers).
nlohmann::ordered_json number_json(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
nlohmann::ordered_json interval_json(const Interval& i) {
  return nlohmann::ordered_json::array({number_json(i.low), number_json(i.high)});
}

MethodEstimate run_chapman(const CaptureTable& table, double level) {
  const auto c = chapman(table, level);
  MethodEstimate m;
  m.method = "chapman";
  m.estimate = c.estimate;
  m.interval = c.interval;
  m.details = {{"n1", c.n1},
               {"n2", c.n2},
               {"both", c.both},
               {"variance", c.variance},
               {"se", c.se},
               {"interval_kind", c.interval.kind},
               {"normal_interval", interval_json(c.normal_interval)},
               {"source", "Chapman (1951); variance Seber (1982); log-normal interval Chao (1987)"}};
  return m;
}

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

struct LogLinearOutcome {
  bool ok = false;
  std::string warning;
  MethodEstimate best, averaged;
  Interval profile, bootstrap, averaged_bootstrap;
  bool has_bootstrap = false;
  ModelSelection selection;
};

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
                                ModelSelection* plain = nullptr) {
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

// A search's two bootstraps: replicates from the chosen model (the interval of the chosen
// model with re-selection) and, with re-selection, from the averaged fitted means (the
// averaged estimate's interval).
struct SearchBootstrap {
  bool ran = false;
  BootstrapResult selected;
  Interval averaged;
  int averaged_replicates = 0, averaged_asked = 0;
};

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

// The bootstraps of the searches named in `names` (each selection non-empty). Where two
// searches would draw their replicates from the same fitted means (the plain search and the
// one with heterogeneity terms choosing the same plain model, as on sparse tables where no
// heterogeneity model carries weight), one bootstrap serves both: each replicate is drawn
// and every candidate fitted once (bootstrap_loglinear_shared), with the results each would
// have had alone.
// `beside_headline`: the headline does not use these bootstraps (auto's tail-area interval),
// so each is held to o.side_bootstrap_budget.
// Planned first (plan_bootstraps: which runs, and their work for the run's progress line),
// then run (run_bootstraps).
struct PlannedBootstrap {
  bool from_averaged = false;
  std::vector<std::size_t> group;  // indices into the selections
  std::string label;
  std::size_t phase = 0;  // in the run's progress
};
struct BootstrapPlan {
  BootstrapOptions options;
  std::vector<PlannedBootstrap> runs;
};
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
  nlohmann::ordered_json excluded = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < found.excluded.size() && i < kExcludedShown; ++i)
    excluded.push_back({{"model", found.excluded[i].model.to_string()},
                        {"interactions", found.excluded[i].model.interaction_names(table.lists)},
                        {"status", found.excluded[i].status == MleStatus::Exists ? "negative heterogeneity"
                                                                               : to_string(found.excluded[i].status)},
                        {"reason", found.excluded[i].reason}});
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
    nlohmann::ordered_json chosen = nlohmann::ordered_json::object();
    for (const auto& [model, count] : br.chosen) chosen[model] = count;
    boot = {{"interval", interval_json(br.interval)},
            {"kind", br.interval.kind},
            {"median", br.median},
            {"replicates", br.replicates},
            {"replicates_asked", br.replicates_asked},
            {"failed", br.failed},
            {"candidates", br.candidates},
            {"existence_checks", {{"computed", br.existence_computed}, {"reused", br.existence_reused}}},
            {"models_chosen", chosen},
            {"seed", o.seed}};
  }
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < sel.ranked.size() && i < kTopModelsShown; ++i) top.push_back(model_json(sel.ranked[i], table.lists));

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
  return out;
}

// The model-averaged tail-area interval over the plain and heterogeneity models (auto's
// headline for three or more lists; docs/estimation.md, "What auto does, and why"). The
// weights are BIC's, except that a model carrying a heterogeneity term is not charged for
// that term's parameter: visibility varies between people in every such population, and a
// term the lists are too few to confirm must still widen the interval (the coverage study).
// Interactions are charged as usual.
//
// `dispersion` (c-hat > 1 where the chosen model fits the lists poorly; lack_of_fit.hpp)
// makes both parts quasi-likelihood (Anderson, Burnham & White 1994): the weights are
// QBIC's, -2 l / c-hat + parameters log(n), and every profile deviance is divided by c-hat.
// Models that fit about equally badly then share the weight, and the interval is no
// narrower than their disagreement (issue 11: at 1 M records BIC put all the weight on one
// heterogeneity form, 10% below the truth, while another form that fits nearly as badly
// covered it).
std::optional<MethodEstimate> run_mata(const CaptureTable& table, const ModelSelection& sel, double level,
                                       double heterogeneity_charge, double dispersion = 1.0) {
  constexpr std::size_t kMaxModels = 200;
  const double log_n = std::log(static_cast<double>(table.observed()));
  const double c_hat = std::max(1.0, dispersion);
  std::vector<double> ic(sel.ranked.size());
  for (std::size_t i = 0; i < ic.size(); ++i)
    ic[i] = sel.ranked[i].bic + 2.0 * sel.ranked[i].loglik * (1.0 - 1.0 / c_hat) -
            (sel.ranked[i].model.heterogeneity() != Heterogeneity::None ? (1.0 - heterogeneity_charge) * log_n : 0.0);
  std::vector<std::size_t> order(ic.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return ic[x] < ic[y]; });
  if (order.empty()) return std::nullopt;
  // The chosen model (sel.ranked's first) is always averaged: the headline's estimate comes
  // from it, and must come from the same set of models as the interval.
  const auto chosen_at = std::find(order.begin(), order.end(), std::size_t{0});
  std::rotate(order.begin(), chosen_at, chosen_at + 1);
  const double min_ic = *std::min_element(ic.begin(), ic.end());
  double total = 0;
  for (double v : ic) total += std::exp(-0.5 * (v - min_ic));
  std::vector<LogLinearFit> fits;
  std::vector<double> weights;
  fits.reserve(kMaxModels);
  double kept = 0;
  std::size_t negative = 0;
  for (std::size_t i : order) {
    const double w = std::exp(-0.5 * (ic[i] - min_ic)) / total;
    if (i != 0 && (w < 1e-4 || fits.size() == kMaxModels)) break;
    auto f = fit_loglinear(table, sel.ranked[i].model);
    if (!f.ok()) continue;
    // A negative coefficient on the (convex) heterogeneity column means lists less alike
    // than independence allows, not people differing in visibility: not a heterogeneity
    // model, and it would pull the interval down for the wrong reason. (The heterogeneity
    // search leaves such models out already; this guards a selection made without it.)
    if (negative_heterogeneity(f)) {
      ++negative;
      continue;
    }
    fits.push_back(std::move(f));
    weights.push_back(w);
    kept += w;
  }
  if (fits.empty()) return std::nullopt;
  std::vector<WeightedFit> wf;
  for (std::size_t i = 0; i < fits.size(); ++i) wf.push_back({&fits[i], weights[i]});
  const auto iv = mata_interval(table, wf, level, c_hat);
  MethodEstimate m;
  m.method = "loglinear_mata";
  m.estimate = iv.profile_mle;
  m.interval = {iv.low, iv.high, level,
                c_hat > 1 ? fmt::format("model-averaged tail-area profile-likelihood interval (MATA), quasi-likelihood "
                                        "for lack of fit (c-hat {:.2f}: QBIC weights, deviances divided by c-hat)",
                                        c_hat)
                          : std::string("model-averaged tail-area profile-likelihood interval (MATA)")};
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  double heterogeneity_weight = 0;
  std::vector<std::size_t> by_weight(fits.size());
  for (std::size_t i = 0; i < fits.size(); ++i) {
    by_weight[i] = i;
    if (fits[i].model.heterogeneity() != Heterogeneity::None) heterogeneity_weight += weights[i] / kept;
  }
  std::stable_sort(by_weight.begin(), by_weight.end(), [&](auto x, auto y) { return weights[x] > weights[y]; });
  for (std::size_t i : by_weight) {
    if (top.size() == kTopModelsShown) break;
    top.push_back({{"model", fits[i].model.to_string()}, {"estimate", fits[i].estimate}, {"weight", weights[i] / kept}});
  }
  m.details = {{"estimate_kind", "median of the model-averaged confidence distribution"},
               {"interval_kind", m.interval.kind},
               {"weights", c_hat > 1 ? "QBIC (quasi-likelihood, c-hat of the chosen model), the heterogeneity term's "
                                       "parameter not charged"
                                     : "BIC, the heterogeneity term's parameter not charged"},
               {"dispersion", c_hat},
               {"models_averaged", fits.size()},
               {"weight_kept", kept},
               {"weight_with_heterogeneity", heterogeneity_weight},
               {"chosen_model", fits.front().model.to_string()},
               {"chosen_model_weight", weights.front() / kept},
               {"models_with_negative_heterogeneity_left_out", negative},
               {"top_models", top},
               {"source", "Fletcher & Turek (2012), model-averaged profile likelihood intervals; Turek & Fletcher "
                          "(2012); heterogeneity terms Darroch, Fienberg, Glonek & Junker (1993)"}};
  if (fits.front().model != sel.best().model) m.details["chosen_model_left_out"] = sel.best().model.to_string();
  return m;
}

// Under lack of fit, the heterogeneity forms (none, Poisson2, Darroch, Gamma3.5) that fit
// the lists about as badly as the chosen model (c-hat at most kAboutAsBadly times its own)
// are not told apart by the data: which form is right is what the lists cannot show when
// visibility varies (Link 2003, Biometrics 59:1123), and at national scale the forms'
// estimates differ by far more than any one's interval. The headline's interval is
// widened to take in each such form's best model's estimate: no narrower than the
// disagreement between models that fit about equally badly. Returns the forms taken in,
// with their estimates and quasi-likelihood profile intervals (their own c-hat; shown, not
// used: a weakly identified form's interval can be very wide on a small table).
struct FormInterval {
  Heterogeneity form;
  std::string model;
  double estimate, c_hat;
  Interval interval;
};
std::vector<FormInterval> forms_about_as_bad(const CaptureTable& table, const ModelSelection& sel, double chosen_c_hat,
                                             double level) {
  constexpr double kAboutAsBadly = 1.5;
  std::vector<FormInterval> out;
  for (auto form : {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35}) {
    const RankedModel* best = nullptr;
    for (const auto& r : sel.ranked)
      if (r.model.heterogeneity() == form && (!best || r.bic < best->bic)) best = &r;
    if (!best || best->df <= 0) continue;
    const double c = std::max(1.0, best->deviance / best->df);
    if (c > kAboutAsBadly * std::max(1.0, chosen_c_hat)) continue;
    const auto fit = fit_loglinear(table, best->model);
    if (!fit.ok() || negative_heterogeneity(fit)) continue;
    const auto iv = mata_interval(table, {{&fit, 1.0}}, level, c);
    out.push_back({form, best->model.to_string(), fit.estimate, c, {iv.low, iv.high, level, "quasi-likelihood profile"}});
  }
  return out;
}

// LCMCR beside another method's headline, held to `budget` units of work (see
// EstimateOptions::lcmcr_side_budget): the sampler's settings, lowered where needed. Its cost
// grew with the observed patterns: 28 CPU s on a dense 8-list table, 122 s on a dense 10-list
// one, for a figure shown only for comparison.
struct LcmcrBudget {
  LcmcrOptions options;
  bool lowered = false;
  double work = 0, budget = 0;
};
LcmcrBudget lcmcr_within_budget(const CaptureTable& table, LcmcrOptions lo, double budget) {
  constexpr int kMinSamples = 1000, kMinBurnIn = 10000;
  double patterns = 0;
  for (std::uint32_t c = 1; c < table.cells(); ++c) patterns += table.counts[c] > 0 ? 1 : 0;
  const double unit = std::max(1.0, patterns) * lo.max_classes * table.k() * lo.chains;
  auto work = [&](const LcmcrOptions& x) { return unit * (x.burn_in + static_cast<double>(x.samples) * x.thin); };
  LcmcrBudget out{lo, false, work(lo), budget};
  if (budget <= 0 || out.work <= budget) return out;
  const double iterations = budget / unit;  // per chain
  auto& x = out.options;
  x.samples = std::min(x.samples, std::max(kMinSamples, static_cast<int>((iterations - x.burn_in) / x.thin)));
  if (work(x) > budget)
    x.burn_in = std::min(x.burn_in, std::max(kMinBurnIn, static_cast<int>(iterations - static_cast<double>(x.samples) * x.thin)));
  out.lowered = x.samples != lo.samples || x.burn_in != lo.burn_in;
  out.work = work(x);
  return out;
}

// The LCMCR run's settings (held to its budget when beside the headline).
LcmcrBudget lcmcr_settings(const CaptureTable& table, const EstimateOptions& o, bool beside_headline) {
  LcmcrOptions lo = o.lcmcr;
  lo.seed = o.seed;
  lo.level = o.level;
  lo.threads = o.threads;
  return lcmcr_within_budget(table, lo, beside_headline ? o.lcmcr_side_budget : 0.0);
}

MethodEstimate run_lcmcr_method(const CaptureTable& table, const EstimateOptions& o, bool beside_headline = false,
                                std::function<void(double)> report_fraction = {}) {
  const LcmcrBudget budget = lcmcr_settings(table, o, beside_headline);
  LcmcrOptions lo = budget.options;
  lo.report_fraction = std::move(report_fraction);
  const auto r = run_lcmcr(table, lo);
  MethodEstimate m;
  m.method = "lcmcr";
  m.estimate = r.median;
  m.interval = r.interval;
  m.details = {{"posterior_median", r.median},
               {"posterior_mean", r.mean},
               {"interval_kind", r.interval.kind},
               {"rhat", r.rhat},
               {"ess", r.ess},
               {"chains", lo.chains},
               {"burn_in", lo.burn_in},
               {"samples_per_chain", lo.samples},
               {"thin", lo.thin},
               {"max_classes", lo.max_classes},
               {"alpha_prior", {{"shape", lo.alpha_shape}, {"rate", lo.alpha_rate}}},
               {"seed", lo.seed},
               {"seconds", r.seconds},
               {"iterations_per_second", r.iterations_per_second},
               {"source", "Manrique-Vallier (2016)"}};
  m.details["chain_summaries"] = lcmcr_chains_json(r);
  m.details["multimodal"] = r.disagreement.has_value();
  std::vector<std::string> warnings;
  if (r.disagreement) warnings.push_back(multimodality_warning(*r.disagreement));
  if (budget.lowered)
    m.details["shortened"] = fmt::format(
        "shown beside the headline, so held to the default run's time budget: {} burn-in and {} kept draws per chain "
        "instead of {} and {} (thinned by {}); --method lcmcr, or any of --chains, --burn-in, --samples, --thin, runs "
        "the sampler as asked",
        lo.burn_in, lo.samples, o.lcmcr.burn_in, o.lcmcr.samples, lo.thin);
  if (r.rhat > 1.05 || r.ess < 100)
    warnings.push_back(
        fmt::format("R-hat {:.3f}, effective sample size {:.0f}: the chains have not mixed well "
                    "(want R-hat <= 1.05 and ESS >= "
                    "100); run longer (--burn-in, --samples) before relying on this",
                    r.rhat, r.ess));
  if (!warnings.empty()) m.details["warning"] = fmt::format("{}", fmt::join(warnings, "; "));
  return m;
}

nlohmann::ordered_json posterior_json(const PosteriorCount& p) {
  return {{"stratum", p.label},
          {"observed", p.observed},
          {"posterior_mean", number_json(p.mean)},
          {"posterior_median", number_json(p.median)},
          {"sd", number_json(p.sd)},
          {"hpd", interval_json(p.hpd)},
          {"equal_tailed", interval_json(p.equal_tailed)}};
}

MethodEstimate run_bayes_method(const CovariateCaptureTable& table, const EstimateOptions& o) {
  BayesLogLinearOptions bo = o.bayes;
  bo.seed = o.seed;
  bo.level = o.level;
  bo.threads = o.threads;
  const auto r = bayes_loglinear(table, bo);
  MethodEstimate m;
  m.method = "bayes_loglinear";
  // The posterior mean with the HPD interval, as conting's summary reports them.
  m.estimate = r.total.mean;
  m.interval = r.total.hpd;
  m.interval.kind = fmt::format("{:.0f}% highest posterior density", 100 * o.level);
  nlohmann::ordered_json strata = nlohmann::ordered_json::array();
  for (const auto& s : r.strata) strata.push_back(posterior_json(s));
  nlohmann::ordered_json margins = nlohmann::ordered_json::array();
  for (const auto& s : r.margins) margins.push_back(posterior_json(s));
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < r.models.size() && i < kTopModelsShown; ++i) {
    const auto& bm = r.models[i];
    top.push_back({{"model", bm.formula},
                   {"interactions", bm.interactions},
                   {"probability", bm.probability},
                   {"estimate", bm.mean},
                   {"sd", bm.sd},
                   {"parameters", bm.parameters},
                   {"log_marginal", bm.log_marginal},
                   {"log_marginal_laplace", bm.log_marginal_laplace},
                   {"importance_ess", bm.ess}});
  }
  m.details = {{"posterior_mean", r.total.mean},
               {"posterior_median", r.total.median},
               {"sd", r.total.sd},
               {"hpd", interval_json(r.total.hpd)},
               {"equal_tailed", interval_json(r.total.equal_tailed)},
               {"interval_kind", "95% highest posterior density"},
               {"monte_carlo_se", {{"mean", r.total.mean_se}, {"hpd_low", r.total.hpd_se_low}, {"hpd_high", r.total.hpd_se_high}}},
               {"covariates", nlohmann::ordered_json::array()},
               {"strata", strata},
               {"margins", margins},
               {"maximal_model", r.maximal_model},
               {"prior", r.prior},
               {"prior_scale", r.prior_scale},
               {"cells", r.cells},
               {"missing_cells", r.missing_cells},
               {"censored_cells", r.censored_cells},
               {"models_in_space", r.models_in_space},
               {"search", r.search},
               {"models_evaluated", r.models_evaluated},
               {"models_screened_out", r.models_screened_out},
               {"screened_out_probability", r.screened_out_probability},
               {"top_models", top},
               {"computation", std::string(r.search == "MC3" ? "models found by MC3 chains" : "every model enumerated") +
                                   "; per model the posterior mode, Laplace screening and importance sampling from a "
                                   "multivariate t; N's posterior an exact Poisson mixture"},
               {"draws_per_model", r.draws_per_model},
               {"ess", r.ess},
               {"importance_efficiency", r.min_importance_efficiency},
               {"seed", r.seed},
               {"seconds", r.seconds},
               {"source", "Overstall & King (2014), conting's bict with the unit information prior (Ntzoufras, "
                          "Dellaportas & Forster 2003); King & Brooks (2001); Madigan & York (1997)"}};
  nlohmann::ordered_json covs = nlohmann::ordered_json::array();
  for (const auto& c : table.covariates) covs.push_back({{"name", c.name}, {"levels", c.levels}});
  m.details["covariates"] = covs;
  if (bo.censored_list >= 0)
    m.details["censored_list"] = {{"list", table.lists[static_cast<std::size_t>(bo.censored_list)]},
                                  {"cells", r.censored_cells},
                                  {"meaning", "the cells recorded by this list alone hold upper bounds: true counts "
                                              "between 1 and the count given (conting's cens)"}};
  if (r.search == "MC3")
    m.details["model_chains"] = {{"chains", r.model_chains},
                                 {"iterations", r.model_chain_iterations},
                                 {"acceptance", r.model_chain_acceptance},
                                 {"models_visited", r.models_visited},
                                 {"mass_missed_by_a_chain", r.mass_missed_by_a_chain}};
  if (r.search == "MC3" && r.mass_missed_by_a_chain > 0.05)
    m.details["warning_models"] = fmt::format(
        "the chains over the {} models disagree: {:.0f}% of the posterior probability found lies on models one chain "
        "never visited; the model probabilities are rough",
        r.models_in_space, 100 * r.mass_missed_by_a_chain);
  if (r.ess < 1000 || r.min_importance_efficiency < 0.05)
    m.details["warning"] = fmt::format(
        "effective sample size of N {:.0f}, smallest importance efficiency {:.3f}: the Monte Carlo error may be "
        "large; raise --bayes-draws",
        r.ess, r.min_importance_efficiency);
  return m;
}

// auto on a sparse table (is_sparse): the coverage study's sparse scenarios, where no rule
// tried reached 90% with intervals of any use (docs/estimation.md, "Sparse tables").
std::string sparse_table_warning(const CaptureTable& table) {
  const auto s = table_sparsity(table);
  return fmt::format(
      "sparse table: {} of {} cells empty, {} of {} pairs of lists never share a person. On simulated tables like "
      "this (100-300 observed on 6-8 lists) the default's 95% interval covered the true size in only 81-87% of "
      "populations where lists refer people to the next (the estimate 8-21% low, the interval 2.4-5 times the "
      "true size wide): dependence between lists that rarely overlap cannot be seen in the table, and no rule "
      "tried covered 90% with an interval of use. Read the interval as narrower than the real uncertainty "
      "(docs/estimation.md, \"Sparse tables\")",
      s.empty_cells, s.cells, s.pairs_never_overlapping, s.pairs);
}

}  // namespace

const char* to_string(Method m) {
  for (const auto& e : kMethods)
    if (e.method == m) return e.name;
  return "?";
}

Method parse_method(std::string_view name) {
  for (const auto& e : kMethods)
    if (name == e.name) return e.method;
  std::string valid;
  for (const auto& e : kMethods) valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  throw UsageError(fmt::format("unknown method `{}`; valid: {}", name, valid));
}

EstimateResult estimate_all(const CaptureTable& table, const EstimateOptions& o) {
  EstimateResult res;
  res.observed = table.observed();
  res.lists = table.lists;
  const Method m = o.method;
  const bool two = table.k() == 2;
  if (m == Method::Chapman && !two)
    throw UsageError(fmt::format("method chapman needs exactly 2 lists; the table has {}", table.k()));
  if (m == Method::Stepwise && o.model)
    throw UsageError("method stepwise chooses its model; --model fits a given one (use --method loglinear)");

  std::optional<MethodEstimate> chap, lcm;
  if (two && (m == Method::Chapman || m == Method::Auto || m == Method::All)) chap = run_chapman(table, o.level);
  // headline_only: auto computes only what its headline needs, falling back in order.
  const bool lean = o.headline_only && m == Method::Auto;

  // Existence verdicts by model and zero pattern, shared by the searches and bootstraps below
  // (the plain search repeats the plain half of the heterogeneity search; the bootstraps'
  // tables repeat their zero patterns).
  ExistenceCache existence_cache;

  // The search with the heterogeneity terms (three or more lists: with two the independence
  // model already uses every cell): the default headline. The plain models compete with
  // those carrying each heterogeneity term; the plain search is one of its searches, so the
  // plain method's selection comes from it without searching again.
  const bool want_llh = (m == Method::Auto || m == Method::All) && !o.model && table.k() >= 3 &&
                        !o.heterogeneity.empty();
  std::vector<Heterogeneity> kinds = {Heterogeneity::None};
  for (auto h : o.heterogeneity)
    if (h != Heterogeneity::None) kinds.push_back(h);
  ModelSelection llh_sel, ll_sel;
  if (want_llh) llh_sel = search_loglinear(table, o, kinds, existence_cache, &ll_sel);
  const bool want_ll =
      (m == Method::LogLinear || m == Method::Auto || m == Method::All) && !(lean && (!llh_sel.empty() || chap));
  if (want_ll && !want_llh) ll_sel = search_loglinear(table, o, {}, existence_cache);

  // Their bootstraps, one for both where they draw from the same means.
  std::vector<const ModelSelection*> boot_sels;
  std::vector<std::string> boot_names;
  if (!llh_sel.empty()) boot_sels.push_back(&llh_sel), boot_names.push_back("loglinear_heterogeneity");
  if (want_ll && !ll_sel.empty()) boot_sels.push_back(&ll_sel), boot_names.push_back("loglinear");
  // In auto and all the headline's interval is the tail-area average over the heterogeneity
  // search's models, which needs no bootstrap; without that search (or a valid model in it)
  // the plain method's hull with its bootstrap may be the headline's, at full length.
  const bool bootstraps_beside_headline = (m == Method::Auto || m == Method::All) && !llh_sel.empty();
  // One progress line for the run's long phases (the bootstraps, LCMCR), planned here.
  RunProgress run_progress(!o.progress);
  const auto boot_plan =
      plan_bootstraps(table, o, boot_sels, boot_names, existence_cache, bootstraps_beside_headline, run_progress);
  const bool any_loglinear = !llh_sel.empty() || (want_ll && !ll_sel.empty());
  const bool want_lcmcr =
      (m == Method::Lcmcr || m == Method::Auto || m == Method::All) && !(lean && (any_loglinear || chap));
  const bool lcmcr_beside = m != Method::Lcmcr && (any_loglinear || chap);
  std::size_t lcmcr_phase = 0;
  if (want_lcmcr) {
    const auto settings = lcmcr_settings(table, o, lcmcr_beside);
    const double extra = settings.options.chains == 1 && settings.options.check_chain ? 1.375 : 1.0;
    lcmcr_phase = run_progress.plan("lcmcr", settings.work * extra * RunProgress::kLcmcrSecondsPerUnit);
  }
  const auto boots = run_bootstraps(table, boot_plan, boot_sels, run_progress);
  {
    int fewest = o.bootstrap_replicates;
    for (const auto& b : boots)
      if (b.ran) fewest = std::min({fewest, b.selected.replicates, b.averaged_asked > 0 ? b.averaged_replicates : fewest});
    if (fewest < o.bootstrap_replicates)
      res.notes.push_back(fmt::format(
          "bootstrap: shown beside the headline (whose tail-area interval needs none), so held to the default run's "
          "time budget: as few as {} replicates instead of {} (each method's bootstrap.replicates says how many); "
          "--bootstrap N runs N",
          fewest, o.bootstrap_replicates));
  }
  auto boot_of = [&](const ModelSelection& sel) {
    for (std::size_t i = 0; i < boot_sels.size(); ++i)
      if (boot_sels[i] == &sel) return boots[i];
    return SearchBootstrap{};
  };

  LogLinearOutcome llh;
  std::vector<std::string> llh_notes;
  if (want_llh) {
    const auto boot = boot_of(llh_sel);
    llh = describe_loglinear(table, o, std::move(llh_sel), "loglinear_heterogeneity", boot,
                             search_options(table, o, kinds, existence_cache));
    if (!llh.warning.empty()) llh_notes.push_back(llh.warning);
    if (llh.ok) {
      llh.best.details["source"] = "Darroch, Fienberg, Glonek & Junker (1993); Rivest & Levesque (2001); Rcapture's "
                                   "closedpCI with h; profile CI: Cormack (1992)";
    } else {
      llh_notes.push_back("log-linear with a heterogeneity term: no model has an MLE that exists and identifies the "
                          "unobserved count");
    }
  }

  LogLinearOutcome ll;
  if (want_ll) {
    if (two && !o.model) {
      res.notes.push_back("log-linear: with two lists only the independence model is identifiable; it equals "
                          "Lincoln-Petersen");
    }
    const auto boot = boot_of(ll_sel);
    ll = describe_loglinear(table, o, std::move(ll_sel), "loglinear", boot, search_options(table, o, {}, existence_cache));
    if (!ll.warning.empty()) res.notes.push_back(ll.warning);
    if (!ll.ok) res.notes.push_back("log-linear: no model has an MLE that exists and identifies the unobserved count");
  }
  res.notes.insert(res.notes.end(), llh_notes.begin(), llh_notes.end());
  if (want_lcmcr) {
    lcm = run_lcmcr_method(table, o, lcmcr_beside,
                           [&run_progress, lcmcr_phase](double f) { run_progress.report(lcmcr_phase, f); });
    run_progress.end(lcmcr_phase);
    if (lcm->details.contains("shortened"))
      res.notes.push_back("lcmcr: " + lcm->details["shortened"].get<std::string>());
  }
  run_progress.finish();
  std::optional<MethodEstimate> stepwise;
  if (m == Method::Stepwise || (m == Method::All && table.k() >= 3)) stepwise = run_stepwise_method(table, o);
  std::optional<MethodEstimate> bayes;
  if (m == Method::BayesLogLinear || m == Method::All) bayes = run_bayes_method(CovariateCaptureTable::from_table(table), o);

  if (chap) res.methods.push_back(*chap);
  if (ll.ok) {
    res.methods.push_back(ll.best);
    if (!o.model) res.methods.push_back(ll.averaged);
  } else if (want_ll) {
    MethodEstimate failed;
    failed.method = "loglinear";
    failed.estimate = std::numeric_limits<double>::quiet_NaN();
    failed.details = ll.best.details;
    res.methods.push_back(failed);
  }
  std::optional<MethodEstimate> mata;
  if (llh.ok) {
    res.methods.push_back(llh.best);
    res.methods.push_back(llh.averaged);
    // The chosen model's lack of fit (auto): a quasi-likelihood average.
    const auto& b = llh.selection.best();
    const auto lof = m == Method::Auto || m == Method::All ? lack_of_fit(table, b.deviance, b.df) : std::nullopt;
    mata = run_mata(table, llh.selection, o.level, o.heterogeneity_charge, lof ? lof->c_hat : 1.0);
    if (lof && mata) {
      // The same average without the quasi-likelihood, to say how much the lack of fit widened it.
      if (const auto plain = run_mata(table, llh.selection, o.level, o.heterogeneity_charge)) {
        res.interval_before_lack_of_fit = plain->interval;
        res.lack_of_fit = lof;
      }
    }
    // The heterogeneity forms that fit about as well or as badly as the chosen model: under
    // lack of fit the interval takes in their estimates; otherwise shown in full runs only
    // (a headline-only run, as each stratum and linkage draw is, need not fit them).
    if (mata && (m == Method::Auto || m == Method::All) && (lof || !o.headline_only)) {
      nlohmann::ordered_json forms = nlohmann::ordered_json::array();
      double low = mata->interval.low, high = mata->interval.high;
      if (lof && std::isfinite(res.interval_before_lack_of_fit.low)) {
        // Never narrower than the plain average either (QBIC weights can move an end inwards).
        low = std::min(low, res.interval_before_lack_of_fit.low);
        high = std::max(high, res.interval_before_lack_of_fit.high);
      }
      const double chosen_c = b.df > 0 ? b.deviance / b.df : 1.0;
      for (const auto& f : forms_about_as_bad(table, llh.selection, chosen_c, o.level)) {
        forms.push_back({{"heterogeneity", to_string(f.form)},
                         {"model", f.model},
                         {"estimate", f.estimate},
                         {"c_hat", f.c_hat},
                         {"interval", interval_json(f.interval)}});
        if (lof && std::isfinite(f.estimate)) low = std::min(low, f.estimate), high = std::max(high, f.estimate);
      }
      mata->details["forms_about_as_bad"] = forms;
      if (low < mata->interval.low || high > mata->interval.high) {
        mata->interval.low = low;
        mata->interval.high = high;
        mata->interval.kind += "; widened to take in the plain average and the estimates of the heterogeneity "
                               "forms that fit about as badly";
      }
      mata->details["interval_kind"] = mata->interval.kind;
    }
    if (mata) res.methods.push_back(*mata);
  }
  if (stepwise) res.methods.push_back(*stepwise);
  if (lcm) {
    res.methods.push_back(*lcm);
    if (lcm->details.contains("warning")) res.notes.push_back("lcmcr: " + lcm->details["warning"].get<std::string>());
  }
  if (bayes) {
    res.methods.push_back(*bayes);
    if (bayes->details.contains("warning"))
      res.notes.push_back("bayes_loglinear: " + bayes->details["warning"].get<std::string>());
  }

  // The headline.
  if (m == Method::BayesLogLinear) {
    res.method = "bayes_loglinear: posterior mean and 95% HPD, averaged over the two-way log-linear models "
                 "(unit information prior, as conting's bict)";
    res.headline = "bayes_loglinear";
    res.estimate = bayes->estimate;
    res.interval = bayes->interval;
  } else if (m == Method::Chapman || ((m == Method::Auto || m == Method::All) && two && chap)) {
    res.method = "chapman";
    res.headline = "chapman";
    res.estimate = chap->estimate;
    res.interval = chap->interval;
  } else if (m == Method::Stepwise && std::isfinite(stepwise->estimate)) {
    res.method = fmt::format("stepwise: loglinear {} ({}); {}", stepwise->details["model"].get<std::string>(),
                             stepwise->details["rule"].get<std::string>(), stepwise->interval.kind);
    res.headline = "stepwise";
    res.estimate = stepwise->estimate;
    res.interval = stepwise->interval;
  } else if (m == Method::LogLinear && ll.ok) {
    res.method = fmt::format("loglinear {} ({})", ll.best.details["model"].get<std::string>(), to_string(o.criterion));
    res.headline = "loglinear";
    res.estimate = ll.best.estimate;
    res.interval = ll.best.interval;
  } else if ((m == Method::Auto || m == Method::All) && llh.ok) {
    // The estimate: the best single model, BIC over the plain and heterogeneity models. The
    // interval: those models averaged by the tail areas of their profile likelihoods, so
    // that it allows for heterogeneity the lists cannot rule out (see run_mata and
    // docs/estimation.md, "What auto does, and why").
    res.headline = "loglinear_heterogeneity";
    res.estimate = llh.best.estimate;
    const std::string model = llh.best.details["model"].get<std::string>();
    if (mata && !mata->details.contains("chosen_model_left_out") && res.estimate >= mata->interval.low &&
        res.estimate <= mata->interval.high) {
      res.method = fmt::format("auto: loglinear {} ({}-selected among the models with and without a heterogeneity "
                               "term); interval averaged over those models by their profile likelihoods' tail areas "
                               "(MATA, {:.0f}% of the weight on heterogeneity models)",
                               model, to_string(o.criterion),
                               100.0 * mata->details["weight_with_heterogeneity"].get<double>());
      res.interval = mata->interval;
      res.interval_method = "loglinear_mata";
    } else if (mata) {
      // The chosen model's estimate falls outside the average's interval (or the model could
      // not be averaged): the headline is the average's own median, so that estimate and
      // interval come from the same models; said loudly.
      res.headline = "loglinear_mata";
      res.estimate = mata->estimate;
      res.interval = mata->interval;
      res.interval_method = "loglinear_mata";
      res.method = fmt::format("auto: median of the tail-area average over the models with and without a "
                               "heterogeneity term, with its interval (MATA); the {}-selected model {} ({}) lies "
                               "outside that interval",
                               to_string(o.criterion), model, fmt::format("{:.0f}", llh.best.estimate));
      res.notes.push_back(fmt::format(
          "auto: the {}-selected model {} gives {:.0f}, outside the interval of the models averaged with it "
          "({:.0f}-{:.0f}); the headline is that average's median, {:.0f}. The models disagree: read the table "
          "of methods before using either figure",
          to_string(o.criterion), model, llh.best.estimate, mata->interval.low, mata->interval.high, mata->estimate));
    } else {
      res.method = fmt::format("auto: loglinear {} ({}-selected among the models with and without a heterogeneity "
                               "term); profile interval",
                               model, to_string(o.criterion));
      res.interval = llh.profile;
      res.interval_method = "loglinear_heterogeneity";
    }
  } else if ((m == Method::Auto || m == Method::All) && ll.ok) {
    res.headline = "loglinear";
    res.method = fmt::format("auto: loglinear {} ({}-selected); profile interval widened to cover the bootstrap with "
                             "model selection",
                             ll.best.details["model"].get<std::string>(), to_string(o.criterion));
    res.estimate = ll.best.estimate;
    res.interval = ll.profile;
    res.interval_method = "loglinear";
    if (ll.has_bootstrap) {
      res.interval.low = std::min(ll.profile.low, ll.bootstrap.low);
      res.interval.high = std::max(ll.profile.high, ll.bootstrap.high);
      res.interval.kind = "hull of the profile-likelihood and bootstrap (with model selection) intervals";
    } else {
      res.method = fmt::format("auto: loglinear {} ({}-selected); profile interval (no bootstrap)",
                               ll.best.details["model"].get<std::string>(), to_string(o.criterion));
    }
  } else if (lcm) {
    res.method = "lcmcr";
    res.headline = "lcmcr";
    res.estimate = lcm->estimate;
    res.interval = lcm->interval;
    if (m != Method::Lcmcr) res.notes.push_back("headline from LCMCR: no log-linear model was valid");
  } else {
    // An expected outcome, not an error: e.g. a given model whose MLE does not exist.
    res.method = "none: no method gave an estimate (see notes and the excluded models)";
    res.estimate = std::numeric_limits<double>::quiet_NaN();
    res.interval = Interval{};
    res.interval.level = o.level;
  }
  // auto: an interval no narrower than the chosen model's lack of fit allows (see
  // lack_of_fit.hpp; issue 11): at national scale a rejected model's own interval is far
  // narrower than what the model gets wrong.
  if ((m == Method::Auto || m == Method::All) && std::isfinite(res.estimate)) {
    if (res.headline == "loglinear" && ll.ok) {
      // The plain search's hull interval: widened on the scale of log(unseen).
      const auto& b = ll.selection.best();
      if (const auto f = lack_of_fit(table, b.deviance, b.df)) {
        res.interval_before_lack_of_fit = res.interval;
        res.interval = widen_for_lack_of_fit(res.interval, res.estimate, static_cast<double>(table.observed()), *f);
        res.lack_of_fit = f;
      }
    } else if (res.interval_method != "loglinear_mata") {
      res.lack_of_fit.reset();  // the quasi-likelihood average is not the headline's interval
    }
    if (const auto* f = res.lack_of_fit ? &*res.lack_of_fit : nullptr) {
      res.notes.push_back(fmt::format(
          "auto: the chosen model fits the lists poorly (deviance {:.1f} on {} df, p = {:.2g}), so the interval is "
          "widened for the lack of fit: {:.0f}-{:.0f} became {:.0f}-{:.0f} (c-hat {:.2f}). A model this far from the "
          "data may also be biased in a way the lists cannot show: compare the methods before quoting the figure",
          f->deviance, f->df, f->p_value, res.interval_before_lack_of_fit.low, res.interval_before_lack_of_fit.high,
          res.interval.low, res.interval.high, f->c_hat));
    }
  }
  if ((m == Method::Auto || m == Method::All) && res.headline.starts_with("loglinear") && is_sparse(table))
    res.notes.push_back(sparse_table_warning(table));
  if (std::isfinite(res.estimate) && !std::isnan(res.interval.low) &&
      (res.estimate < res.interval.low || res.estimate > res.interval.high))
    res.notes.push_back(fmt::format("the headline estimate {:.0f} lies outside its own interval ({:.0f}-{:.0f}): "
                                    "the method's estimate and interval disagree; do not publish either",
                                    res.estimate, res.interval.low, res.interval.high));
  return res;
}

EstimateResult estimate_all(const CovariateCaptureTable& table, const EstimateOptions& o) {
  if (table.covariates.empty()) return estimate_all(table.plain(), o);
  const Method m = o.method;
  std::vector<std::string> names;
  for (const auto& c : table.covariates) names.push_back(c.name);
  const std::string collapsed_note =
      fmt::format("collapsed over the covariates ({}): these estimates ignore them", fmt::join(names, ", "));
  EstimateResult res;
  if (m == Method::Auto || m == Method::All || m == Method::Chapman || m == Method::LogLinear || m == Method::Stepwise ||
      m == Method::Lcmcr) {
    if (m == Method::Chapman && table.k() != 2)
      throw UsageError(fmt::format("method chapman needs exactly 2 lists; the table has {}", table.k()));
    EstimateOptions oc = o;
    if (m == Method::All) oc.method = Method::Auto;  // bayes_loglinear is run below, with the covariates
    res = estimate_all(table.collapsed(), oc);
    for (auto& me : res.methods) me.details["table"] = collapsed_note;
    if (m == Method::Chapman || m == Method::LogLinear || m == Method::Stepwise || m == Method::Lcmcr) {
      res.notes.insert(res.notes.begin(), std::string(to_string(m)) + ": the table was " + collapsed_note +
                                               "; bayes_loglinear models them");
      res.covariates = names;
      return res;
    }
  } else {
    res.observed = table.observed();
    res.lists = table.lists;
  }
  res.covariates = names;
  const MethodEstimate bayes = run_bayes_method(table, o);
  res.methods.insert(res.methods.begin(), bayes);
  if (bayes.details.contains("warning"))
    res.notes.push_back("bayes_loglinear: " + bayes.details["warning"].get<std::string>());
  res.method = fmt::format("bayes_loglinear with covariates ({}): posterior mean and 95% HPD, averaged over the "
                           "log-linear models with two-way interactions among lists and covariates (unit information "
                           "prior, as conting's bict); the table has covariates, so this is the headline",
                           fmt::join(names, ", "));
  res.headline = "bayes_loglinear";
  res.estimate = bayes.estimate;
  res.interval = bayes.interval;
  if (m == Method::Auto || m == Method::All)
    res.notes.push_back("the other methods ran on the table " + collapsed_note);
  if (o.bayes.censored_list >= 0 && res.methods.size() > 1)
    res.notes.push_back("only bayes_loglinear treats the censored cells as upper bounds; the other methods take their "
                        "counts as exact");
  return res;
}

nlohmann::ordered_json to_json(const EstimateResult& r) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["observed"] = r.observed;
  j["estimate"] = number_json(r.estimate);
  j["interval"] = interval_json(r.interval);
  j["method"] = r.method;
  j["headline_method"] = r.headline;
  j["interval_method"] = r.interval_method.empty() ? r.headline : r.interval_method;
  j["level"] = r.interval.level;
  j["interval_kind"] = r.interval.kind;
  j["lists"] = r.lists;
  if (!r.covariates.empty()) j["covariates"] = r.covariates;
  nlohmann::ordered_json methods = nlohmann::ordered_json::object();
  for (const auto& m : r.methods) {
    nlohmann::ordered_json e = m.details;
    e["estimate"] = number_json(m.estimate);
    e["interval"] = interval_json(m.interval);
    // What the interval beside the estimate is (not another method's, nor the details').
    e["interval_kind"] = m.interval.kind;
    methods[m.method] = e;
  }
  j["methods"] = methods;
  if (r.lack_of_fit)
    j["lack_of_fit"] = {{"deviance", r.lack_of_fit->deviance},
                        {"df", r.lack_of_fit->df},
                        {"p_value", r.lack_of_fit->p_value},
                        {"c_hat", r.lack_of_fit->c_hat},
                        {"factor", r.lack_of_fit->factor},
                        {"interval_before", interval_json(r.interval_before_lack_of_fit)},
                        {"rule", "c-hat = deviance / df of the chosen model; the interval of log(unseen) widened by "
                                 "sqrt(c-hat) around the estimate (Anderson, Burnham & White 1994), when the fit is "
                                 "rejected at 5% and at most a fifth of the cells are empty"}};
  j["notes"] = r.notes;
  return j;
}

}  // namespace joindots::estimate
