// The audit trail on every backend of store_backends(): rows appended in a chain, and every
// way of tampering with them that the chain can show (store/audit_chain.hpp), found and named
// by verify_audit_chain. Tampering is done as someone with write access to the store would:
// SQL on another connection.
#include <gtest/gtest.h>

#include <thread>

#include "store/audit_chain.hpp"
#include "store/store_contract.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::StoreBackendFactory;

class AuditContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (!backend_) GTEST_SKIP() << GetParam().missing();
    backend_->create();
    trail_ = AuditTrail::open(backend_->location());
  }

  /// Five rows: requests by two accounts and an anonymous caller.
  std::vector<AuditRow> append_five() {
    std::vector<AuditRow> rows;
    rows.push_back(trail_->append({"cli:admin", "accounts add --org HUB --role analyst: account 1", 0}));
    rows.push_back(trail_->append({"account:1", "GET /api/v1/bundle?tier=restricted", 200}));
    rows.push_back(trail_->append({"anonymous", "GET /api/v1/bundle?tier=restricted", 401}));
    rows.push_back(trail_->append({"account:2", "GET /api/v1/accounts", 403}));
    rows.push_back(trail_->append({"account:1", "GET /api/v1/deliveries?org=E23000013", 200}));
    return rows;
  }

  /// Verified on a connection of its own, as `joindots audit verify` would.
  AuditVerdict verify(const std::optional<AuditAnchor>& anchor = std::nullopt) {
    return verify_audit_chain(*AuditTrail::open(backend_->location()), anchor);
  }

  std::unique_ptr<testing::StoreBackend> backend_;
  std::unique_ptr<AuditTrail> trail_;
};

}  // namespace

TEST_P(AuditContract, RowsAreChainedInOrderAndTheChainVerifies) {
  EXPECT_TRUE(verify().intact);
  EXPECT_EQ(verify().rows, 0);
  const auto appended = append_five();
  std::vector<AuditRow> read;
  AuditTrail::open(backend_->location())->for_each_row([&](const AuditRow& r) { read.push_back(r); });
  ASSERT_EQ(read.size(), 5u);
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(read[i].hash, appended[i].hash);
    EXPECT_EQ(read[i].at, appended[i].at);
    EXPECT_EQ(read[i].prev_hash, i == 0 ? kAuditGenesis : read[i - 1].hash);
    EXPECT_EQ(read[i].hash, audit_row_hash(read[i]));
    EXPECT_EQ(read[i].hash.size(), 64u);
  }
  EXPECT_EQ(read[2].actor, "anonymous");
  EXPECT_EQ(read[2].action, "GET /api/v1/bundle?tier=restricted");
  EXPECT_EQ(read[2].outcome, 401);
  EXPECT_EQ(read[0].at.size(), 24u) << read[0].at;  // 2026-12-03T13:00:00.123Z
  const auto v = verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 5);
  EXPECT_EQ(v.head.seq, 5);
  EXPECT_EQ(v.head.hash, appended[4].hash);
  EXPECT_TRUE(verify(AuditAnchor{3, appended[2].hash}).intact);
}

TEST_P(AuditContract, AnEditedRowIsNamed) {
  append_five();
  backend_->exec_sql("UPDATE audit SET outcome = 200 WHERE seq = 3");  // a refusal made to look served
  const auto v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 3);
  EXPECT_NE(v.problem.find("row 3 edited"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, ADeletedRowIsNamed) {
  append_five();
  backend_->exec_sql("DELETE FROM audit WHERE seq = 2");
  const auto v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("row 2 deleted"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, ADeletedRowWithTheRestRenumberedIsFound) {
  append_five();
  backend_->exec_sql("DELETE FROM audit WHERE seq = 2");
  for (int seq = 3; seq <= 5; ++seq)
    backend_->exec_sql("UPDATE audit SET seq = " + std::to_string(seq - 1) + " WHERE seq = " + std::to_string(seq));
  const auto v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("holds the entry of row 3"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, TwoSwappedRowsAreNamedAsReordered) {
  append_five();
  backend_->exec_sql("UPDATE audit SET seq = -3 WHERE seq = 3");
  backend_->exec_sql("UPDATE audit SET seq = 3 WHERE seq = 4");
  backend_->exec_sql("UPDATE audit SET seq = 4 WHERE seq = -3");
  const auto v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 3);
  EXPECT_NE(v.problem.find("row 3 holds the entry of row 4: rows reordered"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, AnEditedRowWithItsOwnHashRecomputedBreaksTheNextLink) {
  auto rows = append_five();
  auto forged = rows[2];
  forged.actor = "account:1";
  forged.outcome = 200;
  forged.hash = audit_row_hash(forged);
  backend_->exec_sql("UPDATE audit SET actor = 'account:1', outcome = 200, hash = '" + forged.hash +
                     "' WHERE seq = 3");
  const auto v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 4);
  EXPECT_NE(v.problem.find("row 4 does not follow row 3"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, ARewrittenChainOrACutEndIsFoundOnlyAgainstAnAnchor) {
  auto rows = append_five();
  const AuditAnchor anchor{5, rows[4].hash};
  // The whole chain rewritten from row 3 on, every hash recomputed: only the anchor tells.
  std::string prev = rows[1].hash;
  for (std::size_t i = 2; i < rows.size(); ++i) {
    auto r = rows[i];
    if (i == 2) r.outcome = 200;
    r.prev_hash = prev;
    r.hash = audit_row_hash(r);
    backend_->exec_sql("UPDATE audit SET outcome = " + std::to_string(r.outcome) + ", prev_hash = '" + r.prev_hash +
                       "', hash = '" + r.hash + "' WHERE seq = " + std::to_string(r.seq));
    prev = r.hash;
  }
  EXPECT_TRUE(verify().intact);
  auto v = verify(anchor);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 5);
  EXPECT_NE(v.problem.find("rewritten"), std::string::npos) << v.problem;
  // The last row cut: intact without the anchor, cut with it.
  backend_->exec_sql("DELETE FROM audit WHERE seq = 5");
  EXPECT_TRUE(verify().intact);
  v = verify(anchor);
  EXPECT_FALSE(v.intact);
  EXPECT_NE(v.problem.find("cut from the end"), std::string::npos) << v.problem;
}

TEST_P(AuditContract, WritersOnTwoConnectionsKeepOneChain) {
  constexpr int kEach = 40;
  auto other = AuditTrail::open(backend_->location());
  std::thread a([&] {
    for (int i = 0; i < kEach; ++i) trail_->append({"account:1", "GET /a " + std::to_string(i), 200});
  });
  std::thread b([&] {
    for (int i = 0; i < kEach; ++i) other->append({"account:2", "GET /b " + std::to_string(i), 200});
  });
  a.join();
  b.join();
  const auto v = verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 2 * kEach);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditContract, ::testing::ValuesIn(testing::store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace joindots
