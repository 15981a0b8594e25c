// The hub's per-request costs (issue 17): an argon2id verification of an API token, the
// authenticator's remembered token, one audit row appended, and whole requests answered in
// process (no sockets): the public summary, and an analyst's deliveries (authenticated,
// audited) against the same store.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "accounts/authenticator.hpp"
#include "accounts/token.hpp"
#include "serve/server.hpp"
#include "store/audit_trail.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace joindots;

struct HubScratch {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("joindots-hub-bench-{}", getpid());
  std::string db = (dir / "hub.db").string();
  accounts::IssuedToken analyst = accounts::issue_token();
  HubScratch() {
    std::filesystem::create_directories(dir);
    SqliteStore store(db, true);
    Account a;
    a.token_id = analyst.token_id;
    a.token_hash = analyst.hash;
    a.org = "HUB";
    a.role = AccountRole::analyst;
    store.add_account(a);
  }
  ~HubScratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

HubScratch& scratch() {
  static HubScratch s;
  return s;
}

void BM_TokenArgon2idVerify(benchmark::State& state) {
  const auto t = accounts::issue_token();
  for (auto _ : state) benchmark::DoNotOptimize(accounts::token_matches(t.token, t.hash));
}
BENCHMARK(BM_TokenArgon2idVerify)->Unit(benchmark::kMillisecond);

void BM_TokenRemembered(benchmark::State& state) {
  const auto t = accounts::issue_token();
  Account a;
  a.account_id = 1;
  a.token_id = t.token_id;
  a.token_hash = t.hash;
  accounts::Authenticator auth([&](const std::string&) { return std::optional<Account>(a); });
  auth.authenticate(t.token);
  for (auto _ : state) benchmark::DoNotOptimize(auth.authenticate(t.token));
}
BENCHMARK(BM_TokenRemembered)->Unit(benchmark::kMicrosecond);

void BM_AuditAppendSqlite(benchmark::State& state) {
  auto trail = AuditTrail::open(scratch().db);
  for (auto _ : state) trail->append({"account:1", "GET /api/v1/bundle?tier=restricted", 200});
}
BENCHMARK(BM_AuditAppendSqlite)->Unit(benchmark::kMicrosecond);

std::unique_ptr<serve::DashboardServer> server() {
  serve::ServerOptions opt;
  opt.db = scratch().db;
  opt.data_dir = JOINDOTS_BENCH_DATA_DIR;
  opt.web_dist = JOINDOTS_BENCH_WEB_DIST;
  return std::make_unique<serve::DashboardServer>(opt);
}

void BM_RequestPublicSummary(benchmark::State& state) {
  auto s = server();
  const std::string request = "GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (auto _ : state) benchmark::DoNotOptimize(s->answer_in_memory(request));
}
BENCHMARK(BM_RequestPublicSummary)->Unit(benchmark::kMicrosecond);

void BM_RequestAnalystDeliveriesAudited(benchmark::State& state) {
  auto s = server();
  const std::string request = "GET /api/v1/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              scratch().analyst.token + "\r\n\r\n";
  s->answer_in_memory(request);  // the token verified once, then remembered
  for (auto _ : state) benchmark::DoNotOptimize(s->answer_in_memory(request));
}
BENCHMARK(BM_RequestAnalystDeliveriesAudited)->Unit(benchmark::kMicrosecond);

}  // namespace
