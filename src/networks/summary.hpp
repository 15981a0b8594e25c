#pragma once
// What the networks add up to, and the two tiers it is told in.
//  - Public tier (public_json): aggregates only, through disclosure control
//    (disclose::protect): counts of networks, of cross-force networks and per size band
//    are suppressed below the threshold and rounded; the pairs of districts most connected
//    are listed only when at least `threshold` networks span both; no single network is
//    described unless it holds at least `threshold` persons, and then only by its counts,
//    areas and period (never its persons).
//  - Restricted tier (restricted_json): every network with its persons (role, person id
//    of the link run), districts, forces and period, for the analysts who act on them.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/areas.hpp"
#include "disclose/disclosure.hpp"
#include "networks/networks.hpp"

namespace joindots::networks {

struct AreaPair {
  std::string a, b;  // district codes, a < b
  std::int64_t networks = 0;
};

struct SizeBand {
  std::string label;  // suspects per network: "1", "2", "3-4", "5-9", "10+"
  std::int64_t networks = 0;
};

struct NetworkSummary {
  std::int64_t networks = 0, cross_force = 0, multi_district = 0;
  std::int64_t suspects_in_networks = 0, victim_memberships = 0;
  std::vector<SizeBand> size_distribution;
  std::vector<AreaPair> top_area_pairs;  // most connected first, at most `top_pairs`
};

/// Counts, size bands and the `top_pairs` pairs of districts spanned by the most networks
/// (ties by code).
NetworkSummary summarise(const NetworkResult& result, std::size_t top_pairs = 10);

/// The disclosure-controlled aggregates (see the file comment). District names come from
/// `areas` when given.
nlohmann::json public_json(const NetworkResult& result, const NetworkSummary& summary,
                           const disclose::Rules& rules = {}, const AreaTable* areas = nullptr);

/// Every network with its persons: restricted; never for publication.
nlohmann::json restricted_json(const NetworkResult& result);

}  // namespace joindots::networks
