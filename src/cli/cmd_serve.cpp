// joindots serve: the live dashboard and JSON API on loopback.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "report/html.hpp"
#include "serve/server.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct ServeOptions {
  CommonOptions common;
  serve::ServerOptions server;
};

int run_serve(ServeOptions opt) {
  Store::open(opt.server.db, /*create=*/false);  // fail now, clearly, if there is no store
  opt.server.data_dir = data_dir();
  opt.server.web_dist = report::web_dist_dir();
  serve::DashboardServer server(opt.server);
  const int port = server.bind();
  if (!opt.common.quiet)
    fmt::print(stderr, "serving the public dashboard of {} at http://{}:{}/ (Ctrl-C to stop)\n", opt.server.db,
               opt.server.host, port);
  server.listen();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Serve the dashboard and the JSON API (public tier, loopback by default)");
  cmd->add_option("--db", opt->server.db, "The store (an SQLite file)")->required();
  cmd->add_option("--host", opt->server.host, "Address to bind")->capture_default_str();
  cmd->add_option("--port", opt->server.port, "Port (0: any free port)")->check(CLI::Range(0, 65535))->capture_default_str();
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_serve(*opt); }; });
}

}  // namespace joindots::cli
