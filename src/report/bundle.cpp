#include "report/bundle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "disclose/disclosure.hpp"
#include "io/text_file.hpp"
#include "networks/store_networks.hpp"
#include "questions/estimate_run.hpp"
#include "report/bundle_estimates.hpp"

namespace joindots::report {

namespace {

/// A model statistic copied when present (numbers, strings, booleans: not counts of people).
void copy_keys(nlohmann::json& out, const nlohmann::json& in, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (in.contains(k)) out[k] = in.at(k);
}

/// A count standing alone (no relation to another published count): primary suppression and
/// rounding in the public tier, exact in the restricted tier.
nlohmann::json lone_count(std::int64_t value, bool is_public) {
  if (!is_public) return {{"value", value}};
  disclose::Release r;
  r.add(value);
  return cell(disclose::protect(r)[0]);
}

/// The linkage model of the latest link run per role: m and u probabilities and match
/// weights per comparison level, pairs per blocking rule, the model's estimated precision.
/// Model parameters are published as they are; counts of records, persons and pairs pass
/// lone_count. Blocking keys (identifiers, dates, postcodes) are never copied.
nlohmann::json linkage_json_impl(Store& store, bool is_public) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : store.latest_link_diagnostics()) {
    const auto diag = nlohmann::json::parse(d.diagnostics_json);
    const auto params = nlohmann::json::parse(d.params_json);
    nlohmann::json fields = nlohmann::json::array();
    const auto model = diag.value("model", nlohmann::json::object());
    for (const auto& f : model.value("fields", nlohmann::json::array())) {
      nlohmann::json levels = nlohmann::json::array();
      for (const auto& l : f.value("levels", nlohmann::json::array())) {
        const double m = l.value("m", 0.0), u = l.value("u", 0.0);
        levels.push_back({{"level", l.value("level", "")},
                          {"m", m},
                          {"u", u},
                          {"weight", m > 0 && u > 0 ? nlohmann::json(std::log2(m / u)) : nlohmann::json(nullptr)}});
      }
      fields.push_back(
          {{"field", f.value("field", "")}, {"comparator", f.value("comparator", "")}, {"levels", levels}});
    }
    nlohmann::json blocking = nlohmann::json::array();
    for (const auto& r : diag.value("blocking", nlohmann::json::array()))
      blocking.push_back({{"rule", r.value("rule", "")},
                          {"pairs_implied", lone_count(r.value("pairs_implied", std::int64_t{0}), is_public)},
                          {"pairs_new", lone_count(r.value("pairs_new", std::int64_t{0}), is_public)}});
    const auto cluster = diag.value("cluster", nlohmann::json::object());
    nlohmann::json role = {
        {"role", to_string(d.role)},
        {"run_id", d.run_id},
        {"threshold", params.value("threshold", 0.5)},
        {"records", lone_count(diag.value("records", std::int64_t{0}), is_public)},
        {"persons", lone_count(diag.value("persons", std::int64_t{0}), is_public)},
        {"candidate_pairs", lone_count(diag.value("candidate_pairs", std::int64_t{0}), is_public)},
        {"linked_pairs", lone_count(d.linked_pairs, is_public)},
        {"estimated_precision", d.linked_pairs > 0 ? nlohmann::json(d.mean_probability) : nlohmann::json(nullptr)},
        {"em_iterations", model.value("em_iterations", 0)},
        {"em_converged", model.value("em_converged", false)},
        {"prior", model.value("prior", 0.0)},
        {"fields", fields},
        {"blocking", blocking},
        {"refused_merges",
         {{"hard_rule", lone_count(cluster.value("refused_hard_rule", std::int64_t{0}), is_public)},
          {"cohesion", lone_count(cluster.value("refused_cohesion", std::int64_t{0}), is_public)},
          {"clerical", lone_count(cluster.value("refused_clerical", std::int64_t{0}), is_public)}}},
    };
    // The largest cluster is one child's number of records: restricted tier only.
    if (!is_public) role["largest_cluster"] = cluster.value("largest", 0);
    if (diag.contains("evaluation")) {
      const auto& ev = diag.at("evaluation");
      nlohmann::json e = nlohmann::json::object();
      copy_keys(e, ev, {"precision", "recall", "f1", "bcubed_precision", "bcubed_recall", "blocking_recall"});
      e["true_persons"] = lone_count(ev.value("true_persons", std::int64_t{0}), is_public);
      e["found_persons"] = lone_count(ev.value("found_persons", std::int64_t{0}), is_public);
      role["evaluation"] = e;
    }
    out.push_back(role);
  }
  return out;
}

