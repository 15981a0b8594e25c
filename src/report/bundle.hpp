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

/// Builds the bundle from the store. `geo_dir` is the reference data's geo/ folder (the
/// district boundaries go into the bundle so the page draws its map offline).
nlohmann::json build_bundle(Store& store, const AreaTable& areas, Tier tier);

/// The linkage diagnostics of the latest link run per role (the bundle's "linkage").
nlohmann::json linkage_json(Store& store, bool is_public);

/// A count cell as the page expects it: {"value": n} or, suppressed, {"value": null,
/// "suppressed": "primary"|"secondary"}.
nlohmann::json count_cell(std::int64_t value);

}  // namespace joindots::report
