#pragma once
// `joindots networks --db`: the whole stage in one call, run_networks(): read the latest
// link run's records with their persons (load_network_records) → find_networks →
// summarise → evaluate against the simulator's truth when given → store the run (stage
// "networks"; its summary is the public tier plus the evaluation) with its networks and
// their members (tables networks, network_members: which network each linked person is
// in), replacing the previous run's in one transaction.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/areas.hpp"
#include "disclose/disclosure.hpp"
#include "networks/evaluate.hpp"
#include "networks/networks.hpp"
#include "networks/summary.hpp"
#include "store/store.hpp"

namespace joindots::networks {

/// The link runs the records came from, per role (0 when the role has none).
struct LinkRunIds {
  std::int64_t victim = 0, suspect = 0, associate = 0;
};

/// Every record of the latest link run of each role, with its person; home district's force
/// from `areas`. Throws UsageError when no link run has suspects.
std::vector<NetworkRecord> load_network_records(Store& store, const AreaTable& areas, LinkRunIds* runs = nullptr);

struct NetworksRunOptions {
  NetworkOptions network;
  disclose::Rules rules;
  std::optional<std::filesystem::path> truth_dir;
  std::size_t top_pairs = 10;
};

struct NetworksRun {
  std::int64_t run_id = 0;
  LinkRunIds link_runs;
  std::vector<NetworkRecord> records;
  NetworkResult result;
  NetworkSummary summary;
  std::optional<NetworkEvaluation> evaluation;
  double seconds = 0;
};

NetworksRun run_networks(Store& store, const AreaTable& areas, const NetworksRunOptions& options);

/// The networks and their members as the store keeps them: each person with the link run
/// of its role (`link_runs`), so it joins link_persons on (link_run_id, person_id).
NetworkRunOutput network_run_output(const NetworkResult& result, const LinkRunIds& link_runs);

/// The run as JSON: the public tier, the run's bookkeeping, and the evaluation (ari,
/// pairwise_precision/recall/f1, true_networks, true_cross_force_networks) when there is one.
/// This is what runs.summary holds.
nlohmann::json run_json(const NetworksRun& run, const NetworksRunOptions& options, const AreaTable* areas = nullptr);

/// The part of a run's summary (run_json) that may be published: the keys public_json
/// writes, which passed disclosure control, and the run's bookkeeping (an allow-list: the
/// evaluation against a simulator's truth, timings and any key added later stay out unless
/// named here).
nlohmann::json public_summary(const nlohmann::json& run_summary);

}  // namespace joindots::networks
