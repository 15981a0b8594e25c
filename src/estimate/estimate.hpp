#pragma once
// The estimate stage in one call: every method on one capture-history table, side by
// side, and a headline chosen by `auto` (see docs/estimation.md for the reasoning):
//
//   estimate_all(table, options)
//     = chapman (two lists)                                    chapman.hpp
//     + log-linear: existence check -> exhaustive/stepwise     model_search.hpp
//       AIC/BIC search -> profile CI -> bootstrap with          loglinear.hpp, bootstrap.hpp
//       model re-selection -> information-weighted average
//     + LCMCR Gibbs sampler, several chains                    lcmcr.hpp
//     + Bayesian log-linear model averaging (conting's bict,   bayes_loglinear.hpp
//       unit information prior): `all`, `bayes_loglinear`, and the headline of a table
//       with covariates
//     -> headline (auto, three or more lists: the BIC-best of the plain and heterogeneity
//        log-linear models, with the tail-area interval averaged over them, loglinear.hpp's
//        mata_interval; Chapman for two lists; bayes_loglinear with covariates); under
//        lack of fit widened to the forms that fit about as badly, the maximum-likelihood
//        latent-class models among them                           latent_class.hpp
//
// The later `--db` mode builds a CaptureTable per stratum from linked persons and calls
// this same function.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "estimate/bayes_loglinear.hpp"
#include "estimate/capture_table.hpp"
#include "estimate/covariate_table.hpp"
#include "estimate/interval.hpp"
#include "estimate/lack_of_fit.hpp"
#include "estimate/lcmcr.hpp"
#include "estimate/model_search.hpp"
#include "estimate/shrinkage.hpp"

