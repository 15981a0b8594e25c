// The server's audit writer (serve/audit_writer.hpp) on every backend of store_backends():
// many clients appending at once, with another connection appending beside them as the CLI
// does, leave one intact chain holding every row once, each client's rows in the order it
// appended them; rows are committed in groups; a failed commit is each caller's error, and
// the writer carries on once the store can be written again.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "serve/audit_writer.hpp"
#include "store/audit_chain.hpp"
#include "store/store_contract.hpp"

namespace joindots::serve {

namespace {

using testing::StoreBackendFactory;

class AuditWriterTest : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (!backend_) GTEST_SKIP() << GetParam().missing();
    backend_->create();
  }
  std::unique_ptr<testing::StoreBackend> backend_;
};

}  // namespace

TEST_P(AuditWriterTest, ManyClientsAtOnceLeaveOneIntactChainWithEveryRowOnce) {
  constexpr int kClients = 24, kEach = 25, kCli = 10;
  AuditWriter writer(backend_->location());
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c)
    threads.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i)
        writer.append({"account:" + std::to_string(c), "GET /api/v1/deliveries?n=" + std::to_string(i), 200});
    });
  // Another connection appends meanwhile (joindots accounts add on the hub's store).
  threads.emplace_back([&] {
    auto cli = AuditTrail::open(backend_->location());
    for (int i = 0; i < kCli; ++i) cli->append({"cli:admin", "accounts add " + std::to_string(i), 0});
  });
  for (auto& t : threads) t.join();

  const auto verdict = verify_audit_chain(*AuditTrail::open(backend_->location()));
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.rows, kClients * kEach + kCli);
  std::map<std::string, int> next;  // each actor's rows in the order it appended them
  AuditTrail::open(backend_->location())->for_each_row([&](const AuditRow& r) {
    if (r.actor == "cli:admin") {
      EXPECT_EQ(r.action, "accounts add " + std::to_string(next[r.actor]++));
      return;
    }
    EXPECT_EQ(r.action, "GET /api/v1/deliveries?n=" + std::to_string(next[r.actor]++)) << r.actor;
  });
  EXPECT_EQ(next.size(), static_cast<std::size_t>(kClients + 1));
  for (const auto& [actor, n] : next) EXPECT_EQ(n, actor == "cli:admin" ? kCli : kEach) << actor;
  EXPECT_EQ(writer.rows(), kClients * kEach);
  // Grouped: fewer commits than rows (each client waits for its commit, so at most one row
  // per client per commit; with 24 waiting, one commit per row would mean no grouping).
  EXPECT_LT(writer.commits(), writer.rows());
  EXPECT_GE(writer.commits(), kEach);
}

TEST_P(AuditWriterTest, AFailedCommitIsTheCallersErrorAndTheWriterCarriesOn) {
  AuditWriter writer(backend_->location());
  writer.append({"account:1", "GET /api/v1/accounts", 200});
  backend_->exec_sql("ALTER TABLE audit RENAME TO audit_elsewhere");
  EXPECT_ANY_THROW(writer.append({"account:1", "GET /api/v1/accounts", 200}));
  backend_->exec_sql("ALTER TABLE audit_elsewhere RENAME TO audit");
  writer.append({"account:1", "GET /api/v1/accounts", 403});
  const auto verdict = verify_audit_chain(*AuditTrail::open(backend_->location()));
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.rows, 2);
  EXPECT_EQ(verdict.head.outcome, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditWriterTest, ::testing::ValuesIn(testing::store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace joindots::serve
