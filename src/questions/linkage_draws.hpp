#pragma once
// Linkage error carried into the victims' estimate (docs/estimation.md, "Linkage error"):
//
//  - draws: each saved pair of the link run is linked with its match probability (always
//    at or above 0.99, never at or below 0.01), the records are clustered under the link's
//    own guard (hard identifiers, records per source and the sources the link found to
//    hold one record per person, cohesion over the drawn links, relaxed within the link's
//    usual cluster size as the link relaxed it), the
//    capture table is rebuilt and the headline method re-estimates it. The draws' spread is
//    the linkage part of the uncertainty; their centre corrects the link's hard decision
//    (false non-links made spurious one-list persons, false links hid persons) by the
//    linkage model's own probabilities.
//  - combination (Rubin's rules on the log scale): centre = the mean of the draws' log
//    estimates; each side of the model interval gives a model variance (its log half-width
//    over z); total variance = model + (1 + 1/M) x between-draw variance. With every pair
//    at 0 or 1 the draws are all the link's partition and the interval is the model's.
//  - threshold curve: the saved pairs re-clustered at a range of match thresholds (the
//    link's guard, deterministic), each table estimated, so a reader sees how much the
//    answer hangs on the threshold.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "estimate/capture_table.hpp"
#include "estimate/interval.hpp"
#include "core/record.hpp"
#include "link/cluster.hpp"
#include "questions/unseen_links_draws.hpp"
#include "store/store.hpp"

