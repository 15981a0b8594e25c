// joindots estimate: how many people in all, including those no list recorded, from a
// capture-history table (--table). Calls estimate::estimate_all; this file only parses
// options and prints.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "estimate/estimate.hpp"

namespace joindots::cli {

namespace {

struct EstimateCliOptions {
  CommonOptions common;
  std::string table;
  std::string method = "auto";
  std::string criterion = "bic";
  std::string model;
  std::uint64_t seed = 1;
  int bootstrap = 1000;
  int chains = 4;
  int burn_in = 20000;
  int samples = 10000;
  int thin = 10;
  int max_order = 0;
  int max_classes = 10;
  int threads = 2;
};

std::string number(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.0f}", v);
}

int run_estimate(const EstimateCliOptions& opt) {
  if (opt.table.empty()) throw UsageError("estimate: give --table FILE.csv (a capture-history table)");
  estimate::EstimateOptions eo;
  eo.method = estimate::parse_method(opt.method);  // usage errors before reading the table
  eo.criterion = estimate::parse_criterion(opt.criterion);
  eo.max_order = opt.max_order;
  const auto table = estimate::read_capture_table(opt.table);
  eo.seed = opt.seed;
  eo.bootstrap_replicates = opt.bootstrap;
  eo.threads = opt.threads;
  eo.lcmcr.chains = opt.chains;
  eo.lcmcr.burn_in = opt.burn_in;
  eo.lcmcr.samples = opt.samples;
  eo.lcmcr.thin = opt.thin;
  eo.lcmcr.max_classes = opt.max_classes;
  if (!opt.model.empty()) eo.model = estimate::LogLinearModel::parse(opt.model, table.k());
  if (!opt.common.quiet && !opt.common.json)
    fmt::print(stderr, "estimate: {} lists, {} people observed; method {}\n", table.k(), table.observed(), opt.method);
  const auto result = estimate::estimate_all(table, eo);
  if (opt.common.json) {
    std::cout << estimate::to_json(result).dump(2) << '\n';
    return 0;
  }
  fmt::print("observed   {}\n", result.observed);
  fmt::print("estimate   {}  ({:.0f}% interval {} to {})\n", number(result.estimate), 100 * result.interval.level,
             number(result.interval.low), number(result.interval.high));
  fmt::print("method     {}\n\n", result.method);
  fmt::print("{:<20} {:>10} {:>10} {:>10}  {}\n", "method", "estimate", "low", "high", "model / interval / diagnostics");
  for (const auto& m : result.methods) {
    std::string note;
    const auto& d = m.details;
    if (m.method == "loglinear" && d.contains("model")) {
      note = fmt::format("{} {}, deviance {:.2f} on {} df; {}", d["model"].get<std::string>(),
                         d["criterion"].get<std::string>(), d["deviance"].get<double>(), d["df"].get<int>(),
                         d["interval_kind"].get<std::string>());
      if (d.contains("bootstrap") && !d["bootstrap"].is_null() && d["bootstrap"]["interval"][0].is_number())
        note += fmt::format("; bootstrap with selection {}-{}", number(d["bootstrap"]["interval"][0].get<double>()),
                            number(d["bootstrap"]["interval"][1].get<double>()));
    } else if (m.method == "loglinear") {
      note = "no valid model";
    } else if (m.method == "loglinear_averaged") {
      note = fmt::format("{} models, {} weights; bootstrap interval", d["models_averaged"].get<std::size_t>(),
                         d["criterion"].get<std::string>());
    } else if (m.method == "lcmcr") {
      note = fmt::format("posterior median; R-hat {:.3f}, ESS {:.0f}, {} chains", d["rhat"].get<double>(),
                         d["ess"].get<double>(), d["chains"].get<int>());
    } else if (m.method == "chapman") {
      note = fmt::format("n1 {}, n2 {}, both {}; {}", d["n1"].get<std::int64_t>(), d["n2"].get<std::int64_t>(),
                         d["both"].get<std::int64_t>(), d["interval_kind"].get<std::string>());
    }
    fmt::print("{:<20} {:>10} {:>10} {:>10}  {}\n", m.method, number(m.estimate), number(m.interval.low),
               number(m.interval.high), note);
  }
  for (const auto& m : result.methods) {
    if (m.method != "loglinear" || !m.details.contains("excluded_total")) continue;
    const auto total = m.details["excluded_total"].get<std::size_t>();
    if (total == 0) continue;
    fmt::print("\n{} model{} excluded (MLE check):\n", total, total == 1 ? "" : "s");
    std::size_t shown = 0;
    for (const auto& e : m.details["excluded"]) {
      if (++shown > 10) break;
      fmt::print("  {:<24} {}\n", e["model"].get<std::string>(), e["status"].get<std::string>());
    }
    if (total > 10) fmt::print("  ... and {} more (see --json)\n", total - 10);
  }
  for (const auto& n : result.notes) fmt::print("note: {}\n", n);
  return 0;
}

}  // namespace

void add_estimate_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<EstimateCliOptions>();
  auto* cmd = app.add_subcommand(
      "estimate", "Estimate the total number of people, including those no list recorded (multiple systems estimation)");
  cmd->add_option("--table", opt->table, "A capture-history CSV: one 0/1 column per list, then count");
  cmd->add_option("--method", opt->method, "auto, chapman, loglinear, lcmcr or all")->capture_default_str();
  cmd->add_option("--criterion", opt->criterion, "Model choice for log-linear models: bic or aic")->capture_default_str();
  cmd->add_option("--max-order", opt->max_order,
                  "Interactions searched: 2 two-way models; 3 all hierarchical models up to three-way terms (up "
                  "to 5 lists); 0 picks 3 for up to 5 lists, else 2")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "Fit this log-linear model instead of searching, e.g. [123,14,34]");
  cmd->add_option("--seed", opt->seed, "Seed for the bootstrap and the sampler")->capture_default_str();
  cmd->add_option("--bootstrap", opt->bootstrap, "Bootstrap replicates (0: none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--chains", opt->chains, "LCMCR chains")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--burn-in", opt->burn_in, "LCMCR burn-in iterations per chain")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  cmd->add_option("--samples", opt->samples, "LCMCR kept draws per chain")
      ->check(CLI::Range(2, 100000000))
      ->capture_default_str();
  cmd->add_option("--thin", opt->thin, "LCMCR thinning")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--classes", opt->max_classes, "LCMCR latent classes K*")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads, "Threads for the bootstrap and the chains")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_estimate(*opt); }; });
}

}  // namespace joindots::cli
