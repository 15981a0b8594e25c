#include "simulate/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "simulate/synthetic_ids.hpp"

namespace joindots::simulate {

namespace {

constexpr std::size_t kNear = 6;

// Six synthetic regional charities; each covers one or more regions.
struct CharityRegion {
  std::string_view region_name;
  std::size_t charity;
};
constexpr std::string_view kCharityCodes[] = {"CHY-NORTH", "CHY-NORTHWEST", "CHY-MIDLANDS",
                                              "CHY-EAST",  "CHY-SOUTH",     "CHY-CYMRU"};
constexpr CharityRegion kCharityRegions[] = {
    {"North East", 0},      {"Yorkshire and The Humber", 0}, {"North West", 1},
    {"East Midlands", 2},   {"West Midlands", 2},            {"East of England", 3},
    {"London", 3},          {"South East", 4},               {"South West", 4},
    {"Wales", 5},
};

}  // namespace

Geography build_geography(const AreaTable& areas, const SimConfig& config, std::uint64_t seed) {
  Geography geo;
  geo.areas = &areas;
  const std::size_t n = areas.size();
  geo.near.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    for (auto j : areas.nearest(i, kNear)) geo.near[i].push_back(static_cast<std::uint16_t>(j));

  // Rates: pop_10_17 x exp(area effect) x hotspot multipliers.
  Rng rng(seed, "areas");
  std::vector<double> effect(n);
  for (auto& e : effect) e = std::exp(rng.normal(0, config.area_effect_sd));
  geo.hotspot.assign(n, 0);
  const auto n_hot = static_cast<std::size_t>(std::llround(config.hotspot_share * static_cast<double>(n)));
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  rng.shuffle(order);
  for (std::size_t k = 0; k < n_hot && k < n; ++k) geo.hotspot[order[k]] = 2;
  const auto n_neigh = static_cast<std::size_t>(config.hotspot_neighbours);
  for (std::size_t i = 0; i < n; ++i) {
    if (geo.hotspot[i] != 2) continue;
    for (auto j : areas.nearest(i, n_neigh))
      if (geo.hotspot[j] == 0) geo.hotspot[j] = 1;
  }
  geo.rate.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double mult = geo.hotspot[i] == 2   ? config.hotspot_multiplier
                        : geo.hotspot[i] == 1 ? config.hotspot_neighbour_multiplier
                                              : 1.0;
    geo.rate[i] = static_cast<double>(std::max<std::int64_t>(areas[i].pop_10_17, 1)) * effect[i] * mult;
  }
  geo.by_rate = AliasTable(geo.rate);

  // NHS trusts: districts in table order; an unassigned district opens a trust that takes up
  // to three of its nearest unassigned neighbours in the same region.
  geo.trust_of.assign(n, UINT16_MAX);
  for (std::size_t i = 0; i < n; ++i) {
    if (geo.trust_of[i] != UINT16_MAX) continue;
    const auto t = static_cast<std::uint16_t>(geo.trust_codes.size());
    const std::uint64_t v = permute(t, 36 * 36 * 36, 0x7472757374ULL);
    static constexpr std::string_view kB36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    geo.trust_codes.push_back(fmt::format("RT{}{}{}", kB36[v / 1296], kB36[v / 36 % 36], kB36[v % 36]));
    geo.trust_of[i] = t;
    const std::size_t size = 2 + i % 3;  // 2-4 districts
    std::size_t taken = 1;
    for (auto j : geo.near[i]) {
      if (taken >= size) break;
      if (geo.trust_of[j] == UINT16_MAX && areas[j].region_code == areas[i].region_code) {
        geo.trust_of[j] = t;
        ++taken;
      }
    }
  }

  // Charities by region.
  for (auto code : kCharityCodes) geo.charity_codes.emplace_back(code);
  geo.charity_of.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t c = hash_tag(areas[i].region_code) % std::size(kCharityCodes);
    for (const auto& cr : kCharityRegions)
      if (cr.region_name == areas[i].region_name) c = cr.charity;
    geo.charity_of[i] = static_cast<std::uint16_t>(c);
  }
  return geo;
}

std::vector<Group> build_groups(const Geography& geo, const SimConfig& config, std::uint64_t seed) {
  const auto count = static_cast<std::uint64_t>(std::max<long long>(1, std::llround(config.groups * config.scale)));
  std::vector<Group> groups(count);
  const std::int64_t study_start = config.study_start.days(), study_end = config.study_end.days();
  const std::int64_t reference = config.reference_date.days();
  std::uint64_t offender_base = 0, victim_base = 0;
  for (std::uint64_t g = 0; g < count; ++g) {
    Rng rng(seed, "group", g);
    Group& group = groups[g];
    group.id = static_cast<std::uint32_t>(g);
    const auto home = geo.by_rate.draw(rng);
    group.lads[0] = static_cast<std::uint16_t>(home);
    group.n_lads = 1;
    if (rng.bernoulli(config.multi_area_share)) {
      const auto extra = 1 + rng.below(3);
      const auto& near = geo.near[home];
      std::vector<std::uint16_t> pool(near.begin(), near.begin() + std::min<std::size_t>(near.size(), 4));
      rng.shuffle(pool);
      for (std::size_t k = 0; k < extra && k < pool.size(); ++k) group.lads[group.n_lads++] = pool[k];
    }
    const auto extra_offenders =
        rng.negative_binomial(std::max(0.01, config.offenders_mean - 2), config.offenders_size);
    group.n_offenders = static_cast<std::uint8_t>(std::min<std::int64_t>(15, 2 + extra_offenders));
    // Active period: starts up to two years before the window, overlaps the window.
    std::int64_t start = 0, end = 0;
    for (int tries = 0; tries < 20; ++tries) {
      start = rng.between(study_start - 730, study_end);
      const double dur = rng.lognormal(std::log(config.group_duration_median_days), config.group_duration_log_sd);
      end = start + std::max<std::int64_t>(30, static_cast<std::int64_t>(dur));
      if (end >= study_start) break;
    }
    if (end < study_start) end = study_start + 30;
    end = std::min(end, reference);
    group.start = static_cast<std::int32_t>(start);
    group.end = static_cast<std::int32_t>(end);
    group.n_victims = static_cast<std::uint32_t>(
        std::max<std::int64_t>(1, rng.negative_binomial(config.victims_mean, config.victims_size)));
    group.offender_base = offender_base;
    group.victim_base = victim_base;
    offender_base += group.n_offenders;
    victim_base += group.n_victims;
  }
  return groups;
}

std::vector<std::vector<std::uint32_t>> groups_by_district(const std::vector<Group>& groups, std::size_t n_areas) {
  std::vector<std::vector<std::uint32_t>> out(n_areas);
  for (const auto& g : groups)
    for (std::uint8_t k = 0; k < g.n_lads; ++k) out[g.lads[k]].push_back(g.id);
  return out;
}

ForceIndex build_force_index(const AreaTable& areas) {
  ForceIndex forces;
  std::map<std::string, std::uint16_t> index;
  for (const auto& a : areas.all()) index.emplace(a.pfa_code, 0);
  for (auto& [code, i] : index) {
    i = static_cast<std::uint16_t>(forces.codes.size());
    forces.codes.push_back(code);
  }
  for (const auto& a : areas.all()) forces.of_lad.push_back(index[a.pfa_code]);
  return forces;
}

}  // namespace joindots::simulate
