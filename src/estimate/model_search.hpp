#pragma once
// Choosing among log-linear models: exhaustive search over every hierarchical model with
// main effects and any set of two-way interactions (2^(K choose 2) models: 64 at K = 4,
// 1,024 at K = 5, 32,768 at K = 6), forward stepwise beyond; AIC or BIC; information
// weights (Burnham & Anderson 2002): w_m = exp(-Delta_m / 2) / sum exp(-Delta / 2), with
// Delta_m the criterion minus the smallest.
//
// Every model is first put through check_existence; models whose MLE does not exist or
// does not identify the unobserved count are excluded, with the reason, before any
// criterion is compared (Chan, Silverman & Vincent 2021).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "estimate/capture_table.hpp"
#include "estimate/loglinear.hpp"

namespace joindots::estimate {

enum class Criterion { Aic, Bic };
const char* to_string(Criterion c);
/// "aic" or "bic"; throws UsageError listing the valid names otherwise.
Criterion parse_criterion(std::string_view name);

struct SearchOptions {
  Criterion criterion = Criterion::Bic;
  int exhaustive_max_lists = 6;   // exhaustive search up to this K, forward stepwise beyond
  /// Highest order of interaction searched. 2: the two-way models (the default). 3 or more:
  /// every hierarchical model with terms up to that order (never the K-way term), when
  /// there are at most 20 such terms (K = 4, or K = 5 with order 3); an error otherwise.
  int max_order = 2;
  /// Heterogeneity columns (Rcapture's `h` argument with interactions): the search is run
  /// once per entry, every model carrying that column, and the criterion ranks them all
  /// together (so it picks the term too). Empty, or {None}: plain hierarchical models.
  std::vector<Heterogeneity> heterogeneity;
  bool profile_intervals = true;  // profile CIs for the best model and those carrying weight
  double profile_min_weight = 0.001;
  int profile_max_models = 20;
  double level = 0.95;
  /// Leave out (as excluded, with the reason) every model whose heterogeneity coefficient
  /// is fitted negative: on the convex column that says the lists are less alike than
  /// independence allows, not that people differ in visibility. Off, such models compete.
  bool drop_negative_heterogeneity = false;
  /// The searches for each heterogeneity term run on up to this many threads.
  int threads = 1;
  /// Existence verdicts shared with other searches and bootstraps of the same table; null:
  /// each model is checked afresh.
  ExistenceCache* existence_cache = nullptr;
};

struct RankedModel {
  LogLinearModel model{2};
  double estimate = 0, unobserved = 0;
  double loglik = 0, deviance = 0, aic = 0, bic = 0, criterion = 0, weight = 0;
  int parameters = 0, df = 0;
  int boundary_cells = 0;  // zero cells fitted at 0 (extended MLE)
  bool has_profile = false;
  ProfileInterval profile;
};

struct ExcludedModel {
  LogLinearModel model{2};
  /// Exists: the MLE exists but the model was left out for `reason` (a negative
  /// heterogeneity coefficient, SearchOptions::drop_negative_heterogeneity).
  MleStatus status = MleStatus::DoesNotExist;
  std::string reason;
};

struct ModelSelection {
  Criterion criterion = Criterion::Bic;
  std::string search;                 // "exhaustive", "exhaustive (order <= 3)" or "stepwise"
  std::size_t models_considered = 0;  // fitted or excluded
  std::vector<RankedModel> ranked;    // valid models, best first
  std::vector<ExcludedModel> excluded;
  std::size_t not_converged = 0;
  double averaged_estimate = 0;       // sum_m w_m N^_m

  bool empty() const { return ranked.empty(); }
  const RankedModel& best() const { return ranked.front(); }
  /// The best model of each heterogeneity form (none, Poisson2, Darroch, Gamma3.5): its first
  /// in the ranking, in ranking order (so the chosen model's form first).
  std::vector<const RankedModel*> best_of_each_form() const;
};

/// A converged fit as a ranked model: estimate, fit statistics and `criterion` (its AIC or
/// BIC); weight and profile interval are left for the caller.
RankedModel rank_fit(const LogLinearFit& fit, Criterion criterion);

/// Runs the search. Fast: the fits reuse a warm start from the model with one interaction
/// fewer, and the existence check's linear programs run only when the design restricted
/// to the positive cells is rank-deficient.
///
/// `plain`, when given and the search covers the plain models (no heterogeneity term, or
/// Heterogeneity::None among the terms), receives the selection of the plain models alone:
/// the same as select_models with no heterogeneity term (the plain search is one of the
/// searches run here, with the same warm starts), its weights and profiles its own, without
/// searching again. Otherwise it is left empty.
ModelSelection select_models(const CaptureTable& table, const SearchOptions& options = {},
                             ModelSelection* plain = nullptr);

/// Forward stepwise selection by p-values, the rule of Chan, Silverman & Vincent (2021)
/// (SparseMSE's stepwisefit): from the main-effects model, for each two-way interaction not
/// yet in the model, compare the people on both lists with its Poisson distribution under
/// the current fit, p = min(P(X <= observed), P(X >= observed)); add the interaction with
/// the smallest p among those whose model passes check_existence, while p < `threshold`
/// (0.02 in SparseMSE). `ranked` holds the chosen model first (weight 1, with its profile
/// interval unless `with_profile` is off), then the other models fitted on the way.
ModelSelection select_stepwise_pvalue(const CaptureTable& table, double threshold = 0.02, double level = 0.95,
                                      bool with_profile = true);

/// Fits the given candidates only (used by the bootstrap): the best valid one under the
/// criterion, or an empty selection when none is valid. No profiles, no exclusion reasons.
/// True when `fit` carries a heterogeneity column whose coefficient is fitted below 0.
bool negative_heterogeneity(const LogLinearFit& fit);

struct QuickChoice {
  bool found = false;
  std::size_t index = 0;  // into candidates
  double estimate = 0;
  double averaged = 0;    // information-weighted average over the valid candidates
};
/// `cache`, when given, supplies the existence verdicts (the bootstrap's tables repeat
/// their zero patterns).
QuickChoice choose_among(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                         Criterion criterion, bool drop_negative_heterogeneity = false,
                         ExistenceCache* cache = nullptr);

}  // namespace joindots::estimate
