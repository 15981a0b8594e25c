// joindots serve: the live dashboard and JSON API on loopback.
#include <fmt/format.h>
#include <malloc.h>

#include <cstdlib>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "report/html.hpp"
#include "serve/server.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct ServeOptions {
  CommonOptions common;
  serve::ServerOptions server;
  std::string token_file;
  int request_timeout_seconds = 10;
  std::size_t max_upload_mb = 128;
};

/// glibc gives threads up to 8 malloc arenas per core; the server's 64 workers spread over
/// 16 of them here, and the free memory each kept grew the server's RSS by 12 MB in two
/// minutes of mixed load (bench/README.md, "The hub under load"). Two arenas keep it flat at
/// no cost measured in throughput. MALLOC_ARENA_MAX in the environment still decides.
void limit_malloc_arenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

int run_serve(ServeOptions opt) {
  limit_malloc_arenas();
  Store::open(opt.server.db, /*create=*/false);  // fail now, clearly, if there is no store
  // The server refuses a restricted tier off loopback (DashboardServer's constructor).
  if (!opt.token_file.empty()) opt.server.restricted_token = serve::read_token_file(opt.token_file);
  opt.server.limits.request_deadline = std::chrono::seconds(opt.request_timeout_seconds);
  opt.server.limits.max_upload_bytes = opt.max_upload_mb * 1024 * 1024;
  opt.server.data_dir = data_dir();
  opt.server.web_dist = report::web_dist_dir();
  serve::DashboardServer server(opt.server);
  const int port = server.bind();
  const char* scheme = opt.server.tls_cert.empty() ? "http" : "https";
  if (!opt.common.quiet)
    fmt::print(
        stderr, "serving the public dashboard of {} at {}://{}:{}/ (Ctrl-C to stop){}\n",
        Store::shown(opt.server.db), scheme, opt.server.host, port,
        opt.server.restricted_token.empty()
            ? ""
            : fmt::format("; the restricted tier at {}://{}:{}/restricted with the bearer token",
                          scheme, opt.server.host, port));
  server.listen();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve the dashboard and the JSON API (loopback by default; the restricted "
      "tier only with a token)");
  cmd->add_option("--db", opt->server.db, "The store: an SQLite file or a postgresql:// URI")->required();
  cmd->add_option("--host", opt->server.host, "Address to bind")->capture_default_str();
  cmd->add_option("--port", opt->server.port, "Port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--allow-host", opt->server.allowed_hosts,
                  "A host name to answer besides localhost, 127.0.0.1, [::1] and --host (requests "
                  "naming any other "
                  "Host get 421; repeatable)");
  cmd->add_option("--restricted-token-file", opt->token_file,
                  "Serve the restricted tier to requests with 'Authorization: Bearer <token>', the "
                  "token read from "
                  "this file (one line, 32+ random printable characters, chmod 600)");
  cmd->add_option("--request-timeout", opt->request_timeout_seconds,
                  "Seconds a request may take to arrive in full; a slower client is disconnected")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_option("--tls-cert", opt->server.tls_cert,
                  "Serve HTTPS with this PEM certificate chain (with --tls-key); accounts and the token file are "
                  "then served on any --host");
  cmd->add_option("--tls-key", opt->server.tls_key,
                  "The certificate's unencrypted PEM private key (chmod 600: refused when its group or others "
                  "may read it)");
  cmd->add_option("--max-upload-mb", opt->max_upload_mb,
                  "Largest agency file POST /api/v1/deliveries takes, in MiB; a larger one gets 413 before its "
                  "body is read")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_serve(*opt); }; });
}

}  // namespace joindots::cli
