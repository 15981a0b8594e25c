#include "networks/summary.hpp"

#include <algorithm>
#include <map>

namespace joindots::networks {

namespace {

std::size_t band_of(std::size_t suspects) {
  if (suspects <= 2) return suspects == 0 ? 0 : suspects - 1;
  if (suspects <= 4) return 2;
  if (suspects <= 9) return 3;
  return 4;
}

nlohmann::json cell_json(const disclose::PublishedCell& c) {
  if (c.suppressed()) return nullptr;
  return c.value;
}

nlohmann::json area_json(const std::string& code, const AreaTable* areas) {
  nlohmann::json j = {{"lad_cd", code}};
  if (areas)
    if (const Area* a = areas->find(code)) j["name"] = a->name;
  return j;
}

}  // namespace

NetworkSummary summarise(const NetworkResult& result, std::size_t top_pairs) {
  NetworkSummary s;
  s.size_distribution = {{"1", 0}, {"2", 0}, {"3-4", 0}, {"5-9", 0}, {"10+", 0}};
  std::map<std::pair<std::string, std::string>, std::int64_t> pairs;
  for (const auto& n : result.networks) {
    ++s.networks;
    s.cross_force += n.cross_force();
    s.multi_district += n.lads.size() > 1;
    s.suspects_in_networks += static_cast<std::int64_t>(n.suspects.size());
    s.victim_memberships += static_cast<std::int64_t>(n.victims.size());
    ++s.size_distribution[band_of(n.suspects.size())].networks;
    for (std::size_t i = 0; i < n.lads.size(); ++i)
      for (std::size_t j = i + 1; j < n.lads.size(); ++j) ++pairs[{n.lads[i], n.lads[j]}];
  }
  for (const auto& [p, count] : pairs) s.top_area_pairs.push_back({p.first, p.second, count});
  std::stable_sort(s.top_area_pairs.begin(), s.top_area_pairs.end(),
                   [](const AreaPair& x, const AreaPair& y) { return x.networks > y.networks; });
  if (s.top_area_pairs.size() > top_pairs) s.top_area_pairs.resize(top_pairs);
  return s;
}

nlohmann::json public_json(const NetworkResult& result, const NetworkSummary& summary, const disclose::Rules& rules,
                           const AreaTable* areas) {
  // One release: total networks = sum of the size bands; cross-force and multi-district
  // networks are published cells of their own.
  disclose::Release release;
  const auto total = release.add(summary.networks);
  disclose::Relation bands{total, {}};
  for (const auto& b : summary.size_distribution) bands.parts.push_back(release.add(b.networks));
  release.relations.push_back(bands);
  const auto cross = release.add(summary.cross_force);
  const auto multi = release.add(summary.multi_district);
  const auto published = disclose::protect(release, rules);

  nlohmann::json sizes = nlohmann::json::object();
  for (std::size_t i = 0; i < summary.size_distribution.size(); ++i)
    sizes[summary.size_distribution[i].label] = cell_json(published[bands.parts[i]]);
  nlohmann::json top = nlohmann::json::array();
  for (const auto& p : summary.top_area_pairs) {
    if (p.networks < rules.threshold) continue;
    top.push_back({{"a", area_json(p.a, areas)},
                   {"b", area_json(p.b, areas)},
                   {"networks", disclose::round_to_base(p.networks, rules.base)}});
  }
  nlohmann::json large = nlohmann::json::array();
  for (const auto& n : result.networks) {
    if (n.persons() < rules.threshold) continue;
    // A described network's own counts follow the same rule as every other count: 1 to
    // threshold-1 suppressed, the rest rounded.
    auto count = [&](std::size_t n) -> nlohmann::json {
      const auto v = static_cast<std::int64_t>(n);
      if (v > 0 && v < rules.threshold) return nullptr;
      return disclose::round_to_base(v, rules.base);
    };
    large.push_back({{"suspects", count(n.suspects.size())},
                     {"victims", count(n.victims.size())},
                     {"lads", n.lads},
                     {"pfas", n.pfas},
                     {"first", n.first.str().substr(0, 7)},
                     {"last", n.last.str().substr(0, 7)}});
  }
  return {{"tier", "public"},
          {"threshold", rules.threshold},
          {"rounding_base", rules.base},
          {"networks", cell_json(published[total])},
          {"cross_force_networks", cell_json(published[cross])},
          {"multi_district_networks", cell_json(published[multi])},
          {"size_distribution", sizes},
          {"size_unit", "suspects per network"},
          {"top_area_pairs", top},
          {"large_networks", large}};
}

nlohmann::json restricted_json(const NetworkResult& result) {
  auto persons_json = [](const std::vector<PersonKey>& ps) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : ps) a.push_back({{"role", to_string(p.role)}, {"person_id", p.person_id}});
    return a;
  };
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& n : result.networks)
    nets.push_back({{"id", n.id},
                    {"suspects", persons_json(n.suspects)},
                    {"victims", persons_json(n.victims)},
                    {"lads", n.lads},
                    {"pfas", n.pfas},
                    {"cases", n.cases},
                    {"records", n.records},
                    {"first", n.first.str()},
                    {"last", n.last.str()},
                    {"cross_force", n.cross_force()}});
  return {{"tier", "restricted"}, {"networks", nets}};
}

}  // namespace joindots::networks