/// The clerical-review band of the latest link run per role (restricted tier only): the
/// record pairs the model could not decide, most probable first, each record named by its
/// source and record id with the person it was resolved to, the pair's match weight and
/// probability, and every compared field's agreement level. Identifier values (names,
/// dates of birth, postcodes) stay in the store: the review CSV of `joindots link --review`
/// shows them side by side.
nlohmann::json review_json(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : store.latest_link_diagnostics()) {
    const auto diag = nlohmann::json::parse(d.diagnostics_json);
    const auto params = nlohmann::json::parse(d.params_json);
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : diag.value("model", nlohmann::json::object()).value("fields", nlohmann::json::array()))
      fields.push_back(f.value("field", ""));
    std::int64_t total = 0;
    const auto pairs = store.review_pairs(d.run_id, d.role, kReviewPairsShown, total);
    const auto record = [](const ReviewRecord& r) {
      return nlohmann::json{{"source_type", to_string(r.source_type)}, {"source_org", r.source_org},
                            {"record_id", r.record_id}, {"event_date", r.event_date.str()}, {"person_id", r.person_id}};
    };
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : pairs)
      rows.push_back({{"a", record(p.a)},
                      {"b", record(p.b)},
                      {"weight", std::round(p.weight * 100) / 100},
                      {"probability", std::round(p.probability * 10000) / 10000},
                      {"same_person", p.a.person_id != 0 && p.a.person_id == p.b.person_id},
                      {"levels", nlohmann::json::parse(p.levels_json)}});
    out.push_back({{"role", to_string(d.role)},
                   {"run_id", d.run_id},
                   {"band", params.value("review", nlohmann::json(nullptr))},
                   {"threshold", params.value("threshold", 0.5)},
                   {"fields", fields},
                   {"pairs_in_band", total},
                   {"pairs", rows}});
  }
  return out;
}

/// Every count the page shows that adds up to another, in one release so that disclosure
/// control sees the relations between tables: districts, regions, nation; victim records by
/// source type, summing to the records total (which is the map's total when the map counts
/// records).
struct CountCells {
  disclose::Release release;
  std::vector<std::size_t> area, source;
  std::map<std::string, std::size_t> region;
  std::size_t unknown_area = 0, national = 0, records = 0;
};

CountCells count_cells(const std::map<std::string, std::int64_t>& by_area, const AreaTable& areas,
                       const std::vector<FieldCompleteness>& completeness, bool counts_persons) {
  CountCells c;
  auto& release = c.release;
  std::map<std::string, std::vector<std::size_t>> region_parts;
  c.area.resize(areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    auto it = by_area.find(areas[i].code);
    c.area[i] = release.add(it == by_area.end() ? 0 : it->second);
    region_parts[areas[i].region_name].push_back(c.area[i]);
  }
  const auto unknown_area = by_area.find("");
  c.unknown_area = release.add(unknown_area == by_area.end() ? 0 : unknown_area->second);
  std::vector<std::size_t> national_parts = {c.unknown_area};
  for (const auto& [region, parts] : region_parts) {
    std::int64_t sum = 0;
    for (auto p : parts) sum += release.values[p];
    c.region[region] = release.add(sum);
    release.relations.push_back({c.region[region], parts});
    national_parts.push_back(c.region[region]);
  }
  std::int64_t national = 0;
  for (auto p : national_parts) national += release.values[p];
  c.national = release.add(national);
  release.relations.push_back({c.national, national_parts});
  std::int64_t records_total = 0;
  for (const auto& f : completeness) {
    c.source.push_back(release.add(f.records));
    records_total += f.records;
  }
  c.records = counts_persons ? release.add(records_total) : c.national;
  if (!c.source.empty()) release.relations.push_back({c.records, c.source});
  return c;
}

