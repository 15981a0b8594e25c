#pragma once
// The synthetic country's fixed structure: each district's victimisation rate (population
// aged 10-17 x area random effect x hotspot multiplier), its neighbours, the organisations
// that record in it (police force, children's services, NHS trust, charity), and the
// offending groups with their areas and active periods. All of it is small (a few hundred
// districts, tens of bytes per group) and built before any person is generated.
#include <cstdint>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/rng.hpp"
#include "simulate/config.hpp"

namespace joindots::simulate {

struct Geography {
  const AreaTable* areas = nullptr;
  std::vector<double> rate;                      // relative victimisation rate per district
  std::vector<std::uint8_t> hotspot;             // 2 = hotspot, 1 = raised neighbour, 0 = neither
  std::vector<std::vector<std::uint16_t>> near;  // 6 nearest districts, nearest first
  std::vector<std::uint16_t> trust_of;           // NHS trust index per district
  std::vector<std::string> trust_codes;          // "RTxxx"
  std::vector<std::uint16_t> charity_of;         // charity index per district
  std::vector<std::string> charity_codes;        // "CHARITY-NE", ...
  AliasTable by_rate;                            // draws a district with probability ∝ rate
};

/// Builds the geography: area effects and hotspots from Rng(seed, "areas"); trusts and
/// charities are fixed by the area table (the same for every seed).
Geography build_geography(const AreaTable& areas, const SimConfig& config, std::uint64_t seed);

/// The police force areas: a dense index per force (in code order) and each district's.
struct ForceIndex {
  std::vector<std::uint16_t> of_lad;  // force index per district
  std::vector<std::string> codes;     // force code per index
};
ForceIndex build_force_index(const AreaTable& areas);

/// One offending group: small and fixed-size so a million of them fit in tens of MB.
struct Group {
  std::uint32_t id = 0;
  std::uint16_t lads[4] = {0, 0, 0, 0};  // lads[0] is the home district
  std::uint8_t n_lads = 1;
  std::uint8_t n_offenders = 0;
  std::uint32_t n_victims = 0;
  std::int32_t start = 0, end = 0;  // days since 1970-01-01
  std::uint64_t offender_base = 0;  // global index of the first offender
  std::uint64_t victim_base = 0;    // global index of the first victim
};

/// The groups of the country (count = round(groups x scale), at least 1), each drawn from
/// Rng(seed, "group", id), with offender and victim index ranges laid out by prefix sums.
std::vector<Group> build_groups(const Geography& geo, const SimConfig& config, std::uint64_t seed);

/// For each district, the groups that operate in it (to find a second nearby group).
std::vector<std::vector<std::uint32_t>> groups_by_district(const std::vector<Group>& groups, std::size_t n_areas);

}  // namespace joindots::simulate
