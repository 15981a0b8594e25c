// The Store contract for the hub's accounts and deliveries (schema version 8), run for
// every backend of store_backends(), as store_contract_test.cpp is.
#include <gtest/gtest.h>

#include "store/store_contract.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::StoreBackendFactory;

class AccountsContract : public testing::StoreContractTest {
 protected:
  static Account account(const std::string& token_id, const std::string& org, AccountRole role) {
    Account a;
    a.token_id = token_id;
    a.token_hash = "$argon2id$v=19$m=65536,t=2,p=1$" + token_id;  // a stand-in: the store does not read it
    a.org = org;
    a.role = role;
    return a;
  }

  /// Ingests one file whose records are of the organisations `orgs`, two records each.
  void ingest(const std::string& sha, const std::vector<std::string>& orgs) {
    FileInfo existing;
    auto batch = store_->begin_ingest("/hub/in/" + sha + ".csv", sha, 100, existing);
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->set_mode(false), "");
    int line = 2;
    for (const auto& org : orgs)
      for (int i = 0; i < 2; ++i) {
        Record r;
        r.record_id = sha + "-" + std::to_string(i);
        r.source_type = SourceType::police;
        r.source_org = org;
        r.role = Role::victim;
        r.record_type = RecordType::crime;
        r.event_date = Date{2021, 3, 4};
        r.line = line++;
        ASSERT_FALSE(batch->add(r));
      }
    batch->commit(line - 2);
  }
};

}  // namespace

TEST_P(AccountsContract, AccountsAreAddedFoundByTokenIdListedAndRevoked) {
  EXPECT_TRUE(store_->accounts().empty());
  EXPECT_FALSE(store_->account_by_token_id("0123456789ab"));
  const auto a = store_->add_account(account("0123456789ab", "E23000013", AccountRole::agency));
  const auto b = store_->add_account(account("ba9876543210", "HUB", AccountRole::analyst));
  const auto c = store_->add_account(account("00000000beef", "HUB", AccountRole::admin));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);

  const auto found = store_->account_by_token_id("ba9876543210");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account_id, b);
  EXPECT_EQ(found->org, "HUB");
  EXPECT_EQ(found->role, AccountRole::analyst);
  EXPECT_EQ(found->token_hash, "$argon2id$v=19$m=65536,t=2,p=1$ba9876543210");
  EXPECT_EQ(found->created_at.size(), 20u) << found->created_at;  // 2026-12-03T13:00:00Z
  EXPECT_TRUE(found->revoked_at.empty());
  EXPECT_FALSE(store_->account_by_token_id("ba987654321"));  // a prefix finds nothing
  EXPECT_FALSE(store_->account_by_token_id(""));

  auto all = backend_->connect()->accounts();  // seen from another connection
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].account_id, a);
  EXPECT_EQ(all[0].role, AccountRole::agency);
  EXPECT_EQ(all[0].org, "E23000013");
  EXPECT_EQ(all[2].role, AccountRole::admin);

  // Revoking: the account stays listed, with the time; revoking again keeps that time.
  const auto revoked = store_->revoke_account(a);
  ASSERT_TRUE(revoked);
  EXPECT_FALSE(revoked->revoked_at.empty());
  EXPECT_EQ(store_->account_by_token_id("0123456789ab")->revoked_at, revoked->revoked_at);
  EXPECT_EQ(store_->revoke_account(a)->revoked_at, revoked->revoked_at);
  EXPECT_TRUE(store_->account_by_token_id("ba9876543210")->revoked_at.empty());  // the others untouched
  EXPECT_FALSE(store_->revoke_account(c + 100));
  EXPECT_EQ(store_->accounts().size(), 3u);
}

TEST_P(AccountsContract, ATokenIdIsTakenOnce) {
  store_->add_account(account("0123456789ab", "E23000013", AccountRole::agency));
  EXPECT_THROW(store_->add_account(account("0123456789ab", "RX1", AccountRole::admin)), UsageError);
  ASSERT_EQ(store_->accounts().size(), 1u);
  EXPECT_EQ(store_->accounts()[0].org, "E23000013");
}

TEST_P(AccountsContract, DeliveriesAreTheFilesHoldingAnOrganisationsRecords) {
  ingest("a1", {"E23000013"});
  ingest("b1", {"E23000014"});
  ingest("ab", {"E23000014", "E23000013"});
  ingest("a2", {"E23000013"});
  const auto of = [&](const std::optional<std::string>& org) {
    std::vector<std::string> out;
    for (const auto& d : store_->deliveries(org)) out.push_back(d.file.sha256);
    return out;
  };
  EXPECT_EQ(of("E23000013"), (std::vector<std::string>{"a1", "ab", "a2"}));
  EXPECT_EQ(of("E23000014"), (std::vector<std::string>{"b1", "ab"}));
  EXPECT_EQ(of(std::nullopt), (std::vector<std::string>{"a1", "b1", "ab", "a2"}));
  EXPECT_TRUE(of("E2300001").empty());  // a prefix of a code is another code
  EXPECT_TRUE(of("").empty());
  const auto all = store_->deliveries(std::nullopt);
  EXPECT_EQ(all[2].orgs, (std::vector<std::string>{"E23000013", "E23000014"}));
  EXPECT_EQ(all[2].file.rows, 4);
  EXPECT_EQ(all[2].file.path, "/hub/in/ab.csv");
  EXPECT_EQ(all[0].orgs, (std::vector<std::string>{"E23000013"}));
  EXPECT_FALSE(all[0].encoded);
  EXPECT_EQ(all[0].warnings, 0);
  // A file rolled back leaves no delivery.
  {
    FileInfo existing;
    auto batch = store_->begin_ingest("/hub/in/x.csv", "x", 10, existing);
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->set_mode(false), "");
    Record r = {};
    r.record_id = "X1";
    r.source_org = "E23000099";
    r.event_date = Date{2021, 3, 4};
    ASSERT_FALSE(batch->add(r));
  }
  EXPECT_TRUE(of("E23000099").empty());
  EXPECT_EQ(of(std::nullopt).size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsContract, ::testing::ValuesIn(testing::store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace joindots
