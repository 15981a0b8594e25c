// Fuzz target: the raw bytes of one connection (requests, possibly several, possibly
// malformed) through the dashboard server in process: httplib's parsing, the request guards
// (request_target_problem, Host, method), the routing and every handler, over a store of 40
// sample records (serve/server, serve/request_guard). The bytes are also given whole to
// request_target_problem. Contract: every answer is a 2xx, 3xx or 4xx carrying the security
// headers, never a 500 (an exception in a handler) nor a crash. No socket is opened.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.hpp"
#include "core/data_dir.hpp"
#include "fuzz_support.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "io/area_file.hpp"
#include "serve/request_guard.hpp"
#include "serve/server.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace joindots;

namespace {

/// A 40-token bearer token the restricted tier accepts (fuzz/dict/serve_request.dict has it).
constexpr std::string_view kToken = "fuzz-token-0123456789abcdefghijklmnopqrstuvwxyz";

void write_text(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// A server over a fresh store in a scratch folder, built once per process.
serve::DashboardServer& server() {
  static serve::DashboardServer* instance = [] {
    const auto dir = fuzz::scratch_path("-serve");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "web");
    const auto areas = load_area_table(data_dir());
    {
      SqliteStore store(dir / "hub.db", true);
      write_text(dir / "a.csv", testing::sample_file(40));
      ingest_file(store, areas, dir / "a.csv");
    }
    write_text(dir / "web" / "report.js", "console.log('fuzz');\n");
    write_text(dir / "web" / "report.css", "body { color: black; }\n");
    serve::ServerOptions options;
    options.db = (dir / "hub.db").string();
    options.data_dir = data_dir();
    options.web_dist = dir / "web";
    options.restricted_token = std::string(kToken);
    options.allowed_hosts = {"joindots.example"};
    return new serve::DashboardServer(options);
  }();
  return *instance;
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// The server and its store are built before the first input (seconds under ASan, which
// libFuzzer would count against that input's time limit).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The results are built on the first request that needs them (the exact disclosure audit:
  // half a minute under ASan on a loaded machine): asked for here, not under a time limit.
  server().answer_in_memory(
      "GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /api/v1/bundle?tier=restricted HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      std::string(kToken) + "\r\n\r\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    if (const auto problem = serve::request_target_problem(bytes); problem && problem->empty())
      fuzz::fail("a refused target without a reason");
    std::vector<int> statuses;
    const auto answer = server().answer_in_memory(bytes, &statuses);
    for (const int status : statuses)
      if (status < 200 || status >= 500)
        fuzz::fail("answered " + std::to_string(status) + ":\n" + answer);
    if (count_of(answer, "\r\nX-Content-Type-Options: nosniff\r\n") < statuses.size())
      fuzz::fail("an answer without the security headers:\n" + answer);
  } catch (...) {
    fuzz::fail_on_unexpected_exception();
  }
  return 0;
}
