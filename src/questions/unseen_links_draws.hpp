#pragma once
// The victims' linkage draws corrected for true links that blocking never compared
// (estimate/unseen_links.hpp; docs/estimation.md, "Links blocking never compared"): each draw's
// capture table is corrected with a split rate drawn from its sampling distribution
// (Binomial(n, s) / n, n the link's high-agreement sample pairs, s the share of them never
// compared and left apart), so the combined interval carries the rate's uncertainty; the
// link's own table is corrected with the estimated rate to say what the correction does.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "estimate/capture_table.hpp"
#include "estimate/unseen_links.hpp"

namespace joindots::questions {

/// `estimate --unseen-links`: on (correct whenever the recall rests on enough sample pairs),
/// auto (only when the recall is below kLowBlockingRecall, where the link warns), off.
enum class UnseenLinksMode { off, on, automatic };
inline constexpr double kLowBlockingRecall = 0.9;
/// Throws UsageError for anything but "on", "auto" and "off".
UnseenLinksMode parse_unseen_links_mode(const std::string& text);
const char* to_string(UnseenLinksMode mode);

/// What the correction did, on the saved pairs' table at the link's threshold (the draws'
/// reference).
struct UnseenLinksSummary {
  std::string mode = "off";
  bool applied = false;
  std::string reason;  // why not applied
  double recall = -1;  // the link's estimated blocking recall (what --unseen-links auto looks at)
  std::int64_t sample = 0;  // the high-agreement sample pairs the recall rests on
  /// The link's split estimate (link/blocking_splits.hpp): of `split_sample` high-agreement
  /// random pairs, `split_apart` never compared and left in two persons.
  std::int64_t split_sample = 0, split_apart = 0;
  /// Where the rate comes from: "blocking_splits" (above), or "latent_class" when the link
  /// estimated the true links it left apart with a latent-class model of the pairs within an
  /// area (link/missed_links.hpp): then split_sample and split_apart are that rate's effective
  /// sample (missed_links_sample) and the pairs it implies apart.
  std::string source = "blocking_splits";
  double missed_rate = -1;     // the latent-class model's rate (-1: not estimated)
  double missed_matches = 0;   // the matches it implies among the area pairs
  double split_rate() const {
    return split_sample > 0 ? static_cast<double>(split_apart) / static_cast<double>(split_sample) : 0.0;
  }
  /// The link's records per list (not saved): what the isolation model needs.
  estimate::RecordsPerList per_list;
  std::int64_t persons_before = 0, persons_after = 0;
  /// The draws' estimator on the corrected reference table over it on the reference, minus 1.
  double effect = 0;
  std::int64_t persons_merged() const { return persons_before - persons_after; }
  nlohmann::ordered_json to_json() const;
  static UnseenLinksSummary from_json(const nlohmann::json& j);
};

/// What the link estimated that the plan needs.
struct BlockingEstimates {
  double recall = -1;
  std::int64_t recall_sample = 0, split_sample = 0, split_apart = 0;
  double missed_rate = -1, missed_matches = 0;  // link/missed_links.hpp (-1, 0: not estimated)
};

/// The latent-class rate's relative standard error taken in the draws: its sampling error is
/// small beside the model's, which on 72 countries of an independent generator and the
/// simulator's noise scenarios was about this (docs/estimation.md).
inline constexpr double kMissedRateRelativeError = 0.25;

/// The effective sample n whose Binomial(n, s) / n has relative error kMissedRateRelativeError
/// at rate s (at most the implied matches, at least kMinUnseenLinksSample: above a rate of about
/// 14% the relative error is then under 25%).
std::int64_t missed_links_sample(double rate, double implied_matches);

/// Whether and how to correct: `reference` is the draws' reference table (its corrected
/// persons go in the summary; `effect` is left for the caller, who has the estimator);
/// `per_list` the link's records per list.
UnseenLinksSummary plan_unseen_links(UnseenLinksMode mode, const BlockingEstimates& link,
                                     const estimate::CaptureTable& reference, estimate::RecordsPerList per_list);

/// The split rate of draw `draw` (Binomial(n, s) / n, seeded); the estimated rate when not applied.
double split_rate_of_draw(const UnseenLinksSummary& plan, std::uint64_t seed, int draw);

/// A table corrected with split rate `rate` (unchanged when the plan is not applied): a draw's
/// with split_rate_of_draw's, the reference with the plan's estimated rate.
estimate::CaptureTable correct_with(const UnseenLinksSummary& plan, const estimate::CaptureTable& table, double rate);

/// The sentence the method and the CLI say about it ("" when off).
std::string unseen_links_text(const UnseenLinksSummary& s);

}  // namespace joindots::questions
