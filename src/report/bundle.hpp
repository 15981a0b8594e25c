#pragma once
// The results bundle: everything the page shows, as versioned JSON (schema
// "joindots-results/1", documented in docs/report.md). The report embeds it; the dashboard
// fetches it. In the public tier every count has passed disclosure control (src/disclose)
// and no record or person appears; the restricted tier carries exact counts.
#include <nlohmann/json.hpp>
#include <string>

#include "core/areas.hpp"
#include "store/store.hpp"

namespace joindots::report {

enum class Tier { Public, Restricted };

inline constexpr const char* kBundleSchema = "joindots-results/1";

/// The restricted tier's review table shows at most this many pairs per role (most
/// probable first); `pairs_in_band` says how many the band holds.
inline constexpr std::size_t kReviewPairsShown = 500;

/// Builds the bundle from the store, each table through disclosure control in the public
/// tier, without the exact audit: front ends take their bundles from publish.hpp's
/// publishable_bundle, which audits and refuses.
nlohmann::json build_bundle(Store& store, const AreaTable& areas, Tier tier);

/// A count cell as the page expects it: {"value": n} or, suppressed, {"value": null,
/// "suppressed": "primary"|"secondary"}.
nlohmann::json count_cell(std::int64_t value);

}  // namespace joindots::report
