#include "estimate/estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <boost/math/distributions/chi_squared.hpp>
#include <limits>
#include <cmath>

#include "core/error.hpp"
#include "estimate/chapman.hpp"
#include "estimate/estimate_methods.hpp"
#include "estimate/sparse_rule.hpp"
#include "estimate/stepwise_method.hpp"

namespace joindots::estimate {

namespace {

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
                                   {Method::LogLinearShrinkage, "loglinear_shrinkage"},
                                   {Method::All, "all"}};

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

namespace {

// What estimate_all ran, method by method, before it chooses the headline.
struct MethodRuns {
  std::optional<MethodEstimate> chap, lcm, stepwise, bayes, mata, shrinkage, forms;
  LogLinearOutcome llh, ll;
  bool want_llh = false, want_ll = false;
  bool sparse_default = false;  // auto's headline is the shrinkage posterior (sparse_rule.hpp)
};

// The searches estimate_all runs: with the heterogeneity terms (three or more lists: with two
// the independence model already uses every cell), the default headline, and the plain one.
// The plain models compete with those carrying each heterogeneity term; the plain search is
// one of its searches, so the plain method's selection comes from it without searching again.
struct Searches {
  std::vector<Heterogeneity> kinds = {Heterogeneity::None};
  ModelSelection llh_sel, ll_sel;
};

Searches run_searches(const CaptureTable& table, const EstimateOptions& o, ExistenceCache& existence_cache,
                      MethodRuns& runs) {
  const Method m = o.method;
  // headline_only: auto computes only what its headline needs, falling back in order.
  const bool lean = o.headline_only && m == Method::Auto;
  Searches s;
  runs.want_llh = auto_or_all(m) && !o.model && table.k() >= 3 && !o.heterogeneity.empty();
  for (auto h : o.heterogeneity)
    if (h != Heterogeneity::None) s.kinds.push_back(h);
  if (runs.want_llh) s.llh_sel = search_loglinear(table, o, s.kinds, existence_cache, &s.ll_sel);
  runs.want_ll = (m == Method::LogLinear || auto_or_all(m)) && !(lean && (!s.llh_sel.empty() || runs.chap));
  if (runs.want_ll && !runs.want_llh) s.ll_sel = search_loglinear(table, o, {}, existence_cache);
  return s;
}

// Says when the bootstraps beside the headline were held to the default run's budget.
void note_short_bootstraps(const std::vector<SearchBootstrap>& boots, const EstimateOptions& o,
                           EstimateResult& res) {
  int fewest = o.bootstrap_replicates;
  for (const auto& b : boots)
    if (b.ran)
      fewest = std::min({fewest, b.selected.replicates, b.averaged_asked > 0 ? b.averaged_replicates : fewest});
  if (fewest < o.bootstrap_replicates)
    res.notes.push_back(fmt::format(
        "bootstrap: shown beside the headline (whose tail-area interval needs none), so held to the default run's "
        "time budget: as few as {} replicates instead of {} (each method's bootstrap.replicates says how many); "
        "--bootstrap N runs N",
        fewest, o.bootstrap_replicates));
}

// The searches' results as methods, each with its bootstrap (`boot_of`).
void describe_searches(const CaptureTable& table, const EstimateOptions& o, Searches& s,
                       ExistenceCache& existence_cache,
                       const std::function<SearchBootstrap(const ModelSelection&)>& boot_of, MethodRuns& runs,
                       EstimateResult& res) {
  std::vector<std::string> llh_notes;
  if (runs.want_llh) {
    const auto boot = boot_of(s.llh_sel);
    runs.llh = describe_loglinear(table, o, std::move(s.llh_sel), "loglinear_heterogeneity", boot,
                                  search_options(table, o, s.kinds, existence_cache));
    if (!runs.llh.warning.empty()) llh_notes.push_back(runs.llh.warning);
    if (runs.llh.ok) {
      runs.llh.best.details["source"] = "Darroch, Fienberg, Glonek & Junker (1993); Rivest & Levesque (2001); "
                                        "Rcapture's closedpCI with h; profile CI: Cormack (1992)";
    } else {
      llh_notes.push_back("log-linear with a heterogeneity term: no model has an MLE that exists and identifies the "
                          "unobserved count");
    }
  }
  if (runs.want_ll) {
    if (table.k() == 2 && !o.model) {
      res.notes.push_back("log-linear: with two lists only the independence model is identifiable; it equals "
                          "Lincoln-Petersen");
    }
    const auto boot = boot_of(s.ll_sel);
    runs.ll = describe_loglinear(table, o, std::move(s.ll_sel), "loglinear", boot,
                                 search_options(table, o, {}, existence_cache));
    if (!runs.ll.warning.empty()) res.notes.push_back(runs.ll.warning);
    if (!runs.ll.ok)
      res.notes.push_back("log-linear: no model has an MLE that exists and identifies the unobserved count");
  }
  res.notes.insert(res.notes.end(), llh_notes.begin(), llh_notes.end());
}

// Every method `o.method` asks for, run. The searches' bootstraps and LCMCR share one
// progress line, planned before either runs.
MethodRuns run_methods(const CaptureTable& table, const EstimateOptions& o, EstimateResult& res) {
  const Method m = o.method;
  MethodRuns runs;
  if (table.k() == 2 && (m == Method::Chapman || auto_or_all(m))) runs.chap = run_chapman_method(table, o.level);
  runs.sparse_default = auto_or_all(m) && uses_sparse_default(table, o);
  const bool lean = o.headline_only && m == Method::Auto;
  // Existence verdicts by model and zero pattern, shared by the searches and bootstraps below
  // (the plain search repeats the plain half of the heterogeneity search; the bootstraps'
  // tables repeat their zero patterns).
  ExistenceCache existence_cache;
  Searches s = run_searches(table, o, existence_cache, runs);

  // Their bootstraps, one for both where they draw from the same means.
  std::vector<const ModelSelection*> boot_sels;
  std::vector<std::string> boot_names;
  if (!s.llh_sel.empty()) boot_sels.push_back(&s.llh_sel), boot_names.push_back("loglinear_heterogeneity");
  if (runs.want_ll && !s.ll_sel.empty()) boot_sels.push_back(&s.ll_sel), boot_names.push_back("loglinear");
  // In auto and all the headline's interval is the tail-area average over the heterogeneity
  // search's models, which needs no bootstrap; without that search (or a valid model in it)
  // the plain method's hull with its bootstrap may be the headline's, at full length.
  const bool bootstraps_beside_headline = auto_or_all(m) && !s.llh_sel.empty();
  RunProgress run_progress(!o.progress);
  const auto boot_plan =
      plan_bootstraps(table, o, boot_sels, boot_names, existence_cache, bootstraps_beside_headline, run_progress);
  const bool any_loglinear = !s.llh_sel.empty() || (runs.want_ll && !s.ll_sel.empty());
  const bool want_lcmcr =
      (m == Method::Lcmcr || auto_or_all(m)) && !(lean && (any_loglinear || runs.chap));
  const bool lcmcr_beside = m != Method::Lcmcr && (any_loglinear || runs.chap);
  std::size_t lcmcr_phase = 0;
  if (want_lcmcr) {
    const auto settings = lcmcr_settings(table, o, lcmcr_beside);
    const double extra = settings.options.chains == 1 && settings.options.check_chain ? 1.375 : 1.0;
    lcmcr_phase = run_progress.plan("lcmcr", settings.work * extra * RunProgress::kLcmcrSecondsPerUnit);
  }
  const auto boots = run_bootstraps(table, boot_plan, boot_sels, run_progress);
  note_short_bootstraps(boots, o, res);
  auto boot_of = [&](const ModelSelection& sel) {
    for (std::size_t i = 0; i < boot_sels.size(); ++i)
      if (boot_sels[i] == &sel) return boots[i];
    return SearchBootstrap{};
  };
  describe_searches(table, o, s, existence_cache, boot_of, runs, res);
  if (want_lcmcr) {
    runs.lcm = run_lcmcr_method(table, o, lcmcr_beside,
                                [&run_progress, lcmcr_phase](double f) { run_progress.report(lcmcr_phase, f); });
    run_progress.end(lcmcr_phase);
    if (runs.lcm->details.contains("shortened"))
      res.notes.push_back("lcmcr: " + runs.lcm->details["shortened"].get<std::string>());
  }
  run_progress.finish();
  if (m == Method::Stepwise || (m == Method::All && table.k() >= 3)) runs.stepwise = run_stepwise_method(table, o);
  if (m == Method::BayesLogLinear || m == Method::All)
    runs.bayes = run_bayes_method(CovariateCaptureTable::from_table(table), o);
  if (m == Method::LogLinearShrinkage || m == Method::All || runs.sparse_default)
    runs.shrinkage = run_shrinkage_method(table, o);
  return runs;
}

// The heterogeneity forms that fit about as well or as badly as the chosen model: under lack
// of fit the interval takes in their estimates; otherwise shown in full runs only (a
// headline-only run, as each stratum and linkage draw is, need not fit them).
void take_in_forms_about_as_bad(const CaptureTable& table, const EstimateOptions& o, const ModelSelection& sel,
                                const std::optional<LackOfFit>& lof, const EstimateResult& res, MethodEstimate& mata) {
  const auto& b = sel.best();
  nlohmann::ordered_json forms = nlohmann::ordered_json::array();
  double low = mata.interval.low, high = mata.interval.high;
  if (lof && std::isfinite(res.interval_before_lack_of_fit.low)) {
    // Never narrower than the plain average either (QBIC weights can move an end inwards).
    low = std::min(low, res.interval_before_lack_of_fit.low);
    high = std::max(high, res.interval_before_lack_of_fit.high);
  }
  const double chosen_c = b.df > 0 ? b.deviance / b.df : 1.0;
  for (const auto& f : forms_about_as_bad(table, sel, chosen_c, o.level)) {
    forms.push_back({{"heterogeneity", f.heterogeneity},
                     {"model", f.model},
                     {"estimate", f.estimate},
                     {"c_hat", f.c_hat},
                     {"interval", interval_json(f.interval)}});
    if (f.latent_classes > 0) forms.back()["groups"] = latent_groups_json(f, table.lists);
    if (lof && std::isfinite(f.estimate)) low = std::min(low, f.estimate), high = std::max(high, f.estimate);
  }
  mata.details["forms_about_as_bad"] = forms;
  if (low < mata.interval.low || high > mata.interval.high) {
    mata.interval.low = low;
    mata.interval.high = high;
    mata.interval.kind += "; widened to take in the plain average and the estimates of the heterogeneity "
                          "forms that fit about as badly";
  }
  mata.details["interval_kind"] = mata.interval.kind;
}

// The heterogeneity search's tail-area average (auto's headline interval), quasi-likelihood
// when the chosen model fits poorly.
std::optional<MethodEstimate> average_heterogeneity_models(const CaptureTable& table, const EstimateOptions& o,
                                                           const LogLinearOutcome& llh, EstimateResult& res) {
  const Method m = o.method;
  const auto& b = llh.selection.best();
  // The chosen model's lack of fit (auto): a quasi-likelihood average.
  const auto lof = auto_or_all(m) ? lack_of_fit(table, b.deviance, b.df) : std::nullopt;
  auto mata = run_mata(table, llh.selection, o.level, o.heterogeneity_charge, lof ? lof->c_hat : 1.0);
  if (lof && mata) {
    // The same average without the quasi-likelihood, to say how much the lack of fit widened it.
    if (const auto plain = run_mata(table, llh.selection, o.level, o.heterogeneity_charge)) {
      res.interval_before_lack_of_fit = plain->interval;
      res.lack_of_fit = lof;
    }
  }
  if (mata && auto_or_all(m) && (lof || !o.headline_only))
    take_in_forms_about_as_bad(table, o, llh.selection, lof, res, *mata);
  if (mata && auto_or_all(m) && !lof) take_in_logit_normal_preferred(table, llh.selection, *mata);
  if (mata && auto_or_all(m) && !lof) take_in_forms_fitting_as_closely(table, llh.selection, *mata);
  auto taken_in = [](const auto& f) {
    return f.value("outside_interval", true) ? "the interval takes it in" : "already inside the interval";
  };
  if (mata && mata->details.contains("forms_fitting_as_closely"))
    for (const auto& f : mata->details["forms_fitting_as_closely"])
      res.notes.push_back(
          fmt::format("another form's model fits the lists as closely as the chosen one ({}) and "
                      "gives {:.0f}: {}",
                      f["model"].get<std::string>(), f["estimate"].get<double>(), taken_in(f)));
  if (mata && mata->details.contains("logit_normal_preferred"))
    for (const auto& p : mata->details["logit_normal_preferred"])
      res.notes.push_back(fmt::format("a logit-normal model that BIC prefers to the chosen one ({}) gives {:.0f}: {}",
                                      p["model"].get<std::string>(), p["estimate"].get<double>(), taken_in(p)));
  return mata;
}

// Every method's estimate into res.methods, in the order the JSON shows them.
void collect_methods(const CaptureTable& table, const EstimateOptions& o, MethodRuns& runs, EstimateResult& res) {
  if (runs.chap) res.methods.push_back(*runs.chap);
  if (runs.ll.ok) {
    res.methods.push_back(runs.ll.best);
    if (!o.model) res.methods.push_back(runs.ll.averaged);
  } else if (runs.want_ll) {
    MethodEstimate failed;
    failed.method = "loglinear";
    failed.estimate = std::numeric_limits<double>::quiet_NaN();
    failed.details = runs.ll.best.details;
    res.methods.push_back(failed);
  }
  if (runs.llh.ok) {
    res.methods.push_back(runs.llh.best);
    res.methods.push_back(runs.llh.averaged);
    runs.mata = average_heterogeneity_models(table, o, runs.llh, res);
    if (runs.mata) res.methods.push_back(*runs.mata);
    // auto's estimate on a dense table: the forms' best models averaged (issue 11).
    if (runs.mata && auto_or_all(o.method) && !is_sparse(table))
      runs.forms = forms_averaged_method(runs.llh, *runs.mata);
    if (runs.forms) res.methods.push_back(*runs.forms);
  }
  if (runs.stepwise) res.methods.push_back(*runs.stepwise);
  if (runs.lcm) {
    res.methods.push_back(*runs.lcm);
    if (runs.lcm->details.contains("warning"))
      res.notes.push_back("lcmcr: " + runs.lcm->details["warning"].get<std::string>());
  }
  if (runs.shrinkage) {
    res.methods.push_back(*runs.shrinkage);
    if (runs.shrinkage->details.contains("warning"))
      res.notes.push_back("loglinear_shrinkage: " + runs.shrinkage->details["warning"].get<std::string>());
  }
  if (runs.bayes) {
    res.methods.push_back(*runs.bayes);
    if (runs.bayes->details.contains("warning"))
      res.notes.push_back("bayes_loglinear: " + runs.bayes->details["warning"].get<std::string>());
  }
}

// auto's estimate on a dense table: the best model of each heterogeneity form averaged by
// their weights (forms_averaged_method), with the tail-area interval.
void forms_headline(const EstimateOptions& o, const MethodEstimate& forms, const MethodEstimate& mata,
                    EstimateResult& res) {
  std::vector<std::string> parts;
  for (const auto& f : forms.details["forms"])
    parts.push_back(fmt::format("{} {:.0f}%", f["model"].get<std::string>(),
                                100.0 * f["weight_among_forms"].get<double>()));
  res.headline = "loglinear_forms_averaged";
  res.estimate = forms.estimate;
  res.method = fmt::format("auto: the {}-best model of each heterogeneity form averaged by their weights ({}); "
                           "interval averaged over all the models with and without a heterogeneity term by their "
                           "profile likelihoods' tail areas (MATA, {:.0f}% of the weight on heterogeneity models)",
                           to_string(o.criterion), fmt::join(parts, ", "),
                           100.0 * mata.details["weight_with_heterogeneity"].get<double>());
}

// auto's headline from the heterogeneity search. The estimate: the best single model, BIC
// over the plain and heterogeneity models; on a dense table, the best model of each
// heterogeneity form averaged by their weights (forms_headline). The interval: those models
// averaged by the tail areas of their profile likelihoods, so that it allows for
// heterogeneity the lists cannot rule out (see run_mata and docs/estimation.md, "What auto does, and why").
void heterogeneity_headline(const EstimateOptions& o, const MethodRuns& runs, EstimateResult& res) {
  const auto& llh = runs.llh;
  const auto& mata = runs.mata;
  res.headline = "loglinear_heterogeneity";
  res.estimate = llh.best.estimate;
  const std::string model = llh.best.details["model"].get<std::string>();
  if (mata && !mata->details.contains("chosen_model_left_out") && res.estimate >= mata->interval.low &&
      res.estimate <= mata->interval.high) {
    res.interval = mata->interval;
    res.interval_method = "loglinear_mata";
    if (runs.forms) {
      forms_headline(o, *runs.forms, *mata, res);
    } else {
      res.method = fmt::format("auto: loglinear {} ({}-selected among the models with and without a heterogeneity "
                               "term); interval averaged over those models by their profile likelihoods' tail "
                               "areas (MATA, {:.0f}% of the weight on heterogeneity models)",
                               model, to_string(o.criterion),
                               100.0 * mata->details["weight_with_heterogeneity"].get<double>());
    }
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
}

// auto's headline from the plain search: the profile interval widened to cover the bootstrap.
void plain_loglinear_headline(const EstimateOptions& o, const LogLinearOutcome& ll, EstimateResult& res) {
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
}

// The headline: the method asked for, or auto's choice, falling back in order.
void choose_headline(const CaptureTable& table, const EstimateOptions& o, const MethodRuns& runs,
                     EstimateResult& res) {
  const Method m = o.method;
  const bool two = table.k() == 2;
  if (m == Method::BayesLogLinear) {
    res.method = "bayes_loglinear: posterior mean and 95% HPD, averaged over the two-way log-linear models "
                 "(unit information prior, as conting's bict)";
    res.headline = "bayes_loglinear";
    res.estimate = runs.bayes->estimate;
    res.interval = runs.bayes->interval;
  } else if (m == Method::LogLinearShrinkage) {
    res.method = "loglinear_shrinkage: posterior median and equal-tailed interval, every two-way interaction under a "
                 "normal(m, tau^2) prior with m and tau learned from the table";
    res.headline = "loglinear_shrinkage";
    res.estimate = runs.shrinkage->estimate;
    res.interval = runs.shrinkage->interval;
  } else if (m == Method::Chapman || (auto_or_all(m) && two && runs.chap)) {
    res.method = "chapman";
    res.headline = "chapman";
    res.estimate = runs.chap->estimate;
    res.interval = runs.chap->interval;
    res.weak_headline = chapman_weak_reason(runs.chap->details["n1"], runs.chap->details["n2"],
                                            runs.chap->details["both"]);
    if (!res.weak_headline.empty()) res.notes.push_back("weak headline: " + res.weak_headline);
    res.notes.push_back(fmt::format("two lists: the interval is the sampling error alone, assuming the lists are "
                                    "independent and every child equally likely to be on each, which two lists "
                                    "cannot test ({})",
                                    kTwoListsMeasured));
  } else if (m == Method::Stepwise && std::isfinite(runs.stepwise->estimate)) {
    const auto& sw = *runs.stepwise;
    res.method = fmt::format("stepwise: loglinear {} ({}); {}", sw.details["model"].get<std::string>(),
                             sw.details["rule"].get<std::string>(), sw.interval.kind);
    res.headline = "stepwise";
    res.estimate = sw.estimate;
    res.interval = sw.interval;
  } else if (m == Method::LogLinear && runs.ll.ok) {
    res.method =
        fmt::format("loglinear {} ({})", runs.ll.best.details["model"].get<std::string>(), to_string(o.criterion));
    res.headline = "loglinear";
    res.estimate = runs.ll.best.estimate;
    res.interval = runs.ll.best.interval;
  } else if (runs.sparse_default && runs.shrinkage && std::isfinite(runs.shrinkage->estimate)) {
    sparse_shrinkage_headline(table, *runs.shrinkage, res);
  } else if (auto_or_all(m) && runs.llh.ok) {
    heterogeneity_headline(o, runs, res);
  } else if (auto_or_all(m) && runs.ll.ok) {
    plain_loglinear_headline(o, runs.ll, res);
  } else if (runs.lcm) {
    res.method = "lcmcr";
    res.headline = "lcmcr";
    res.estimate = runs.lcm->estimate;
    res.interval = runs.lcm->interval;
    if (m != Method::Lcmcr) res.notes.push_back("headline from LCMCR: no log-linear model was valid");
  } else {
    // An expected outcome, not an error: e.g. a given model whose MLE does not exist.
    res.method = "none: no method gave an estimate (see notes and the excluded models)";
    res.estimate = std::numeric_limits<double>::quiet_NaN();
    res.interval = Interval{};
    res.interval.level = o.level;
  }
}

// auto: an interval no narrower than the chosen model's lack of fit allows (see
// lack_of_fit.hpp; issue 11): at national scale a rejected model's own interval is far
// narrower than what the model gets wrong.
void allow_for_lack_of_fit(const CaptureTable& table, const MethodRuns& runs, EstimateResult& res) {
  if (res.headline == "loglinear" && runs.ll.ok) {
    // The plain search's hull interval: widened on the scale of log(unseen).
    const auto& b = runs.ll.selection.best();
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

}  // namespace

EstimateResult estimate_all(const CaptureTable& table, const EstimateOptions& o) {
  EstimateResult res;
  res.observed = table.observed();
  res.lists = table.lists;
  const Method m = o.method;
  if (m == Method::Chapman && table.k() != 2)
    throw UsageError(fmt::format("method chapman needs exactly 2 lists; the table has {}", table.k()));
  if (m == Method::Stepwise && o.model)
    throw UsageError("method stepwise chooses its model; --model fits a given one (use --method loglinear)");

  MethodRuns runs = run_methods(table, o, res);
  collect_methods(table, o, runs, res);
  choose_headline(table, o, runs, res);
  if (auto_or_all(m) && std::isfinite(res.estimate)) allow_for_lack_of_fit(table, runs, res);
  flag_weak_on_sparse_table(table, o, res);
  // A given model's fit on a sparse table: not flagged (as auto), but warned.
  if (auto_or_all(m) && res.weak_headline.empty() && res.headline.starts_with("loglinear") && is_sparse(table))
    res.notes.push_back(sparse_selection_warning(table));
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
  const bool on_collapsed = m == Method::Chapman || m == Method::LogLinear || m == Method::Stepwise ||
                            m == Method::Lcmcr || m == Method::LogLinearShrinkage;
  if (auto_or_all(m) || on_collapsed) {
    if (m == Method::Chapman && table.k() != 2)
      throw UsageError(fmt::format("method chapman needs exactly 2 lists; the table has {}", table.k()));
    EstimateOptions oc = o;
    if (m == Method::All) oc.method = Method::Auto;  // bayes_loglinear is run below, with the covariates
    res = estimate_all(table.collapsed(), oc);
    for (auto& me : res.methods) me.details["table"] = collapsed_note;
    if (!on_collapsed) {
      // The headline becomes bayes_loglinear's below: nothing of the collapsed run's headline stays.
      res.interval_method.clear();
      res.lack_of_fit.reset();
      res.weak_headline.clear();
      std::erase_if(res.notes, [](const std::string& n) { return n.starts_with("weak headline: "); });
    }
    if (on_collapsed) {
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
  if (auto_or_all(m))
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
  if (!r.weak_headline.empty()) {
    j["weak_headline"] = true;
    j["weak_headline_reason"] = r.weak_headline;
  }
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
