#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "estimate/estimate_methods.hpp"

namespace joindots::estimate {

// LCMCR beside another method's headline: see LcmcrBudget (estimate_methods.hpp).
namespace {

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
    x.burn_in = std::min(x.burn_in,
                         std::max(kMinBurnIn, static_cast<int>(iterations - static_cast<double>(x.samples) * x.thin)));
  out.lowered = x.samples != lo.samples || x.burn_in != lo.burn_in;
  out.work = work(x);
  return out;
}

}  // namespace

// The LCMCR run's settings (held to its budget when beside the headline).
LcmcrBudget lcmcr_settings(const CaptureTable& table, const EstimateOptions& o, bool beside_headline) {
  LcmcrOptions lo = o.lcmcr;
  lo.seed = o.seed;
  lo.level = o.level;
  lo.threads = o.threads;
  return lcmcr_within_budget(table, lo, beside_headline ? o.lcmcr_side_budget : 0.0);
}

MethodEstimate run_lcmcr_method(const CaptureTable& table, const EstimateOptions& o, bool beside_headline,
                                std::function<void(double)> report_fraction) {
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

namespace {

nlohmann::ordered_json posterior_json(const PosteriorCount& p) {
  return {{"stratum", p.label},
          {"observed", p.observed},
          {"posterior_mean", number_json(p.mean)},
          {"posterior_median", number_json(p.median)},
          {"sd", number_json(p.sd)},
          {"hpd", interval_json(p.hpd)},
          {"equal_tailed", interval_json(p.equal_tailed)}};
}

}  // namespace

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
  m.details = {
      {"posterior_mean", r.total.mean},
      {"posterior_median", r.total.median},
      {"sd", r.total.sd},
      {"hpd", interval_json(r.total.hpd)},
      {"equal_tailed", interval_json(r.total.equal_tailed)},
      {"interval_kind", "95% highest posterior density"},
      {"monte_carlo_se",
       {{"mean", r.total.mean_se}, {"hpd_low", r.total.hpd_se_low}, {"hpd_high", r.total.hpd_se_high}}},
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
      {"source",
       "Overstall & King (2014), conting's bict with the unit information prior (Ntzoufras, "
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

MethodEstimate run_shrinkage_method(const CaptureTable& table, const EstimateOptions& o) {
  ShrinkageOptions so = o.shrinkage;
  so.seed = o.seed;
  so.level = o.level;
  const auto r = loglinear_shrinkage(table, so);
  MethodEstimate m;
  m.method = "loglinear_shrinkage";
  // The posterior median: on the sparse scenarios the mean ran -23% to +4% where lists refer
  // people on, but +95% to +3,084% where they avoid one another or see two groups (a long
  // upper tail); the median -38% to +139% (docs/estimation.md, "Shrinking every interaction").
  m.estimate = r.median;
  m.interval = r.interval;
  nlohmann::ordered_json interactions = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < r.pairs.size(); ++p) {
    std::string name;
    for (int j = 0; j < table.k(); ++j)
      if (r.pairs[p] >> j & 1u) name += (name.empty() ? "" : ":") + table.lists[static_cast<std::size_t>(j)];
    interactions[name] = r.interaction_median[p];
  }
  m.details = {{"posterior_median", r.median},
               {"posterior_mean", r.mean},
               {"sd", r.sd},
               {"equal_tailed", interval_json(r.interval)},
               {"hpd", interval_json(r.hpd)},
               {"interval_kind", r.interval.kind},
               {"prior", fmt::format("every two-way interaction normal(0, tau^2), tau {}(0, {}); main effects "
                                     "normal(0, {}^2); intercept flat",
                                     so.tau_prior == TauPrior::HalfNormal ? "half-normal" : "half-Cauchy",
                                     so.tau_scale, so.main_effect_sd)},
               {"tau_median", r.tau_median},
               {"interaction_mean_median", r.mean_interaction},
               {"tau_interval", interval_json(r.tau_interval)},
               {"interaction_medians", interactions},
               {"parametrisation", r.centred ? "centred" : "non-centred"},
               {"rhat", r.rhat},
               {"ess", r.ess},
               {"chains", so.chains},
               {"warmup", so.warmup},
               {"samples_per_chain", so.samples},
               {"acceptance", r.acceptance},
               {"step_size", r.step_size},
               {"mean_leapfrog_steps", r.mean_leapfrog_steps},
               {"divergences", r.divergences},
               {"seed", so.seed},
               {"seconds", r.seconds},
               {"source", "hierarchical shrinkage of the two-way interactions (Gelman 2006 on priors for variance "
                          "parameters); Hamiltonian Monte Carlo with Stan's warm-up (Hoffman & Gelman 2014)"}};
  if (so.interaction_mean_sd > 0)
    m.details["prior"] = m.details["prior"].get<std::string>() +
                         fmt::format("; the interactions' mean normal({}, {}^2)", so.interaction_mean_centre,
                                     so.interaction_mean_sd);
  if (so.interaction_df > 0)
    m.details["prior"] = m.details["prior"].get<std::string>() +
                         fmt::format("; the interactions Student-t with {} df, not normal", so.interaction_df);
  if (r.rhat > 1.05 || r.ess < 200 || r.divergences > 0.01 * so.chains * so.samples)
    m.details["warning"] = fmt::format(
        "R-hat {:.3f}, effective sample size {:.0f}, {} divergent transitions: the sampler may not have explored "
        "the posterior; the interval is rough",
        r.rhat, r.ess, r.divergences);
  return m;
}

}  // namespace joindots::estimate
