// `joindots simulate`: writes a synthetic country (agencies' files + ground truth).
#include <fmt/format.h>

#include <cstdio>

#include "cli/command.hpp"
#include "core/areas.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/area_file.hpp"
#include "simulate/config.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/simulate.hpp"

namespace joindots::cli {

namespace {

struct SimulateArgs {
  CommonOptions common;
  std::uint64_t seed = 1;
  std::string out;
  std::string config;
  std::string scenario;
  double scale = -1;  // -1: not given
  bool params = false;
  bool scenarios = false;
};

int run_simulate(const SimulateArgs& args) {
  if (args.params) {
    fmt::print("{}", simulate::params_markdown());
    return 0;
  }
  if (args.scenarios) {
    fmt::print("{}", simulate::scenarios_markdown());
    return 0;
  }
  if (args.out.empty()) throw UsageError("simulate: --out DIR is required");
  // A scenario preset first, then the --config file's keys on top of it.
  const simulate::SimConfig base =
      args.scenario.empty() ? simulate::SimConfig::defaults() : simulate::scenario_config(args.scenario);
  simulate::SimConfig config = args.config.empty() ? base : simulate::load_config(args.config, &base);
  if (args.scale >= 0) simulate::set_param(config, "scale", args.scale);
  simulate::validate(config);
  const AreaTable areas = load_area_table(data_dir());
  simulate::SimulateOptions options;
  options.seed = args.seed;
  options.out_dir = args.out;
  options.quiet = args.common.quiet;
  const auto summary = simulate::simulate(config, options, areas);
  if (args.common.json) {
    fmt::print("{}\n", summary.to_json().dump(2));
  } else {
    const double unrecorded =
        summary.victims ? 100.0 * static_cast<double>(summary.victims - summary.recorded_victims) /
                              static_cast<double>(summary.victims)
                        : 0.0;
    fmt::print("simulated {} victims ({} recorded, {:.1f}% by no source) in {} groups; {} records in {} agency files\n",
               with_commas(summary.victims), with_commas(summary.recorded_victims), unrecorded,
               with_commas(summary.groups), with_commas(summary.records),
               summary.files.size() >= 7 ? summary.files.size() - 7 : 0);
    fmt::print("wrote {}/agencies and {}/truth in {:.1f} s\n", args.out, args.out, summary.seconds);
  }
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Write a synthetic country with ground truth: agencies' files (DIR/agencies) and truth (DIR/truth)");
  cmd->add_option("--seed", args->seed, "Random seed; same seed and config give byte-identical output")
      ->default_val(1);
  cmd->add_option("--out", args->out, "Output folder (gets agencies/ and truth/); required");
  cmd->add_option("--config", args->config, "TOML file overriding simulator parameters (see docs/simulator.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--scenario", args->scenario,
                  "A preset switching on one generating mechanism (see --scenarios); --config keys apply on top");
  cmd->add_flag("--scenarios", args->scenarios, "Print the scenario presets and exit");
  cmd->add_option("--scale", args->scale, "Multiply the number of offending groups (a denser country)");
  cmd->add_flag("--params", args->params,
                "Print the parameter table (name, default, bounds, description, source) and exit");
  add_common_options(cmd, args->common);
  cmd->callback([&run, args] { run = [args] { return run_simulate(*args); }; });
}

}  // namespace joindots::cli
