// `joindots networks --db hub.db`: offender networks from the latest link run; the whole
// stage is networks::run_networks().
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "core/areas.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/area_file.hpp"
#include "networks/store_networks.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct NetworksArgs {
  CommonOptions common;
  std::string db, truth_dir, restricted;
  int min_bridge = 2;
  bool cross_source = true;
  std::size_t top = 10;
};

std::string area_name(const AreaTable& areas, const std::string& code) {
  const Area* a = areas.find(code);
  return a ? a->name : code;
}

int run_networks_cmd(const NetworksArgs& args) {
  if (args.min_bridge < 1) throw UsageError(fmt::format("--min-bridge {}: must be at least 1", args.min_bridge));
  const AreaTable areas = load_area_table(data_dir());
  auto store = Store::open(args.db, /*create=*/false);
  networks::NetworksRunOptions options;
  options.network.min_bridge = args.min_bridge;
  options.network.cross_source_suspect = args.cross_source;
  options.top_pairs = args.top;
  if (!args.truth_dir.empty()) options.truth_dir = args.truth_dir;
  const networks::NetworksRun run = networks::run_networks(*store, areas, options);
  if (!args.restricted.empty()) {
    std::ofstream out(args.restricted);
    if (!out) throw UsageError(fmt::format("--restricted {}: cannot write there", args.restricted));
    out << networks::restricted_json(run.result).dump(2) << '\n';
  }
  if (args.common.json) {
    std::cout << networks::run_json(run, options, &areas).dump(2) << '\n';
    return 0;
  }
  const auto& s = run.summary;
  const auto& r = run.result;
  fmt::print("networks run {} (link runs: victims {}, suspects {}, associates {}) in {:.1f} s\n", run.run_id,
             run.link_runs.victim, run.link_runs.suspect, run.link_runs.associate, run.seconds);
  fmt::print("{} cases; {} pairs of cases joined ({} on one suspect across two sources), {} refused by the guard "
             "(fewer than {} shared persons)\n",
             with_commas(r.cases), with_commas(r.bridges_joined), with_commas(r.bridges_cross_source),
             with_commas(r.bridges_refused), args.min_bridge);
  fmt::print("{} networks ({} span more than one police force area, {} more than one district)\n",
             with_commas(s.networks), with_commas(s.cross_force), with_commas(s.multi_district));
  fmt::print("suspects: {} in networks, {} with no case (in none); victims in networks: {} memberships, {} in none\n",
             with_commas(s.suspects_in_networks), with_commas(r.unattached_suspects),
             with_commas(s.victim_memberships), with_commas(r.unattached_victims));
  fmt::print("size (suspects per network):");
  for (const auto& b : s.size_distribution) fmt::print("  {}: {}", b.label, with_commas(b.networks));
  fmt::print("\n");
  if (!s.top_area_pairs.empty()) {
    fmt::print("districts most connected (networks spanning both):\n");
    for (const auto& p : s.top_area_pairs)
      fmt::print("  {:>5}  {} - {}\n", p.networks, area_name(areas, p.a), area_name(areas, p.b));
  }
  std::size_t shown = 0;
  for (const auto& n : r.networks) {
    if (n.persons() < options.rules.threshold) continue;
    if (shown++ == 0)
      fmt::print("largest networks (at least {} persons):\n  {:>5} {:>8} {:>7} {:>9} {:>5}  {}\n",
                 options.rules.threshold, "id", "suspects", "victims", "districts", "forces", "active");
    if (shown > 10) break;
    fmt::print("  {:>5} {:>8} {:>7} {:>9} {:>5}  {} to {}\n", n.id, n.suspects.size(), n.victims.size(),
               n.lads.size(), n.pfas.size(), n.first.str(), n.last.str());
  }
  if (const auto& ev = run.evaluation) {
    fmt::print("against truth ({} suspects compared, {} not true offenders):\n", with_commas(ev->suspects_compared),
               with_commas(ev->suspects_not_offenders));
    fmt::print("  adjusted Rand index {:.4f}; pairwise precision {:.4f}, recall {:.4f}, F1 {:.4f}\n",
               ev->agreement.ari, ev->agreement.precision, ev->agreement.recall, ev->agreement.f1);
    fmt::print("  networks: {} found, {} true (groups with a suspect in a case; {} groups in all)\n",
               with_commas(ev->found_networks), with_commas(ev->true_networks), with_commas(ev->groups));
    fmt::print("  cross-force: {} found, {} true ({} of those groups operated across forces; {} of all groups)\n",
               with_commas(ev->found_cross_force), with_commas(ev->true_cross_force),
               with_commas(ev->true_cross_force_declared), with_commas(ev->groups_cross_force));
  }
  if (!args.restricted.empty()) fmt::print("restricted detail (persons per network) in {}\n", args.restricted);
  return 0;
}

}  // namespace

void add_networks_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<NetworksArgs>();
  CLI::App* cmd = app.add_subcommand("networks", "Offender networks: suspects joined by shared cases, with their "
                                                 "victims, districts, forces and period (docs/networks.md)");
  cmd->add_option("--db", args->db, "The store, after `joindots link --db`")->required();
  cmd->add_option("--truth", args->truth_dir, "The folder `simulate` wrote, to compare with the true groups")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--min-bridge", args->min_bridge, "Persons two cases must share to be joined (1 = no guard)")
      ->capture_default_str();
  cmd->add_flag("--cross-source-bridge,!--no-cross-source-bridge", args->cross_source,
                "Join two sources' (forces') cases on one shared suspect, whatever --min-bridge says "
                "(default on)");
  cmd->add_option("--top", args->top, "Pairs of districts to list")->capture_default_str();
  cmd->add_option("--restricted", args->restricted,
                  "Write every network with its persons to this JSON file (restricted: not for publication)");
  add_common_options(cmd, args->common);
  cmd->callback([&run, args] { run = [args] { return run_networks_cmd(*args); }; });
}

}  // namespace joindots::cli
