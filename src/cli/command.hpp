#pragma once
// The CLI's shared conventions. Every subcommand:
//  - is registered by one `add_<name>_command` function, in its own file;
//  - has --help, and takes --json (a machine-readable summary on stdout) and --quiet (no
//    progress on stderr) through CommonOptions;
//  - reports errors by throwing joindots::Error subclasses; main() turns them into exit
//    codes: 0 success, 1 usage, 2 bad input (nothing written), 3 internal.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

namespace joindots::cli {

struct CommonOptions {
  bool json = false;
  bool quiet = false;
};

/// Adds --json and --quiet to a subcommand.
inline void add_common_options(CLI::App* cmd, CommonOptions& opts) {
  cmd->add_flag("--json", opts.json, "Print a machine-readable summary on stdout");
  cmd->add_flag("-q,--quiet", opts.quiet, "No progress on stderr");
}

/// A registered command sets `run` to the function to call when it was chosen.
using Runner = std::function<int()>;

void add_simulate_command(CLI::App& app, Runner& run);
void add_encode_command(CLI::App& app, Runner& run);
void add_ingest_command(CLI::App& app, Runner& run);
void add_status_command(CLI::App& app, Runner& run);
void add_estimate_command(CLI::App& app, Runner& run);
void add_link_command(CLI::App& app, Runner& run);
void add_report_command(CLI::App& app, Runner& run);
void add_serve_command(CLI::App& app, Runner& run);
void add_networks_command(CLI::App& app, Runner& run);
void add_accounts_command(CLI::App& app, Runner& run);
void add_audit_command(CLI::App& app, Runner& run);

}  // namespace joindots::cli
