// joindots: the command-line front end. Each subcommand lives in its own file and calls the
// library; this file only parses, dispatches, and turns errors into exit codes.
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/command.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  using namespace joindots;
  CLI::App app{"joindots: the total picture of group-based child sexual exploitation from the records agencies hold"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "joindots 0.1.0");
  cli::Runner run;
  cli::add_simulate_command(app, run);
  cli::add_encode_command(app, run);
  cli::add_ingest_command(app, run);
  cli::add_status_command(app, run);
  cli::add_estimate_command(app, run);
  cli::add_link_command(app, run);
  cli::add_networks_command(app, run);
  cli::add_report_command(app, run);
  cli::add_serve_command(app, run);
  cli::add_accounts_command(app, run);
  cli::add_audit_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the usage error
    return rc == 0 ? 0 : static_cast<int>(ErrorKind::Usage);
  }
  try {
    return run ? run() : 0;
  } catch (const BadInputError& e) {
    fmt::print(stderr, "{}\n", e.what());
    fmt::print(stderr, "joindots: bad input; nothing was written\n");
    return static_cast<int>(ErrorKind::BadInput);
  } catch (const Error& e) {
    fmt::print(stderr, "joindots: {}\n", e.what());
    return static_cast<int>(e.kind());
  } catch (const std::exception& e) {
    fmt::print(stderr, "joindots: internal error: {}\n", e.what());
    return static_cast<int>(ErrorKind::Internal);
  }
}
