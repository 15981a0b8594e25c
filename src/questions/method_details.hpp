#pragma once
// The details of the estimation methods, typed. estimate.cpp writes each method's details
// as JSON (estimate::MethodEstimate::details); they are read into these types here, once:
// the report's models table and the CLI's table of methods use the fields below, so a key
// renamed in the estimate stage fails here (from_json throws InternalError naming the method
// and the key; the tests read the estimate stage's own output), not as a figure silently
// missing downstream. to_json writes the typed fields back under the same keys.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "estimate/estimate.hpp"

namespace joindots::questions {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();  // JSON null

/// A [low, high] pair as the details write it: absent, or with null (NaN) bounds.
struct Bounds {
  double low = kNoValue, high = kNoValue;
};

/// One model of a log-linear search, ranked by the criterion (top_models).
struct RankedModelRow {
  std::string model;
  std::vector<std::string> interactions;
  double estimate = kNoValue, criterion = kNoValue, weight = 0, deviance = kNoValue;
  int df = 0, parameters = 0;
  std::optional<Bounds> interval;  // its profile interval, when computed
  int boundary_cells = 0;          // written only when positive
};

/// One model of an average: its estimate and weight.
struct WeightedModelRow {
  std::string model;
  double estimate = kNoValue, weight = 0;
};

/// A model the existence check left out, and why.
struct ExcludedModel {
  std::string model;
  std::vector<std::string> interactions;
  std::string status, reason;
};

/// The bootstrap with model re-selection behind a log-linear search.
struct BootstrapSummary {
  Bounds interval;
  std::string kind;
  double median = kNoValue;
  int replicates = 0, replicates_asked = 0, failed = 0, candidates = 0;
  std::vector<std::pair<std::string, std::int64_t>> models_chosen;  // model, times chosen
};

/// loglinear, loglinear_heterogeneity: the chosen model of a search (fitted), or only the
/// models excluded when none was valid.
struct LogLinearDetails {
  bool fitted = false;
  std::string model, criterion, search, heterogeneity;  // heterogeneity: "" when none
  /// The chosen model's own interval's kind (in estimate::to_json's output the method's
  /// interval_kind, which may differ, takes its place).
  std::string interval_kind;
  std::vector<std::string> interactions;
  double criterion_value = kNoValue, deviance = kNoValue, gof_p_value = kNoValue;
  double aic = kNoValue, bic = kNoValue, weight = 0;
  int max_order = 0, df = 0, parameters = 0, boundary_cells = 0;
  std::int64_t models_considered = 0, models_valid = 0, models_excluded = 0, models_not_converged = 0;
  std::optional<BootstrapSummary> bootstrap;  // null when the bootstrap did not run
  std::vector<RankedModelRow> top_models;
  std::vector<ExcludedModel> excluded;  // the first ones shown
  std::int64_t excluded_total = 0;
  static LogLinearDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// loglinear_averaged, loglinear_heterogeneity_averaged: the information-weighted average.
struct AveragedDetails {
  std::string criterion;
  std::int64_t models_averaged = 0;
  std::vector<WeightedModelRow> weights;
  static AveragedDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// loglinear_mata: the tail-area average over the plain and heterogeneity models.
struct MataDetails {
  std::int64_t models_averaged = 0;
  double weight_with_heterogeneity = 0;
  std::vector<WeightedModelRow> top_models;
  static MataDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// lcmcr: the sampler's settings and convergence.
struct LcmcrDetails {
  double rhat = kNoValue, ess = kNoValue;
  int chains = 0, burn_in = 0, samples_per_chain = 0, thin = 0, max_classes = 0;
  bool multimodal = false;
  static LcmcrDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// chapman: the two lists' counts.
struct ChapmanDetails {
  std::int64_t n1 = 0, n2 = 0, both = 0;
  std::string interval_kind;
  static ChapmanDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// stepwise: the chosen model (empty when none) and the rule.
struct StepwiseDetails {
  std::string model, rule;
  static StepwiseDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// bayes_loglinear: the model space, its most probable models, and the count per stratum of
/// the covariates (and per level of each, over the others).
struct BayesLogLinearDetails {
  struct TopModel {
    std::string model;
    double probability = 0;
  };
  struct StratumCount {
    std::string stratum;
    std::int64_t observed = 0;
    double posterior_mean = kNoValue;
    Bounds hpd, equal_tailed;
  };
  std::int64_t models_in_space = 0;
  double ess = kNoValue;
  std::vector<TopModel> top_models;
  std::vector<StratumCount> strata, margins;
  static BayesLogLinearDetails from_json(const nlohmann::ordered_json& details);
  nlohmann::ordered_json to_json() const;
};

/// The reference a method's details cite ("" when they cite none).
std::string method_source(const estimate::MethodEstimate& m);

}  // namespace joindots::questions
