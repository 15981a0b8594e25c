// The server's audit trail (serve/access.hpp): each request that reads restricted data or
// would change state, answered or refused, leaves a row naming who, what and the status;
// public requests leave none, and do not make the public results rebuild.
#include <gtest/gtest.h>

#include "serve/accounts_fixture.hpp"
#include "store/audit_chain.hpp"

namespace joindots::serve {

namespace {

struct Row {
  std::string actor, action;
  std::int64_t outcome;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << r.actor << " " << r.action << " " << r.outcome;
}

class AuditServerTest : public AccountsServerTest {
 protected:
  std::vector<Row> trail() {
    std::vector<Row> rows;
    AuditTrail::open((dir_ / "hub.db").string())->for_each_row([&](const AuditRow& r) {
      rows.push_back({r.actor, r.action, r.outcome});
    });
    return rows;
  }
  std::string actor(const std::string& token) {
    SqliteStore store(dir_ / "hub.db", false);
    return "account:" + std::to_string(store.account_by_token_id(*accounts::token_id_of(token))->account_id);
  }
};

}  // namespace

TEST_F(AuditServerTest, EveryRestrictedOrRefusedRequestIsAuditedAndPublicOnesAreNot) {
  ASSERT_TRUE(trail().empty());
  EXPECT_EQ(get("/api/v1/summary")->status, 200);
  EXPECT_EQ(get("/api/v1/bundle")->status, 200);
  EXPECT_EQ(get("/api/v1/bundle?tier=public")->status, 200);
  EXPECT_TRUE(trail().empty());

  auto ok = as(analyst_, "/api/v1/bundle?tier=restricted");
  EXPECT_EQ(ok->status, 200);
  EXPECT_FALSE(ok->has_header("X-Joindots-Audited"));  // the marker never leaves
  EXPECT_EQ(get("/api/v1/bundle?tier=restricted")->status, 401);
  EXPECT_EQ(as(agency_, "/api/v1/bundle?tier=restricted")->status, 403);
  EXPECT_EQ(as(agency_, "/api/v1/deliveries")->status, 200);
  EXPECT_EQ(as(agency_, "/api/v1/deliveries?file=1")->status, 400);
  EXPECT_EQ(as(admin_, "/api/v1/accounts")->status, 200);
  EXPECT_EQ(as(revoked_, "/api/v1/accounts")->status, 401);
  EXPECT_EQ(as(analyst_, "/api/v1/bundle?tier=secret")->status, 400);
  // A method that would change state, refused before routing.
  httplib::Client client("127.0.0.1", port_);
  auto post = client.Post("/api/v1/summary", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_FALSE(post->has_header("X-Joindots-Audited"));

  const std::vector<Row> want = {
      {actor(analyst_), "GET /api/v1/bundle?tier=restricted", 200},
      {"anonymous", "GET /api/v1/bundle?tier=restricted", 401},
      {actor(agency_), "GET /api/v1/bundle?tier=restricted", 403},
      {actor(agency_), "GET /api/v1/deliveries", 200},
      {"anonymous", "GET /api/v1/deliveries?file=1", 400},
      {actor(admin_), "GET /api/v1/accounts", 200},
      {"anonymous", "GET /api/v1/accounts", 401},
      {"anonymous", "GET /api/v1/bundle?tier=secret", 400},
      {"anonymous", "POST /api/v1/summary", 405},
  };
  EXPECT_EQ(trail(), want);
  const auto v = verify_audit_chain(*AuditTrail::open((dir_ / "hub.db").string()));
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, static_cast<std::int64_t>(want.size()));
}

TEST_F(AuditServerTest, AuditRowsDoNotMakeThePublicResultsRebuild) {
  EXPECT_EQ(get("/api/v1/summary")->status, 200);
  const auto builds = server_->results_builds();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(as(analyst_, "/api/v1/deliveries")->status, 200);
  EXPECT_EQ(get("/api/v1/summary")->status, 200);
  EXPECT_EQ(server_->results_builds(), builds);
  EXPECT_EQ(trail().size(), 3u);
}

TEST_F(AuditServerTest, WhenTheRowCannotBeWrittenNothingIsServed) {
  {
    SqliteStore store(dir_ / "hub.db", false);
    store.database().exec("ALTER TABLE audit RENAME TO audit_elsewhere");
  }
  auto r = as(analyst_, "/api/v1/bundle?tier=restricted");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  const auto body = nlohmann::json::parse(r->body);
  EXPECT_NE(body["error"].get<std::string>().find("audit trail"), std::string::npos) << body;
  EXPECT_FALSE(body.contains("areas"));
  EXPECT_FALSE(r->has_header("X-Joindots-Audited"));
  EXPECT_EQ(get("/api/v1/bundle")->status, 200);  // the public tier is not audited
}

}  // namespace joindots::serve
