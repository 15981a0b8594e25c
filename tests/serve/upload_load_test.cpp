// Issue 17's acceptance for uploads: twenty agencies delivering at once over TLS, each file
// sent twice at the same moment (two connections racing). Each file goes in exactly once (one
// 201 and one 200 per file), none is lost, the store's integrity and the audit chain hold.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "serve/tls_fixture.hpp"
#include "store/audit_chain.hpp"

namespace joindots::serve {

namespace {

std::int64_t scalar(const std::filesystem::path& db, const std::string& sql) {
  SqliteStore store(db, false);
  auto st = store.database().prepare(sql);
  st.step();
  return st.column_int(0);
}

}  // namespace

TEST_F(TlsServerTest, TwentyAgenciesDeliveringAtOnceGetEachFileInExactlyOnce) {
  constexpr int kAgencies = 20, kRows = 150;
  const auto db = dir_ / "hub.db";
  std::vector<std::string> orgs, tokens, files;
  {
    SqliteStore store(db, false);
    for (int i = 0; i < kAgencies; ++i) {
      orgs.push_back(fmt::format("AGENCY{:02}", i));
      tokens.push_back(add(store, orgs.back(), AccountRole::agency));
      std::string f = testing::sample_header() + "\n";
      for (int r = 0; r < kRows; ++r) f += testing::sample_row(r, {{"source_org", orgs.back()}}) + "\n";
      files.push_back(std::move(f));
    }
  }
  const auto records_before = scalar(db, "SELECT count(*) FROM records");
  const auto files_before = scalar(db, "SELECT count(*) FROM files");

  // 40 clients: each agency's file by two at once, all released together.
  std::vector<int> status(2 * kAgencies, 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2 * kAgencies; ++c)
    clients.emplace_back([&, c] {
      const int i = c / 2;
      auto client = tls_test::client(port_, cert_);
      client->set_read_timeout(60);
      ++ready;
      while (!go) std::this_thread::yield();
      auto r = client->Post(("/api/v1/deliveries?name=" + orgs[i] + ".csv").c_str(), bearer(tokens[i]), files[i],
                            "text/csv");
      status[c] = r ? r->status : -static_cast<int>(r.error());
    });
  while (ready < 2 * kAgencies) std::this_thread::yield();
  go = true;
  for (auto& t : clients) t.join();

  for (int i = 0; i < kAgencies; ++i) {
    std::multiset<int> got{status[2 * i], status[2 * i + 1]};
    EXPECT_EQ(got, (std::multiset<int>{200, 201})) << orgs[i];
  }
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM files"), files_before + kAgencies);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM records"), records_before + kAgencies * kRows);
  for (int i = 0; i < kAgencies; ++i)
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM records WHERE source_org = '" + orgs[i] + "'"), kRows) << orgs[i];
  SqliteStore store(db, false);
  auto check = store.database().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.column_text(0), "ok");
  const auto v = verify_audit_chain(*AuditTrail::open(db.string()));
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 2 * kAgencies);
}

}  // namespace joindots::serve
