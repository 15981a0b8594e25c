#pragma once
// The victims' linkage draws corrected for true links that blocking never compared
// (estimate/unseen_links.hpp; docs/estimation.md, "Links blocking never compared"): each draw's
// capture table is corrected with a blocking recall drawn from its sampling distribution
// (Binomial(n, r) / n, n the link's high-agreement sample pairs), so the combined interval
// carries the recall's uncertainty; the link's own table is corrected with the estimated
// recall to say what the correction does.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "estimate/capture_table.hpp"

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
  double recall = -1;
  std::int64_t sample = 0;
  std::int64_t persons_before = 0, persons_after = 0;
  /// The draws' estimator on the corrected reference table over it on the reference, minus 1.
  double effect = 0;
  std::int64_t persons_merged() const { return persons_before - persons_after; }
  nlohmann::ordered_json to_json() const;
  static UnseenLinksSummary from_json(const nlohmann::json& j);
};

/// Whether and how to correct: `reference` is the draws' reference table (its corrected
/// persons go in the summary; `effect` is left for the caller, who has the estimator).
UnseenLinksSummary plan_unseen_links(UnseenLinksMode mode, double recall, std::int64_t sample,
                                     const estimate::CaptureTable& reference);

/// The recall of draw `draw` (Binomial(n, r) / n, seeded); the estimated recall when not applied.
double recall_of_draw(const UnseenLinksSummary& plan, std::uint64_t seed, int draw);

/// A table corrected with `recall` (unchanged when the plan is not applied): a draw's with
/// recall_of_draw's, the reference with the plan's estimated recall.
estimate::CaptureTable correct_with(const UnseenLinksSummary& plan, const estimate::CaptureTable& table, double recall);

/// The sentence the method and the CLI say about it ("" when off).
std::string unseen_links_text(const UnseenLinksSummary& s);

}  // namespace joindots::questions