/// The map's counts per district and region, and victim records per source type with the
/// share of each holding every identifier field.
void add_counts(nlohmann::json& b, Store& store, const AreaTable& areas, const StoreSummary& summary, bool is_public) {
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
  const auto completeness = store.field_completeness(Role::victim);
  const CountCells cells = count_cells(by_area, areas, completeness, link_run.has_value());
  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(cells.release);
  } else {
    for (auto v : cells.release.values) published.push_back({disclose::CellStatus::Published, v});
  }
  nlohmann::json area_rows = nlohmann::json::array();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const Area& a = areas[i];
    area_rows.push_back({{"lad_cd", a.code},
                         {"name", a.name},
                         {"region", a.region_name},
                         {"pfa", a.pfa_name},
                         {"pop_0_17", a.pop_0_17},
                         {"lon", std::round(a.lon * 1000) / 1000},
                         {"lat", std::round(a.lat * 1000) / 1000},
                         {"count", cell(published[cells.area[i]])}});
  }
  nlohmann::json region_rows = nlohmann::json::array();
  for (const auto& [region, c] : cells.region)
    region_rows.push_back({{"region", region}, {"count", cell(published[c])}});
  b["areas"] = area_rows;
  b["regions"] = region_rows;
  b["area_counts"] = {{"measure", link_run ? "victims" : "victim_records"},
                      {"label", link_run ? "known victims (children linked across agencies)" : "victim records"},
                      {"link_run", link_run ? nlohmann::json(*link_run) : nlohmann::json(nullptr)},
                      {"total", cell(published[cells.national])},
                      {"no_area", cell(published[cells.unknown_area])}};
  b["victim_records_total"] = cell(published[cells.records]);
  nlohmann::json sources = nlohmann::json::array();
  for (std::size_t k = 0; k < completeness.size(); ++k) {
    const auto& c = completeness[k];
    const auto orgs =
        summary.sources_by_source_type.count(c.source_type) ? summary.sources_by_source_type.at(c.source_type) : 0;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [field, n] : c.with_value) {
      // Shares in whole percent; hidden when the source's own count is suppressed.
      const double share = c.records ? 100.0 * static_cast<double>(n) / static_cast<double>(c.records) : 0.0;
      fields[field] = published[cells.source[k]].suppressed() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(is_public ? std::round(share) : share);
    }
    sources.push_back({{"source_type", c.source_type},
                       {"organisations", orgs},
                       {"victim_records", cell(published[cells.source[k]])},
                       {"percent_with_value", fields}});
  }
  b["sources"] = sources;
}

/// Offender networks: the networks stage's public-tier aggregates (already through
/// disclosure control; the bundle's audit checks them again), chosen by the stage's
/// allow-list, so figures measured against a simulator's truth never reach the page.
void add_networks(nlohmann::json& b, Store& store) {
  b["networks"] = nullptr;
  if (auto run = store.latest_run_summary("networks"))
    b["networks"] = networks::public_summary(nlohmann::json::parse(run->second));
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
  b["diagnostics"] = nlohmann::json::array();
  b["overlap"] = nullptr;
  b["models"] = nullptr;
  if (const auto run = questions::latest_estimate_run(store)) {
    add_estimates(b, run->answers, is_public);
    b["estimate_run"] = run->run_id;
    b["estimate_link_run"] = run->answers.link_run;
  }

  add_counts(b, store, areas, summary, is_public);
  add_networks(b, store);
  b["linkage"] = linkage_json_impl(store, is_public);
  // Record-level linkage review: the restricted tier only, never in a public bundle.
  if (!is_public) b["review"] = review_json(store);
  b["store"] = {{"schema_version", summary.schema_version}, {"files", summary.files}, {"runs", summary.runs}};
  return b;
}

}  // namespace joindots::report
