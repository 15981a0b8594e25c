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
  bool profile_intervals = true;  // profile CIs for the best model and those carrying weight
  double profile_min_weight = 0.001;
  int profile_max_models = 20;
  double level = 0.95;
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
  MleStatus status = MleStatus::DoesNotExist;
  std::string reason;
};

struct ModelSelection {
  Criterion criterion = Criterion::Bic;
  std::string search;                 // "exhaustive" or "stepwise"
  std::size_t models_considered = 0;  // fitted or excluded
  std::vector<RankedModel> ranked;    // valid models, best first
  std::vector<ExcludedModel> excluded;
  std::size_t not_converged = 0;
  double averaged_estimate = 0;       // sum_m w_m N^_m

  bool empty() const { return ranked.empty(); }
  const RankedModel& best() const { return ranked.front(); }
};

/// Runs the search. Fast: the fits reuse a warm start from the model with one interaction
/// fewer, and the existence check's linear programs run only when the design restricted
/// to the positive cells is rank-deficient.
ModelSelection select_models(const CaptureTable& table, const SearchOptions& options = {});

/// Fits the given candidates only (used by the bootstrap): the best valid one under the
/// criterion, or an empty selection when none is valid. No profiles, no exclusion reasons.
struct QuickChoice {
  bool found = false;
  std::size_t index = 0;  // into candidates
  double estimate = 0;
};
QuickChoice choose_among(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                         Criterion criterion);

}  // namespace joindots::estimate
