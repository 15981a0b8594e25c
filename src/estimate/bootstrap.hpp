#pragma once
// Parametric bootstrap for a log-linear estimate, including the uncertainty of choosing
// the model (Silverman, Chan & Vincent 2024; Buckland, Burnham & Augustin 1997).
//
// Each replicate draws every observed cell independently as y*_c ~ Poisson(mu^_c), the
// fitted means of the selected model; repeats the model choice on y* over the candidate
// models; and records N^* = n* + mu^*_0 of the model chosen. The interval is the
// percentile interval of the N^*. With `reselect` off, only the selected model is refitted
// (the "best model only" bootstrap).
//
// Candidates: the chosen model, then the best models of the original search until they hold
// `candidate_weight` (99%) of the weight, at most `max_candidates` (selection among the
// plausible models: re-running a search of thousands of models, or every model a stepwise
// search visited, in each replicate made a sparse 8-list table take over 10 minutes). Each
// replicate has its own random stream Rng(seed, "bootstrap", r), so results do not depend
// on the thread count.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "estimate/interval.hpp"
#include "estimate/model_search.hpp"

namespace joindots::estimate {

struct BootstrapOptions {
  int replicates = 1000;
  std::uint64_t seed = 1;
  double level = 0.95;
  bool reselect = true;
  /// Generate the replicates from the model-averaged fitted means sum_m w_m mu^_m instead
  /// of the selected model's (for the bootstrap of the averaged estimate).
  bool from_averaged = false;
  double candidate_weight = 0.99;
  std::size_t max_candidates = 64;
  int threads = 2;
  /// Replicates choose only among candidates whose heterogeneity coefficient is not negative
  /// (as the search did with SearchOptions::drop_negative_heterogeneity).
  bool drop_negative_heterogeneity = false;
  /// Existence verdicts shared with other bootstraps of the same table (e.g. the averaged
  /// estimate's); null: the bootstrap keeps its own.
  ExistenceCache* existence_cache = nullptr;
  /// Replicates done are reported here (by one thread); the caller finishes it.
  Progress* progress = nullptr;
  /// Also told the share of replicates begun (by one thread): a whole run's progress line.
  std::function<void(double)> report_fraction;
  /// A work budget for a bootstrap whose interval is shown beside the headline, not used
  /// for it (0: none). The work of a replicate is counted as sum over its distinct
  /// candidates of cells x (parameters + 1)^2 (one fit's Newton steps); when `replicates`
  /// of them exceed the budget, the replicates are lowered to fit it, to no fewer than
  /// `min_replicates`. Deterministic: the same table and options give the same count.
  double work_budget = 0;
  int min_replicates = 200;
};

/// The number of replicates a bootstrap over `candidates` (distinct models) runs under
/// `options` (its replicates, or fewer under work_budget).
int budgeted_replicates(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                        const BootstrapOptions& options);

/// The work bootstrap_loglinear_shared(table, selections, options) will do, in the units of
/// work_budget: its replicates x the sum over its distinct candidates of cells x
/// (parameters + 1)^2 (for a whole run's progress line and ETA).
double bootstrap_work(const CaptureTable& table, const std::vector<const ModelSelection*>& selections,
                      const BootstrapOptions& options);

struct BootstrapResult {
  int replicates = 0;
  int replicates_asked = 0;  // more than `replicates` when the work budget lowered them
  int failed = 0;  // replicates where no candidate had a valid fit
  std::size_t candidates = 0;
  Interval interval;  // percentile, of the estimate of the model chosen in each replicate
  double median = 0;
  std::vector<double> estimates;  // one per successful replicate, in replicate order
  /// Percentile interval of the information-weighted average over the candidates, computed
  /// in each replicate (the bootstrap of the model-averaged estimator; Buckland, Burnham &
  /// Augustin 1997).
  Interval averaged_interval;
  std::vector<double> averaged;
  std::map<std::string, int> chosen;  // model -> how often it was chosen
  /// Existence checks run and taken from the cache (with a shared cache, since it began).
  std::size_t existence_computed = 0, existence_reused = 0;
};

/// Requires a non-empty selection (its best model generates the replicates).
BootstrapResult bootstrap_loglinear(const CaptureTable& table, const ModelSelection& selection,
                                    const BootstrapOptions& options = {});

/// The fitted means the replicates are drawn from: the selection's best model's, or with
/// `from_averaged` the information-weighted average of its models' (weights >= 1e-6).
std::vector<double> bootstrap_means(const CaptureTable& table, const ModelSelection& selection, bool from_averaged);
/// Equal to 1e-12 relative, cell by cell (as one weighted average normalised two ways).
bool same_means(const std::vector<double>& a, const std::vector<double>& b);

/// One bootstrap for several selections whose replicates come from the same fitted means
/// (the caller checks with bootstrap_means and same_means; e.g. the plain search and the
/// search with the heterogeneity terms when both choose the same plain model): each
/// replicate table is drawn once from the first selection's means, every model that is a
/// candidate of any selection is fitted once on it, and each selection makes its own choice
/// among its own candidates from those fits. The results, one per selection, are what
/// bootstrap_loglinear gives for each alone (same seeds, same tables, same fits), at the
/// cost of one. `drop_negative_heterogeneity` applies to every selection (it touches only
/// models with a heterogeneity term).
std::vector<BootstrapResult> bootstrap_loglinear_shared(const CaptureTable& table,
                                                        const std::vector<const ModelSelection*>& selections,
                                                        const BootstrapOptions& options = {});

/// Nonparametric bootstrap with BCa intervals for any estimator of N (the procedure of
/// Chan, Silverman & Vincent 2021, section 3.3; Efron 1987; DiCiccio & Efron 1996):
/// replicates resample the n observed people (a multinomial draw of n over the observed
/// patterns, with probabilities count / n) and apply `estimator` (model selection
/// included); the bias correction is z0 = Phi^-1(share of replicates below N^); the
/// acceleration a comes from the jackknife that leaves out one person (one refit per
/// observed pattern, weighted by its count): a = sum c_j d_j^3 / (6 (sum c_j d_j^2)^(3/2)),
/// d_j = mean - N^_(j). The interval takes the quantiles Phi(z0 + (z0 + z) / (1 - a (z0 + z)))
/// of the replicates, z = Phi^-1 of (1 -+ level) / 2. Replicate r uses Rng(seed, "bca", r).
struct BcaResult {
  double estimate = 0;  // the estimator on the data
  Interval interval;
  double z0 = 0, acceleration = 0;
  int replicates = 0, failed = 0;  // failed: the estimator returned NaN
  std::vector<double> estimates;
};
BcaResult bca_bootstrap(const CaptureTable& table, const std::function<double(const CaptureTable&)>& estimator,
                        int replicates = 1000, std::uint64_t seed = 1, double level = 0.95, int threads = 2,
                        Progress* progress = nullptr);

/// The p-quantile of sorted values (linear interpolation between order statistics, R type 7).
double quantile_sorted(const std::vector<double>& sorted, double p);

}  // namespace joindots::estimate