namespace joindots::estimate {

enum class Method { Auto, Chapman, LogLinear, Stepwise, Lcmcr, BayesLogLinear, LogLinearShrinkage, All };
/// auto, or all (which shows every method beside auto's headline): the methods whose headline auto's rule chooses.
inline bool auto_or_all(Method m) { return m == Method::Auto || m == Method::All; }
const char* to_string(Method m);
/// "auto", "chapman", "loglinear", "stepwise", "lcmcr", "bayes_loglinear", "loglinear_shrinkage" or "all"; throws
/// UsageError listing them otherwise.
Method parse_method(std::string_view name);

struct EstimateOptions {
  Method method = Method::Auto;
  Criterion criterion = Criterion::Bic;
  /// Interactions searched: 2, the two-way models; 3, all hierarchical models with terms up
  /// to three-way (K = 4 or 5); 0 (default), 3 for K = 4 or 5 and 2 otherwise.
  int max_order = 0;
  /// Auto and all (three or more lists): the search is repeated over the plain models and
  /// the models carrying each of these heterogeneity columns ("loglinear_heterogeneity"; the
  /// criterion picks whether and which term), and that is the headline. Empty: no such
  /// search; the headline is the plain search's (see docs/estimation.md).
  std::vector<Heterogeneity> heterogeneity = {Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35};
  /// The share of BIC's log(n) charged for a heterogeneity term's parameter in auto's
  /// model-averaged interval (1: plain BIC; 0: not charged).
  double heterogeneity_charge = 0.0;
  /// A sparse table (sparse_rule.hpp: at least kSparseEmptyCellShare of its cells empty) of
  /// six lists is searched forward stepwise from main effects, with the same criterion,
  /// instead of exhaustively over its 32,768 two-way models (x 4 heterogeneity forms, about
  /// 8 CPU s there). Off: exhaustive, as on dense tables (the coverage study compares them).
  bool bound_sparse_search = true;
  /// Auto and all, three or more lists, no given model: on a sparse table (is_sparse) the
  /// headline is loglinear_shrinkage's posterior (its median inside its equal-tailed interval),
  /// flagged weak (EstimateResult::weak_headline): the coverage study's sparse scenarios
  /// (docs/estimation.md, "What auto gives on a sparse table"). Off: the selection rule's
  /// headline, as on dense tables, with the sparse-table warning.
  bool sparse_shrinkage = true;
  std::uint64_t seed = 1;
  double level = 0.95;
  int bootstrap_replicates = 1000;  // 0: no bootstrap
  LcmcrOptions lcmcr;               // its seed and level are taken from here
  /// Auto and all, where LCMCR is shown beside a log-linear or Chapman headline: its run is
  /// held to this much work, counted as chains x iterations x observed patterns x classes x
  /// lists (one update of one class's probability of one pattern: about 3 ns here; 0: no
  /// limit). The kept draws are lowered first, to no fewer than 1,000 per chain, then the
  /// burn-in, to no less than 10,000 (the R package's default); the JSON and a note say so.
  /// The CLI sets 0 when any of --chains, --burn-in, --samples or --thin is given.
  double lcmcr_side_budget = 4e9;
  /// Auto and all, where the log-linear bootstraps are shown beside a headline that does not
  /// use them (the tail-area interval needs none): each bootstrap is held to this much work
  /// (BootstrapOptions::work_budget: replicates x candidates x cells x (parameters + 1)^2;
  /// 0: no limit), to no fewer than 200 replicates; the JSON and a note say so. The CLI sets
  /// 0 when --bootstrap is given.
  double side_bootstrap_budget = 1e10;
  BayesLogLinearOptions bayes;      // its seed, level and threads are taken from here
  ShrinkageOptions shrinkage;       // loglinear_shrinkage; its seed and level are taken from here
  /// Fit this model instead of searching (e.g. a published one with a three-way term).
  std::optional<LogLinearModel> model;
  int threads = 2;
  /// Stepwise (and all): the p-value threshold of the forward stepwise rule (SparseMSE's
  /// `pthresh`, 0.02 by default there; the UK 2013 analysis used 0.05).
  double stepwise_p = 0.02;
  /// Long steps (bootstraps) report progress on stderr.
  bool progress = false;
  /// Auto only: compute what the headline needs and nothing beside it (no plain search, no
  /// LCMCR, unless the headline falls back to them). The `--db` strata use it: each keeps
  /// only its headline.
  bool headline_only = false;
};

/// One method's answer.
struct MethodEstimate {
  std::string method;  // "chapman", "loglinear", "loglinear_averaged", "loglinear_heterogeneity", "lcmcr", ...
  double estimate = 0;
  Interval interval;
  nlohmann::ordered_json details;  // model, weights, excluded models, diagnostics ...
};

struct EstimateResult {
  std::int64_t observed = 0;
  std::vector<std::string> lists;
  std::vector<std::string> covariates;  // names; empty without covariates
  std::string method;       // the headline's method, in words
  std::string headline;     // the key in `methods` the headline comes from ("" when none)
  double estimate = 0;      // headline
  Interval interval;        // headline, 95% by default
  /// The key in `methods` whose interval the headline's is (auto: loglinear_mata, the
  /// tail-area average over the models the estimate was chosen from); "" means `headline`.
  std::string interval_method;
  std::vector<MethodEstimate> methods;
  std::vector<std::string> notes;  // e.g. methods skipped and why
  /// auto: the chosen model's lack of fit when its goodness of fit is rejected, and the
  /// interval before it was widened for it (estimate/lack_of_fit.hpp); empty otherwise.
  std::optional<LackOfFit> lack_of_fit;
  Interval interval_before_lack_of_fit;
  /// Non-empty when the headline is not a figure to quote alone: auto on a sparse table (it
  /// supports an interval, not a point estimate), or Chapman's on two lists that share fewer
  /// than 7 people (chapman_weak_reason): why; the JSON's weak_headline and weak_headline_reason.
  std::string weak_headline;
};

/// Runs the chosen method(s). Throws UsageError when the method cannot apply (Chapman on
/// more than two lists). When no method gives an estimate (e.g. the given model's MLE does
/// not exist) the headline estimate and interval are NaN (null in JSON) and `notes` say why.
EstimateResult estimate_all(const CaptureTable& table, const EstimateOptions& options = {});

/// A table with covariates. Without covariates, as above. With them, `auto`, `all` and
/// `bayes_loglinear` make bayes_loglinear (which models the covariates) the headline; `auto`
/// and `all` also run the other methods on the table collapsed over the covariates, for
/// comparison (their details say so); `chapman`, `loglinear` and `lcmcr` run on the
/// collapsed table alone, with a note.
EstimateResult estimate_all(const CovariateCaptureTable& table, const EstimateOptions& options = {});

/// The JSON document of `joindots estimate --json`: observed, estimate, interval, method
/// first, then methods, notes.
nlohmann::ordered_json to_json(const EstimateResult& result);

}  // namespace joindots::estimate
