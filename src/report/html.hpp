#pragma once
// The self-contained HTML report: the page's script and style (built from web/ by npm),
// the results bundle and the district and region boundaries, inlined into one file that opens from
// disk with no network.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace joindots::report {

/// The built front end (web/dist): $JOINDOTS_WEB_DIST, else the folder fixed at build
/// time. Throws UsageError saying how to build it when report.js is missing.
std::filesystem::path web_dist_dir();

/// The region boundaries (GeoJSON, property rgn_nm) in the same folder as the districts'.
std::filesystem::path regions_geojson_beside(const std::filesystem::path& districts_geojson);


/// Writes the report to `out` (via a temporary file and a rename).
void write_report_html(const std::filesystem::path& out, const nlohmann::json& bundle,
                       const std::filesystem::path& boundaries_geojson);

}  // namespace joindots::report