namespace joindots::questions {

/// What the draws re-cluster: the records of one role in a link run and its saved pairs.
struct LinkageInput {
  std::vector<std::string> lists;                     // capture-table lists (source types)
  std::vector<std::uint32_t> list_of_record;          // index into lists
  std::vector<std::uint32_t> source;                  // organisation, for max_per_source
  std::vector<std::vector<std::string>> hard_values;  // per record, the hard fields' values
  std::vector<std::uint32_t> link_person;             // per record, the link run's person (0-based)
  std::vector<link::ScoredPair> pairs;                // saved pairs (a < b, indices into records)
  double threshold = 0.5, min_cohesion = 0.5, pair_floor = 0.05;
  int max_per_source = 0;
  /// Per source (index as in `source`), records a cluster may hold from it (0 = max_per_source):
  /// the one-per-person limits the link found (link/structure.hpp).
  std::vector<int> source_limit;
  /// The link's size-aware cohesion: merges that stay within `usual_size` records needed only
  /// `min_cohesion_within_usual` (0 = none).
  std::size_t usual_size = 0;
  double min_cohesion_within_usual = 0;
  /// The link's estimated blocking recall and the high-agreement sample pairs it rests on (-1
  /// and 0 when the run did not save them), for the correction for links blocking never
  /// compared (unseen_links_draws.hpp).
  double blocking_recall = -1;
  std::int64_t blocking_recall_sample = 0;
  /// The link's high-agreement random pairs never compared and left apart, of how many
  /// (link/blocking_splits.hpp; 0 and 0 when the run did not estimate them).
  std::int64_t blocking_split_sample = 0, blocking_split_apart = 0;
  /// The true links the run left apart by a latent-class model of the area pairs
  /// (link/missed_links.hpp; -1 and 0 when the run did not estimate them).
  double missed_rate = -1, missed_matches = 0;
  /// Per record, what a person is summarised from (dates, district, date of birth, sex,
  /// offences; the identifiers left out), for the groups' draws (linkage_subgroups.hpp).
  /// Empty when the input was built without them, or from an encoded store (whose link
  /// takes the age band from the encodings).
  std::vector<Record> records;
};

/// Reads the records of `role` in `run_id` and the pairs the run saved, with the run's
/// cluster guard from its parameters. `lists` orders the capture table.
/// The codes of the warnings the link run gave for `role` (link::LinkWarning; none when the
/// run saved no diagnostics).
std::vector<std::string> link_warning_codes(Store& store, std::int64_t run_id, Role role);

LinkageInput read_linkage_input(Store& store, std::int64_t run_id, Role role,
                                const std::vector<std::string>& lists);

/// The capture table (count per pattern) of a partition.
std::vector<std::int64_t> pattern_counts(const LinkageInput& in,
                                         const std::vector<std::uint32_t>& cluster);

/// The saved pairs clustered at `threshold` under the link's guard (cohesion by the pairs'
/// probabilities, a pair not saved counting as 0).
link::ClusterResult recluster_at(const LinkageInput& in, double threshold);

/// One draw of a partition: each pair linked with its probability (see above).
link::ClusterResult draw_partition(const LinkageInput& in, std::uint64_t seed, int draw);

/// Expected linkage errors of the link's own partition by its probabilities: false links,
/// the sum of (1 - p) over saved pairs inside one person; false non-links, the sum of p over
/// saved pairs across two persons.
struct ExpectedErrors {
  double false_links = 0, false_non_links = 0;
  std::int64_t uncertain_pairs = 0;  // 0.01 < p < 0.99
};
ExpectedErrors expected_errors(const LinkageInput& in);

/// The model interval and the draws combined (Rubin's rules on the log scale, above).
struct CombinedInterval {
  double estimate = 0;
  estimate::Interval interval;
  double between_sd_log = 0;  // SD of the draws' log estimates
  double linkage_share = 0;   // share of the interval's width that linkage adds
};
/// `reference_estimate` is the draws' estimator on the saved pairs clustered at the link's
/// threshold: the centre is the model's estimate times the draws' geometric mean over it
/// (the 3-argument form takes the model's estimate as the reference).
CombinedInterval combine_with_draws(double model_estimate, const estimate::Interval& model_interval,
                                    double reference_estimate,
                                    const std::vector<double>& draw_estimates);
CombinedInterval combine_with_draws(double model_estimate, const estimate::Interval& model_interval,
                                    const std::vector<double>& draw_estimates);

/// How the linkage draws are made and combined, in words (the summary's and the bundle's "rule").
inline constexpr const char* kLinkageDrawsRule =
      "Each saved pair of the link run is linked with its match probability (always at or above "
      "0.99, never at or "
      "below 0.01); the records are clustered under the link's guard; each draw's capture table is "
      "estimated (draw_method). Centre: the model's estimate times the draws' geometric mean over "
      "the same estimator on the "
      "saved pairs clustered at the link's threshold (the correction for expected false links and "
      "non-links). Interval: on the log scale, each "
      "side's model variance plus (1 + 1/M) times the between-draw variance (Rubin's rules).";

/// Everything the victims' answer says about linkage.
struct LinkageUncertainty {
  int draws = 0;
  std::vector<double> draw_estimates;
  std::vector<std::int64_t> draw_persons;
  double mean_draw_persons = 0;     // of draw_persons (what the saved summary keeps)
  std::vector<double> mean_counts;  // the draws' mean capture table
  std::int64_t link_persons = 0,
               recluster_persons = 0;  // the link's, and the saved pairs' at its threshold
  /// Whether the saved pairs re-clustered at the link's threshold give back the link's
  /// persons within 1%. When not (the cohesion guard saw pairs the run did not save, as
  /// under heavy identifier noise), the draws cannot be compared with the link's table like
  /// with like: no correction is applied, only their spread, and a caution says so.
  bool reproduces_link = true;
  ExpectedErrors expected;
  double model_estimate = 0;
  estimate::Interval model_interval;
  CombinedInterval combined;
  std::string draw_method;  // how each draw was estimated, in words
  /// Each draw's table corrected for links blocking never compared (unseen_links_draws.hpp).
  UnseenLinksSummary unseen_links;
  /// Each draw's split rate (the estimated one when the correction is not applied), for the groups.
  std::vector<double> draw_split_rates;
  double seconds = 0;
  /// The draws' partitions (cluster per record) and the saved pairs' at the link's
  /// threshold, kept for the groups of victims (linkage_subgroups.hpp); not saved.
  std::vector<std::vector<std::uint32_t>> draw_partitions;
  std::vector<std::uint32_t> reference_partition;
  nlohmann::ordered_json to_json() const;
};

/// One point of the threshold curve.
struct ThresholdPoint {
  double threshold = 0;
  std::int64_t persons = 0;
  double estimate = 0;
  estimate::Interval interval;
};
nlohmann::ordered_json threshold_curve_json(const std::vector<ThresholdPoint>& curve);

/// Re-estimates a capture table (the headline method, cheaply): used per draw and per
/// threshold. Returns the estimate and its interval (NaN when none).
using TableEstimator =
    std::function<std::pair<double, estimate::Interval>(const estimate::CaptureTable&)>;

/// `draws` partitions (seeded), each estimated (its table corrected for links blocking never
/// compared unless `unseen_links` is off); combined with the model's interval.
/// `level_estimator` (the headline method with its model search), when given, measures what
/// the correction for links blocking never compared does to the figure, on the reference table
/// corrected and not; the draws keep their spread around it. Why: the draws refit the
/// headline's models, and a model chosen on the uncorrected table reads its spurious one-list
/// persons as hard-to-see children, so a refit moved the figure by about half of what the
/// search moves it (-7.5% against -12.4% on a noisy country whose truth-mended table gave -17%).
LinkageUncertainty linkage_uncertainty(const LinkageInput& in, double model_estimate,
                                       const estimate::Interval& model_interval, int draws,
                                       std::uint64_t seed, const TableEstimator& estimator,
                                       bool quiet, UnseenLinksMode unseen_links = UnseenLinksMode::off,
                                       const TableEstimator& level_estimator = {});

/// The estimate at each threshold.
std::vector<ThresholdPoint> threshold_curve(const LinkageInput& in,
                                            const std::vector<double>& thresholds,
                                            const TableEstimator& estimator, bool quiet);

}  // namespace joindots::questions
