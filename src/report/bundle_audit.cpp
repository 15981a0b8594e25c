#include "report/bundle_audit.hpp"

#include <fmt/format.h>

#include <map>

#include "core/error.hpp"
#include "report/bundle.hpp"

namespace joindots::report {

namespace {

using nlohmann::json;

class Builder {
 public:
  BundleAudit& audit;
  explicit Builder(BundleAudit& a) : audit(a) {}

  std::size_t cell(const json& c, const std::string& name) {
    disclose::PublishedCell p;
    if (!c.is_object() || !c.contains("value")) throw UsageError(fmt::format("bundle: {} is not a cell", name));
    if (c["value"].is_null()) {
      p.status =
          c.value("suppressed", "") == "primary" ? disclose::CellStatus::Primary : disclose::CellStatus::Secondary;
    } else {
      p.value = c["value"].get<std::int64_t>();
    }
    audit.cells.push_back(p);
    audit.names.push_back(name);
    return audit.cells.size() - 1;
  }
  void relate(std::size_t total, std::vector<std::size_t> parts) {
    if (!parts.empty()) audit.relations.push_back({total, std::move(parts)});
  }
};

/// The offender networks' counts: the total and its size bands, which add up to it, and the
/// cross-force and multi-district networks (each at most the total: no identity, so alone),
/// as the networks stage protected them in one release. That stage publishes a bare number
/// or null without the kind of suppression; a null is audited as primary (the stricter).
void add_network_cells(Builder& add, const json& n) {
  if (!n.is_object()) return;
  const auto as_cell = [](const json& v) {
    return v.is_null() ? json{{"value", nullptr}, {"suppressed", "primary"}} : json{{"value", v}};
  };
  if (n.contains("networks")) {
    const auto total = add.cell(as_cell(n.at("networks")), "networks.networks");
    std::vector<std::size_t> bands;
    const json sizes = n.value("size_distribution", json::object());  // kept alive while iterated
    for (const auto& [band, v] : sizes.items())
      bands.push_back(add.cell(as_cell(v), "networks.size_distribution[" + band + "]"));
    add.relate(total, bands);
  }
  for (const char* k : {"cross_force_networks", "multi_district_networks"})
    if (n.contains(k)) add.cell(as_cell(n.at(k)), std::string("networks.") + k);
}

const char* status_name(disclose::CellStatus s) {
  return s == disclose::CellStatus::Primary     ? "primary"
         : s == disclose::CellStatus::Secondary ? "secondary"
                                                : "published";
}

}  // namespace

std::vector<std::string> BundleAudit::problems() const {
  std::vector<std::string> out;
  if (!result.feasible) out.push_back("the published values contradict the relations between the tables");
  for (auto i : result.leaks) {
    const auto& r = result.ranges[i];
    out.push_back(fmt::format("{} ({}): can be narrowed to {}-{}, narrower than the {} values required", names[i],
                              status_name(cells[i].status), r.lo, r.hi, result.required[i]));
  }
  return out;
}

BundleAudit audit_public_bundle(const json& b) {
  if (b.value("schema", "") != kBundleSchema || b.value("tier", "") != "public")
    throw UsageError(fmt::format("the disclosure audit takes a public bundle of schema {}", kBundleSchema));
  BundleAudit audit;
  const auto rules = b.value("disclosure", json::object());
  audit.rules.threshold = rules.value("suppress_below", audit.rules.threshold);
  audit.rules.base = rules.value("round_to", audit.rules.base);
  Builder add(audit);

  // Districts, regions, the nation (and the districts' unknown area).
  std::map<std::string, std::vector<std::size_t>> by_region;
  for (const auto& a : b.at("areas"))
    by_region[a.at("region").get<std::string>()].push_back(
        add.cell(a.at("count"), "areas[" + a.at("lad_cd").get<std::string>() + "]"));
  std::vector<std::size_t> national_parts;
  for (const auto& r : b.at("regions")) {
    const auto region = r.at("region").get<std::string>();
    const auto c = add.cell(r.at("count"), "regions[" + region + "]");
    add.relate(c, by_region[region]);
    national_parts.push_back(c);
  }
  const auto& ac = b.at("area_counts");
  national_parts.push_back(add.cell(ac.at("no_area"), "area_counts.no_area"));
  const auto national = add.cell(ac.at("total"), "area_counts.total");
  add.relate(national, national_parts);

  // Victim records by source type.
  std::vector<std::size_t> source_parts;
  for (const auto& s : b.at("sources"))
    source_parts.push_back(
        add.cell(s.at("victim_records"), "sources[" + s.at("source_type").get<std::string>() + "].victim_records"));
  const auto records_total = add.cell(b.at("victim_records_total"), "victim_records_total");
  add.relate(records_total, source_parts);
  if (ac.value("measure", "") == "victim_records") add.relate(national, {records_total});  // one count, two places

  // The four answers, the strata, the overlap of the lists.
  std::optional<std::size_t> victims;
  for (const auto& [q, h] : b.at("headline").items()) {
    if (h.is_null()) continue;
    const auto c = add.cell(h.at("known"), "headline." + q + ".known");
    if (q == "victims") victims = c;
  }
  std::map<std::string, std::vector<std::size_t>> by_dimension;
  for (const auto& s : b.value("strata", json::array()))
    by_dimension[s.at("dimension").get<std::string>()].push_back(
        add.cell(s.at("known"),
                 "strata[" + s.at("dimension").get<std::string>() + "=" + s.at("value").get<std::string>() + "]"));
  if (victims)
    for (const auto& [dim, parts] : by_dimension) add.relate(*victims, parts);
  // The known victims are the persons of the estimate's link run: the map's total when the
  // map counts the same run's persons.
  if (victims && ac.value("measure", "") == "victims" && !ac.value("link_run", json(nullptr)).is_null() &&
      b.value("estimate_link_run", json(nullptr)) == ac.at("link_run"))
    add.relate(national, {*victims});
  const auto& overlap = b.value("overlap", json(nullptr));
  if (overlap.is_object()) {
    const auto total = add.cell(overlap.at("total"), "overlap.total");
    if (victims) add.relate(*victims, {total});
    std::vector<std::size_t> patterns;
    std::vector<std::string> bits;
    for (const auto& p : overlap.at("patterns")) {
      bits.push_back(p.at("pattern").get<std::string>());
      patterns.push_back(add.cell(p.at("count"), "overlap.patterns[" + bits.back() + "]"));
    }
    add.relate(total, patterns);
    const auto lists = overlap.at("lists");
    for (const auto& t : overlap.at("list_totals")) {
      const auto list = t.at("list").get<std::string>();
      std::size_t k = 0;
      while (k < lists.size() && lists[k] != list) ++k;
      std::vector<std::size_t> parts;
      for (std::size_t i = 0; i < bits.size(); ++i)
        if (k < bits[i].size() && bits[i][k] == '1') parts.push_back(patterns[i]);
      add.relate(add.cell(t.at("count"), "overlap.list_totals[" + list + "]"), parts);
    }
  }

  // Linkage counts stand alone, except the victims' persons: when the map counts that very
  // link run's persons, they are the map's total.
  for (const auto& l : b.value("linkage", json::array())) {
    const auto role = l.at("role").get<std::string>();
    for (const char* k : {"records", "persons", "candidate_pairs", "linked_pairs"}) {
      const auto c = add.cell(l.at(k), fmt::format("linkage[{}].{}", role, k));
      if (role == "victim" && std::string(k) == "persons" && ac.value("measure", "") == "victims" &&
          ac.value("link_run", json(nullptr)) == l.value("run_id", json(nullptr)))
        add.relate(national, {c});
    }
  }

  add_network_cells(add, b.value("networks", json(nullptr)));
  audit.result = disclose::lp_audit(audit.cells, audit.relations, audit.rules);
  return audit;
}

}  // namespace joindots::report
