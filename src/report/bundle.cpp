#include "report/bundle.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "disclose/disclosure.hpp"
#include "io/text_file.hpp"

namespace joindots::report {

namespace {

nlohmann::json cell(const disclose::PublishedCell& c) {
  if (!c.suppressed()) return {{"value", c.value}};
  return {{"value", nullptr}, {"suppressed", c.status == disclose::CellStatus::Primary ? "primary" : "secondary"}};
}

}  // namespace

nlohmann::json count_cell(std::int64_t value) { return {{"value", value}}; }

nlohmann::json build_bundle(Store& store, const AreaTable& areas, Tier tier) {
  const bool is_public = tier == Tier::Public;
  const StoreSummary summary = store.summary();
  nlohmann::json b;
  b["schema"] = kBundleSchema;
  b["tier"] = is_public ? "public" : "restricted";
  b["generated_at"] = utc_timestamp();
  b["attribution"] =
      "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data "
      "\u00a9 Crown copyright and database right [2016].";
  b["disclosure"] = is_public ? nlohmann::json{{"suppress_below", 10}, {"round_to", 5}}
                              : nlohmann::json{{"note", "restricted tier: exact counts, not for publication"}};

  // The four questions: filled by the estimation stage; absent until it has run.
  b["headline"] = {{"victims", nullptr}, {"areas", nullptr}, {"offences", nullptr}, {"still_involved", nullptr}};

  // One release holds every count the page shows that adds up to another, so disclosure
  // control sees the relations between tables (victim records by area, region and nation).
  disclose::Release release;
  const auto by_area = store.records_by_area(Role::victim);
  std::map<std::string, std::vector<std::size_t>> region_parts;
  std::vector<std::size_t> area_cell(areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    auto it = by_area.find(areas[i].code);
    area_cell[i] = release.add(it == by_area.end() ? 0 : it->second);
    region_parts[areas[i].region_name].push_back(area_cell[i]);
  }
  const auto unknown_area = by_area.find("");
  const std::size_t unknown_cell = release.add(unknown_area == by_area.end() ? 0 : unknown_area->second);
  std::map<std::string, std::size_t> region_cell;
  std::vector<std::size_t> national_parts = {unknown_cell};
  for (const auto& [region, parts] : region_parts) {
    std::int64_t sum = 0;
    for (auto p : parts) sum += release.values[p];
    region_cell[region] = release.add(sum);
    release.relations.push_back({region_cell[region], parts});
    national_parts.push_back(region_cell[region]);
  }
  std::int64_t national = 0;
  for (auto p : national_parts) national += release.values[p];
  const std::size_t national_cell = release.add(national);
  release.relations.push_back({national_cell, national_parts});

  // Victim records by source type, summing to the same national total.
  const auto completeness = store.field_completeness(Role::victim);
  std::vector<std::size_t> source_cells;
  for (const auto& c : completeness) source_cells.push_back(release.add(c.records));
  if (!source_cells.empty()) release.relations.push_back({national_cell, source_cells});

  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(release);
  } else {
    for (auto v : release.values) published.push_back({disclose::CellStatus::Published, v});
  }

  nlohmann::json area_rows = nlohmann::json::array();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const Area& a = areas[i];
    area_rows.push_back({{"lad_cd", a.code},
                         {"name", a.name},
                         {"region", a.region_name},
                         {"pfa", a.pfa_name},
                         {"pop_0_17", a.pop_0_17},
                         {"victim_records", cell(published[area_cell[i]])}});
  }
  nlohmann::json region_rows = nlohmann::json::array();
  for (const auto& [region, c] : region_cell) region_rows.push_back({{"region", region}, {"victim_records", cell(published[c])}});
  b["areas"] = area_rows;
  b["regions"] = region_rows;
  b["victim_records"] = {{"total", cell(published[national_cell])}, {"no_area", cell(published[unknown_cell])}};

  nlohmann::json sources = nlohmann::json::array();
  for (std::size_t k = 0; k < completeness.size(); ++k) {
    const auto& c = completeness[k];
    const auto orgs = summary.sources_by_source_type.count(c.source_type) ? summary.sources_by_source_type.at(c.source_type) : 0;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [field, n] : c.with_value) {
      // Shares in whole percent; hidden when the source's own count is suppressed.
      const double share = c.records ? 100.0 * static_cast<double>(n) / static_cast<double>(c.records) : 0.0;
      fields[field] = published[source_cells[k]].suppressed() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(is_public ? std::round(share) : share);
    }
    sources.push_back({{"source_type", c.source_type},
                       {"organisations", orgs},
                       {"victim_records", cell(published[source_cells[k]])},
                       {"percent_with_value", fields}});
  }
  b["sources"] = sources;
  b["store"] = {{"schema_version", summary.schema_version}, {"files", summary.files}, {"runs", summary.runs}};
  return b;
}

}  // namespace joindots::report
