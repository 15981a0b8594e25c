#pragma once
// The methods estimate_all runs and compares (estimate.hpp), each turned into a
// MethodEstimate: the log-linear searches with their bootstraps (loglinear_method.cpp), the
// tail-area model average and the heterogeneity forms beside it (mata.cpp), and the Bayesian
// methods, LCMCR and bayes_loglinear (bayesian_methods.cpp). Internal to estimate/.
#include <cmath>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "estimate/bootstrap.hpp"
#include "estimate/estimate.hpp"
#include "estimate/existence.hpp"
#include "estimate/run_progress.hpp"

namespace joindots::estimate {

inline constexpr std::size_t kTopModelsShown = 20;
inline constexpr std::size_t kExcludedShown = 50;

// A number, or null when it is NaN or infinite (JSON has no such numbers).
inline nlohmann::ordered_json number_json(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
inline nlohmann::ordered_json interval_json(const Interval& i) {
  return nlohmann::ordered_json::array({number_json(i.low), number_json(i.high)});
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
                             const std::vector<Heterogeneity>& heterogeneity, ExistenceCache& existence_cache);

// The log-linear search with `heterogeneity` on every model, or the given model (o.model).
// `plain`: see select_models.
ModelSelection search_loglinear(const CaptureTable& table, const EstimateOptions& o,
                                const std::vector<Heterogeneity>& heterogeneity, ExistenceCache& existence_cache,
                                ModelSelection* plain = nullptr);

// A search's two bootstraps: replicates from the chosen model (the interval of the chosen
// model with re-selection) and, with re-selection, from the averaged fitted means (the
// averaged estimate's interval).
struct SearchBootstrap {
  bool ran = false;
  BootstrapResult selected;
  Interval averaged;
  int averaged_replicates = 0, averaged_asked = 0;
};

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
                              bool beside_headline, RunProgress& progress);
std::vector<SearchBootstrap> run_bootstraps(const CaptureTable& table, const BootstrapPlan& plan,
                                            const std::vector<const ModelSelection*>& selections,
                                            RunProgress& progress);

// The search's results as methods named `name` and `name`_averaged.
LogLinearOutcome describe_loglinear(const CaptureTable& table, const EstimateOptions& o, ModelSelection found,
                                    const std::string& name, const SearchBootstrap& boot_result,
                                    const SearchOptions& so);

// The tail-area model average over the plain and heterogeneity models (mata.cpp says how).
std::optional<MethodEstimate> run_mata(const CaptureTable& table, const ModelSelection& sel, double level,
                                       double heterogeneity_charge, double dispersion = 1.0);

// auto's estimate on a dense table (issue 11; docs/estimation.md, "What auto does, and why"):
// the best model of each heterogeneity form (none, Poisson2, Darroch, Gamma3.5) by the
// criterion, averaged by their weights, with the tail-area interval `mata`. Nothing when the
// search holds one form only, or when the average falls outside that interval.
std::optional<MethodEstimate> forms_averaged_method(const LogLinearOutcome& llh, const MethodEstimate& mata);

struct FormInterval {
  Heterogeneity form;
  std::string model;
  double estimate, c_hat;
  Interval interval;
  int latent_classes = 0;  // > 0: the latent-class model of that many classes (latent_class.hpp), not a log-linear form
  std::string heterogeneity{};  // the JSON's name of the form: a log-linear form's, "latent_class" or "logit_normal"
  std::vector<double> class_share{};                // the latent-class model's groups: their shares
  std::vector<std::vector<double>> class_chance{};  // and each list's chance of recording one of them
};
// The heterogeneity forms that fit about as badly as the chosen model (mata.cpp says why).
std::vector<FormInterval> forms_about_as_bad(const CaptureTable& table, const ModelSelection& sel, double chosen_c_hat,
                                             double level);
// Where the chosen model fits, a logit-normal model with a lower BIC widens the interval to
// take in its estimate (mata.cpp says why).
void take_in_logit_normal_preferred(const CaptureTable& table, const ModelSelection& sel, MethodEstimate& mata);
// Where the chosen model fits, another form's best model that fits the lists at least as
// closely widens the interval to take in its estimate (mata.cpp says why).
void take_in_forms_fitting_as_closely(const CaptureTable& table, const ModelSelection& sel, MethodEstimate& mata);
// A latent-class form's groups for the JSON, lowest mean chance first (a group every list
// records rarely is the one whose size the lists cannot tell): share and each list's chance.
nlohmann::ordered_json latent_groups_json(const FormInterval& f, const std::vector<std::string>& lists);

// LCMCR beside another method's headline, held to `budget` units of work (see
// EstimateOptions::lcmcr_side_budget): the sampler's settings, lowered where needed. Its cost
// grew with the observed patterns: 28 CPU s on a dense 8-list table, 122 s on a dense 10-list
// one, for a figure shown only for comparison.
struct LcmcrBudget {
  LcmcrOptions options;
  bool lowered = false;
  double work = 0, budget = 0;
};
// The LCMCR run's settings (held to its budget when beside the headline).
LcmcrBudget lcmcr_settings(const CaptureTable& table, const EstimateOptions& o, bool beside_headline);
MethodEstimate run_lcmcr_method(const CaptureTable& table, const EstimateOptions& o, bool beside_headline = false,
                                std::function<void(double)> report_fraction = {});
MethodEstimate run_bayes_method(const CovariateCaptureTable& table, const EstimateOptions& o);
// The log-linear model with every two-way interaction shrunk (shrinkage.hpp).
/// Chapman on a two-list table (chapman.cpp); no interval when the lists share no one.
MethodEstimate run_chapman_method(const CaptureTable& table, double level);
MethodEstimate run_shrinkage_method(const CaptureTable& table, const EstimateOptions& o);

}  // namespace joindots::estimate
