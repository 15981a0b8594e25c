// The server's accounts and roles (serve/access.hpp; docs/hub.md): tokens from the store,
// 401 without a live one, 403 for another role; an agency sees its own deliveries only.
#include <gtest/gtest.h>

#include "serve/accounts_fixture.hpp"

namespace joindots::serve {

TEST_F(AccountsServerTest, TheRestrictedTierIsAnAnalystsAndOthersGet401Or403) {
  const std::string path = "/api/v1/bundle?tier=restricted";
  auto ok = as(analyst_, path);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(nlohmann::json::parse(ok->body)["victim_records_total"]["value"], 52);
  EXPECT_EQ(ok->get_header_value("Cache-Control"), "no-store");
  for (const auto& token : {agency_, admin_}) {
    auto r = as(token, path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << r->body;
    const auto body = nlohmann::json::parse(r->body);
    EXPECT_NE(body["error"].get<std::string>().find("analyst"), std::string::npos) << body;
    EXPECT_FALSE(body.contains("areas"));
  }
  std::string wrong_secret = analyst_;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  for (const auto& token : {revoked_, wrong_secret, accounts::issue_token().token, std::string(40, 'x')}) {
    auto r = as(token, path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << token;
    EXPECT_NE(r->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
    EXPECT_FALSE(nlohmann::json::parse(r->body).contains("areas"));
  }
  auto none = get(path);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  // The public tier asks no one.
  EXPECT_EQ(get_json("/api/v1/bundle")["tier"], "public");
}

TEST_F(AccountsServerTest, AnAgencySeesItsOwnDeliveriesAndAnAnalystEveryones) {
  auto mine = as(agency_, "/api/v1/deliveries");
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->status, 200) << mine->body;
  auto body = nlohmann::json::parse(mine->body);
  EXPECT_EQ(body["org"], "E23000013");
  ASSERT_EQ(body["deliveries"].size(), 1u);
  EXPECT_EQ(body["deliveries"][0]["name"], "a.csv");  // the name only, not the hub's path
  EXPECT_EQ(body["deliveries"][0]["rows"], 40);
  EXPECT_EQ(body["deliveries"][0]["status"], "ingested");
  EXPECT_EQ(body["deliveries"][0]["orgs"], nlohmann::json::array({"E23000013"}));
  auto theirs = nlohmann::json::parse(as(other_agency_, "/api/v1/deliveries")->body);
  ASSERT_EQ(theirs["deliveries"].size(), 1u);
  EXPECT_EQ(theirs["deliveries"][0]["name"], "b.csv");
  // Asking for another organisation's: 403.
  auto other = as(agency_, "/api/v1/deliveries?org=E23000014");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(as(agency_, "/api/v1/deliveries?org=E23000013")->status, 200);
  // An analyst sees all, or one organisation's; an admin none.
  EXPECT_EQ(nlohmann::json::parse(as(analyst_, "/api/v1/deliveries")->body)["deliveries"].size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(as(analyst_, "/api/v1/deliveries?org=E23000014")->body)["deliveries"].size(), 1u);
  EXPECT_EQ(as(admin_, "/api/v1/deliveries")->status, 403);
  EXPECT_EQ(get("/api/v1/deliveries")->status, 401);
  EXPECT_EQ(as(agency_, "/api/v1/deliveries?file=1")->status, 400);
}

TEST_F(AccountsServerTest, AnAdminListsTheAccountsWithoutSecrets) {
  auto r = as(admin_, "/api/v1/accounts");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto list = nlohmann::json::parse(r->body)["accounts"];
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0]["role"], "agency");
  EXPECT_EQ(list[0]["org"], "E23000013");
  EXPECT_EQ(list[0]["token_id"], *accounts::token_id_of(agency_));
  EXPECT_TRUE(list[0]["revoked_at"].is_null());
  EXPECT_TRUE(list[4]["revoked_at"].is_string());
  EXPECT_EQ(r->body.find("argon2"), std::string::npos);
  for (const auto& token : {agency_, analyst_, admin_}) EXPECT_EQ(r->body.find(token.substr(13)), std::string::npos);
  EXPECT_EQ(as(analyst_, "/api/v1/accounts")->status, 403);
  EXPECT_EQ(as(agency_, "/api/v1/accounts")->status, 403);
  EXPECT_EQ(get("/api/v1/accounts")->status, 401);
}

TEST_F(AccountsServerTest, ARevocationTakesEffectAtTheNextRequest) {
  ASSERT_EQ(as(analyst_, "/api/v1/deliveries")->status, 200);
  {
    SqliteStore store(dir_ / "hub.db", false);
    store.revoke_account(store.account_by_token_id(*accounts::token_id_of(analyst_))->account_id);
  }
  EXPECT_EQ(as(analyst_, "/api/v1/deliveries")->status, 401);
}

class TokenFileAndAccountsTest : public AccountsServerTest {
 protected:
  TokenFileAndAccountsTest() { token_ = "4f1c0e9a7b2d6c3e8f5a1b0c9d7e6f2a3b4c5d6e7f8a9b0c"; }
};

TEST_F(TokenFileAndAccountsTest, TheTokenFileIsAnAnalystBesideTheAccounts) {
  EXPECT_EQ(as(token_, "/api/v1/bundle?tier=restricted")->status, 200);
  EXPECT_EQ(as(token_, "/api/v1/deliveries")->status, 200);
  EXPECT_EQ(as(token_, "/api/v1/accounts")->status, 403);
  EXPECT_EQ(as(analyst_, "/api/v1/bundle?tier=restricted")->status, 200);
}

TEST(AccountsOffLoopback, ABearerTokenIsNotTakenOverPlainHttpOffLoopback) {
  testing::TempDir dir;
  { SqliteStore store(dir / "hub.db", true); }
  ServerOptions opt;
  opt.db = (dir / "hub.db").string();
  opt.host = "0.0.0.0";
  opt.data_dir = testing::test_data_dir();
  opt.web_dist = JOINDOTS_TEST_WEB_DIST;
  DashboardServer server(opt);
  std::vector<int> statuses;
  const auto answer = server.answer_in_memory(
      "GET /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\nConnection: close\r\n\r\n",
      &statuses);
  ASSERT_EQ(statuses, std::vector<int>{403});
  EXPECT_NE(answer.find("loopback only"), std::string::npos) << answer;
}

}  // namespace joindots::serve
