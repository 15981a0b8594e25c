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

/// An estimate and its interval as published: in the public tier rounded outward to two
/// significant figures of the interval's width (the estimate to the same step).
nlohmann::json published_estimate(const nlohmann::json& estimate, const nlohmann::json& interval, bool is_public) {
  nlohmann::json out = nlohmann::json::object();
  if (estimate.is_null()) return out;
  double e = estimate.get<double>();
  if (interval.is_array()) {
    double lo = interval[0].get<double>(), hi = interval[1].get<double>();
    if (is_public) {
      const auto [rlo, rhi] = disclose::round_interval(lo, hi);
      const double step = std::max(1.0, std::pow(10.0, std::floor(std::log10(std::max(hi - lo, 1.0))) - 1));
      e = std::round(e / step) * step;
      lo = rlo;
      hi = rhi;
    }
    out["interval"] = {lo, hi};
  }
  out["estimate"] = is_public ? std::round(e) : e;
  return out;
}

/// The four answers and the strata of an estimate run, through disclosure control: known
/// counts in one release (strata of a dimension add up to the known total), estimates
/// rounded, and an estimate withheld wherever its known count is suppressed.
void add_estimates(nlohmann::json& b, const nlohmann::json& answers, bool is_public) {
  static const char* kQuestions[] = {"victims", "areas", "offences", "still_involved"};
  disclose::Release release;
  std::map<std::string, std::size_t> question_cell;
  for (const char* q : kQuestions) question_cell[q] = release.add(answers.at(q).at("known").get<std::int64_t>());
  std::map<std::string, std::vector<std::size_t>> by_dimension;
  std::vector<std::size_t> stratum_cell;
  for (const auto& s : answers.value("strata", nlohmann::json::array())) {
    stratum_cell.push_back(release.add(s.at("observed").get<std::int64_t>()));
    by_dimension[s.at("dimension").get<std::string>()].push_back(stratum_cell.back());
  }
  for (const auto& [dim, parts] : by_dimension) release.relations.push_back({question_cell["victims"], parts});
  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(release);
  } else {
    for (auto v : release.values) published.push_back({disclose::CellStatus::Published, v});
  }
  for (const char* q : kQuestions) {
    const auto& a = answers.at(q);
    const auto& known = published[question_cell[q]];
    nlohmann::json h = published_estimate(known.suppressed() ? nlohmann::json(nullptr) : a.at("estimate"), a.at("interval"),
                                          is_public);
    h["known"] = cell(known);
    h["method"] = a.value("method", "");
    h["note"] = a.value("assumption", "");
    b["headline"][q] = h;
  }
  b["lists"] = answers.value("lists", nlohmann::json::array());
  b["reference_date"] = answers.value("reference_date", "");
  std::size_t i = 0;
  for (const auto& s : answers.value("strata", nlohmann::json::array())) {
    const auto& known = published[stratum_cell[i++]];
    nlohmann::json row = published_estimate(known.suppressed() ? nlohmann::json(nullptr) : s.at("estimate"),
                                            s.at("interval"), is_public);
    row["dimension"] = s.at("dimension");
    row["value"] = s.at("value");
    row["known"] = cell(known);
    row["flag"] = s.value("flag", "");
    b["strata"].push_back(row);
  }
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

  // The four questions: from the latest estimate run; null until one has run.
  b["headline"] = {{"victims", nullptr}, {"areas", nullptr}, {"offences", nullptr}, {"still_involved", nullptr}};
  b["strata"] = nlohmann::json::array();
  if (auto run = store.latest_run_summary("estimate")) {
    const auto answers = nlohmann::json::parse(run->second);
    add_estimates(b, answers, is_public);
    b["estimate_run"] = run->first;
  }

  // What the map counts: known victims (persons linked across agencies) once a link run
  // exists, victim records before that.
  std::map<std::string, std::int64_t> by_area;
  const auto link_run = store.latest_link_run(Role::victim);
  if (link_run) {
    store.for_each_linked_person(*link_run, Role::victim,
                                 [&](const LinkedPerson& p, const std::optional<Date>&) { ++by_area[p.lad_cd]; });
  } else {
    by_area = store.records_by_area(Role::victim);
  }

  // One release holds every count the page shows that adds up to another, so disclosure
  // control sees the relations between tables (districts, regions, nation; source types).
  disclose::Release release;
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

  // Victim records by source type, summing to the records total (which equals the map's
  // total when the map counts records).
  const auto completeness = store.field_completeness(Role::victim);
  std::vector<std::size_t> source_cells;
  std::int64_t records_total = 0;
  for (const auto& c : completeness) {
    source_cells.push_back(release.add(c.records));
    records_total += c.records;
  }
  const std::size_t records_cell = link_run ? release.add(records_total) : national_cell;
  if (!source_cells.empty()) release.relations.push_back({records_cell, source_cells});

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
                         {"count", cell(published[area_cell[i]])}});
  }
  nlohmann::json region_rows = nlohmann::json::array();
  for (const auto& [region, c] : region_cell) region_rows.push_back({{"region", region}, {"count", cell(published[c])}});
  b["areas"] = area_rows;
  b["regions"] = region_rows;
  b["area_counts"] = {{"measure", link_run ? "victims" : "victim_records"},
                      {"label", link_run ? "known victims (children linked across agencies)" : "victim records"},
                      {"link_run", link_run ? nlohmann::json(*link_run) : nlohmann::json(nullptr)},
                      {"total", cell(published[national_cell])},
                      {"no_area", cell(published[unknown_cell])}};
  b["victim_records_total"] = cell(published[records_cell]);

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
