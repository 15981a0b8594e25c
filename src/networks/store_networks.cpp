#include "networks/store_networks.hpp"

#include <chrono>

#include "core/error.hpp"

namespace joindots::networks {

std::vector<NetworkRecord> load_network_records(Store& store, const AreaTable& areas, LinkRunIds* runs) {
  LinkRunIds ids;
  std::vector<NetworkRecord> out;
  for (Role role : {Role::victim, Role::suspect, Role::associate}) {
    const auto run = store.latest_link_run(role);
    if (!run) continue;
    (role == Role::victim ? ids.victim : role == Role::suspect ? ids.suspect : ids.associate) = *run;
    store.for_each_linked_record(*run, role, [&](const LinkedRecord& r) {
      NetworkRecord n;
      n.person = {role, r.person_id};
      n.source_org = r.source_org;
      n.record_id = r.record_id;
      n.case_ref = r.case_ref;
      n.lad_cd = r.lad_cd;
      if (const Area* a = areas.find(r.lad_cd)) n.pfa_cd = a->pfa_code;
      if (r.source_type == SourceType::police) n.force_cd = r.source_org;
      n.first = r.event_date;
      n.last = r.last_date && *r.last_date > r.event_date ? *r.last_date : r.event_date;
      n.offences = std::max<std::int64_t>(1, r.offence_count.value_or(1));
      out.push_back(std::move(n));
    });
  }
  if (ids.suspect == 0)
    throw UsageError("networks: the store has no link run with suspects; run `joindots link --db` first");
  if (runs) *runs = ids;
  return out;
}

NetworksRun run_networks(Store& store, const AreaTable& areas, const NetworksRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  NetworksRun run;
  run.records = load_network_records(store, areas, &run.link_runs);
  const nlohmann::json params = {{"min_bridge", options.network.min_bridge},
                                 {"cross_source_suspect", options.network.cross_source_suspect},
                                 {"link_runs",
                                  {{"victim", run.link_runs.victim},
                                   {"suspect", run.link_runs.suspect},
                                   {"associate", run.link_runs.associate}}},
                                 {"threshold", options.rules.threshold},
                                 {"truth", options.truth_dir ? options.truth_dir->string() : std::string()}};
  run.run_id = store.start_run("networks", params.dump());
  try {
    run.result = find_networks(run.records, options.network);
    run.summary = summarise(run.result, options.top_pairs);
    if (options.truth_dir)
      run.evaluation = evaluate_networks(run.records, run.result, read_simulated_truth(*options.truth_dir));
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    store.save_network_run(run.run_id, network_run_output(run.result, run.link_runs));
    store.finish_run(run.run_id, "done", run_json(run, options, &areas).dump());
  } catch (...) {
    store.finish_run(run.run_id, "failed", "{}");
    throw;
  }
  return run;
}

NetworkRunOutput network_run_output(const NetworkResult& result, const LinkRunIds& link_runs) {
  auto link_run_of = [&](Role role) {
    return role == Role::victim ? link_runs.victim : role == Role::suspect ? link_runs.suspect : link_runs.associate;
  };
  NetworkRunOutput out;
  for (const auto& n : result.networks) {
    StoredNetwork s;
    s.network_id = n.id;
    s.suspects = static_cast<std::int64_t>(n.suspects.size());
    s.victims = static_cast<std::int64_t>(n.victims.size());
    s.cases = n.cases;
    s.records = n.records;
    s.lads = n.lads;
    s.pfas = n.pfas;
    s.first_date = n.first;
    s.last_date = n.last;
    out.networks.push_back(std::move(s));
    for (const auto* persons : {&n.suspects, &n.victims})
      for (const auto& p : *persons) out.members.push_back({n.id, p.role, link_run_of(p.role), p.person_id});
  }
  return out;
}

nlohmann::json public_summary(const nlohmann::json& run_summary) {
  static const char* const kPublic[] = {
      // public_json: through disclose::protect, or only above the threshold and rounded
      "tier", "threshold", "rounding_base", "networks", "cross_force_networks", "multi_district_networks",
      "size_distribution", "size_unit", "top_area_pairs", "large_networks",
      // run_json: the run's bookkeeping and settings, and the diagnostics (rounded, small ones withheld)
      "run_id", "link_runs", "min_bridge", "cross_source_suspect", "diagnostics"};
  nlohmann::json out = nlohmann::json::object();
  for (const char* key : kPublic)
    if (run_summary.contains(key)) out[key] = run_summary.at(key);
  return out;
}

nlohmann::json run_json(const NetworksRun& run, const NetworksRunOptions& options, const AreaTable* areas) {
  nlohmann::json j = public_json(run.result, run.summary, options.rules, areas);
  j["run_id"] = run.run_id;
  j["link_runs"] = {{"victim", run.link_runs.victim},
                    {"suspect", run.link_runs.suspect},
                    {"associate", run.link_runs.associate}};
  j["min_bridge"] = options.network.min_bridge;
  j["cross_source_suspect"] = options.network.cross_source_suspect;
  j["seconds"] = run.seconds;
  auto safe = [&](std::int64_t v) -> nlohmann::json {
    if (v > 0 && v < options.rules.threshold) return nullptr;
    return disclose::round_to_base(v, options.rules.base);
  };
  const auto& r = run.result;
  j["diagnostics"] = {{"cases", safe(r.cases)},
                      {"bridges_joined", safe(r.bridges_joined)},
                      {"bridges_refused", safe(r.bridges_refused)},
                      {"bridges_cross_source", safe(r.bridges_cross_source)},
                      {"suspects", safe(r.suspects)},
                      {"unattached_suspects", safe(r.unattached_suspects)},
                      {"victims", safe(r.victims)},
                      {"unattached_victims", safe(r.unattached_victims)}};
  if (const auto& ev = run.evaluation) {
    // Measured against synthetic truth: exact figures (no disclosure control applies).
    j["ari"] = ev->agreement.ari;
    j["pairwise_precision"] = ev->agreement.precision;
    j["pairwise_recall"] = ev->agreement.recall;
    j["pairwise_f1"] = ev->agreement.f1;
    j["suspects_compared"] = ev->suspects_compared;
    j["suspects_not_offenders"] = ev->suspects_not_offenders;
    j["found_networks"] = ev->found_networks;
    j["found_cross_force_networks"] = ev->found_cross_force;
    j["true_networks"] = ev->true_networks;
    j["true_cross_force_networks"] = ev->true_cross_force;
    j["true_networks_declared_cross_force"] = ev->true_cross_force_declared;
    j["groups"] = ev->groups;
    j["groups_cross_force"] = ev->groups_cross_force;
  }
  return j;
}

}  // namespace joindots::networks
