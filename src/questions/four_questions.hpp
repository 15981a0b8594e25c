#pragma once
// The four questions, answered from the latest link run (METHODS.md section 3):
//
//  1. victims: persons known (linked across sources) and the estimated total including
//     those no source recorded, by multiple systems estimation over the source types;
//  2. areas affected: districts with a known victim, and the expected number of districts
//     with a victim, where a district with none recorded counts with probability
//     1 - exp(-lambda_a * p0) (lambda_a its expected victims at the national rate per
//     child, p0 the estimated share of victims no source records); Chao's (1987)
//     incidence-based richness estimator (Chao2, districts x lists) as a cross-check;
//  3. offences: known offences (police-recorded, de-duplicated by linkage) and an estimated
//     total under the stated assumption that victims not known to the police suffer, on
//     average, as many offences as those who are;
//  4. still involved: the same estimation restricted to children under 18 on the reference
//     date whose latest record falls in the 12 months before it.
//
// Strata (region, police force area, year of first record, age band, sex) are estimated one
// by one; a stratum too sparse for MSE is flagged and left without an estimate, never
// filled in silently. Such strata, and those whose interval is too wide to use, carry a
// separate model-based figure (the parent's hidden fraction applied), labelled as such.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/areas.hpp"
#include "core/date.hpp"
#include "estimate/estimate.hpp"
#include "questions/linkage_draws.hpp"
#include "questions/linkage_subgroups.hpp"
#include "simulate/truth_reader.hpp"
#include "store/store.hpp"

namespace joindots::questions {

struct QuestionsOptions {
  estimate::EstimateOptions estimate;  // method, seed, bootstrap ...
  std::optional<Date> reference_date;  // default: the latest plausible victim record's date
  std::vector<std::string> by;         // strata: region, pfa, year, age_band, sex
  std::int64_t min_observed = 50;      // a stratum with fewer known persons is flagged
  std::int64_t min_list_total = 5;     // ... or with a list that recorded fewer
  bool quiet = true;
  /// Partitions drawn from the link's pair probabilities to carry linkage error into the
  /// victims' estimate (linkage_draws.hpp); 0 turns the draws off.
  int linkage_draws = 20;
  /// Whether the draws correct each table for true links blocking never compared
  /// (unseen_links_draws.hpp): on, auto (only where the link's recall is low) or off.
  UnseenLinksMode unseen_links = UnseenLinksMode::on;
  /// Match thresholds at which the saved pairs are re-clustered for the threshold curve
  /// (empty: no curve).
  std::vector<double> thresholds = {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
};

/// One question's answer.
struct Answer {
  std::int64_t known = 0;
  double estimate = 0;
  estimate::Interval interval;
  std::string method;
  std::string assumption;  // in plain words
  /// Why there is no estimate, or why it is empty (no one known), in plain words; empty
  /// when the answer is an estimate. Shown in the CLI, JSON, bundle and report.
  std::string why;
  /// Said beside this answer wherever its figure is shown (CLI, JSON, report card), when the
  /// figure is not what its name suggests: the offences' estimate is a floor.
  std::string caution;
  /// Why the figure is weak (auto's headline on a sparse table: the table supports an
  /// interval, not a point; estimate::EstimateResult::weak_headline), or empty. The JSON's
  /// weak_headline and weak_headline_reason, as `estimate --table --json` gives them.
  std::string weak_headline;
};

struct StratumEstimate {
  std::string dimension, value;
  std::int64_t observed = 0;
  std::optional<double> estimate;  // nullopt: flagged
  estimate::Interval interval;
  std::string method;
  std::string flag;  // why it was not estimated, or empty
  /// Why the estimate is weak (see Answer::weak_headline), or empty.
  std::string weak_headline;
  /// A model-based figure where MSE is not reliable (a stratum too sparse, or one whose
  /// interval spans more than a factor of 10): the stratum's known count times its parent's
  /// estimated-to-known ratio (a police force area's region, else the whole country), with
  /// the parent's interval for that ratio. Assumes the stratum misses the same share as its
  /// parent; it is labelled as model-based wherever it is shown (METHODS.md section 3).
  std::optional<double> model_based;
  estimate::Interval model_based_interval;
  double ratio = 0;                  // the parent's estimate / known
  double ratio_low = 0, ratio_high = 0;
  std::string model_based_parent;    // e.g. "region South West" or "national"
  /// The victims' linkage draws carried into this stratum's estimate (absent when the draws
  /// are off, or the stratum was not estimated).
  std::optional<GroupLinkage> linkage;
};

struct FourAnswers {
  std::int64_t link_run = 0;
  Date reference_date;
  std::vector<std::string> lists;
  Answer victims, areas, offences, still_involved;
  double areas_chao2 = 0;
  std::int64_t still_involved_age_unknown = 0;  // recent persons whose age could not be told
  /// The victims' linkage draws carried into the still-involved figure (absent when off).
  std::optional<GroupLinkage> still_involved_linkage;
  estimate::EstimateResult victims_detail;      // every method side by side
  std::vector<std::int64_t> victims_pattern_counts;  // the capture table: count per list pattern (bitmask)
  std::vector<StratumEstimate> strata;
  /// The linkage draws behind the victims' figure (absent when turned off or impossible).
  std::optional<LinkageUncertainty> linkage;
  std::vector<ThresholdPoint> threshold_curve;
  /// Said at the headline (caution.hpp): methods that disagree, linkage or the threshold
  /// that move the answer; one plain sentence each.
  std::vector<std::string> cautions;
  /// What makes the answers doubtful, in plain words (a reference date after every record,
  /// implausible dates left out); shown in the CLI, JSON, bundle and report. The public
  /// text gives no counts.
  struct Diagnostic {
    std::string text, public_text;
  };
  std::vector<Diagnostic> diagnostics;

  /// The estimate run's summary (saved in the runs table) and `estimate --db --json`; from_json
  /// reads it back (four_answers_json.cpp, the one place that knows its keys) and throws
  /// InternalError naming a key it lacks.
  nlohmann::ordered_json to_json() const;
  static FourAnswers from_json(const nlohmann::ordered_json& j);
};

/// What a stratum's model-based figure assumes, in words (beside the figure in the summary
/// and the bundle).
std::string model_based_basis(const StratumEstimate& s);

/// The inverse of estimate::to_json (EstimateResult): the methods' details stay JSON, read
/// into types by method_details.hpp.
estimate::EstimateResult estimate_result_from_json(const nlohmann::ordered_json& j);

/// The valid stratum dimensions.
const std::vector<std::string>& stratum_dimensions();

/// Answers the four questions from the latest link run of victims. Throws UsageError when
/// there is no link run, or a stratum dimension is unknown (listing the valid ones).
FourAnswers answer_four_questions(Store& store, const AreaTable& areas, const QuestionsOptions& options);

/// The simulator's true totals for the same questions (simulate/truth_reader.hpp), for
/// comparison: {"victims", "areas", "offences", "still_involved"}.
nlohmann::ordered_json truth_json(const SimulatedTruth& truth);

}  // namespace joindots::questions
