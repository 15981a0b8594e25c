// Clerical review through the API (serve/review_routes.cpp; docs/hub.md): an analyst reads
// the band side by side and saves decisions; everyone else is refused; a bad body is refused
// naming the field with nothing written; every request is audited.
#include <gtest/gtest.h>

#include <cmath>

#include "serve/accounts_fixture.hpp"
#include "store/audit_trail.hpp"
#include "store/review_store.hpp"

namespace joindots::serve {

namespace {

/// The accounts fixture's store with a finished victims link run whose review band holds two
/// pairs across the two organisations: (R000001, R000001) p 0.7 and (R000002, R000002) p 0.4.
class ReviewServerTest : public AccountsServerTest {
 protected:
  void adjust(ServerOptions& opt) override {
    AccountsServerTest::adjust(opt);
    SqliteStore store(opt.db, false);
    std::map<std::pair<std::string, std::string>, std::int64_t> pk;
    store.for_each_record(Role::victim,
                          [&](const StoredRecord& r) { pk[{r.record.source_org, r.record.record_id}] = r.record_pk; });
    const auto run = store.start_run("link", R"({"review": [0.2, 0.8], "threshold": 0.5})");
    LinkRunOutput out;
    out.role = Role::victim;
    out.review = {{pk[{"E23000013", "R000001"}], pk[{"E23000014", "R000001"}], 1.2, 0.7,
                   R"({"given_name":"exact","dob":"else"})"},
                  {pk[{"E23000013", "R000002"}], pk[{"E23000014", "R000002"}], -0.5, 0.4,
                   R"({"given_name":"exact","dob":"exact"})"}};
    out.diagnostics_json = R"({"model": {"fields": [{"field": "given_name", "levels": [{"level": "missing", "m": 0,
      "u": 0}, {"level": "else", "m": 0.1, "u": 0.8}, {"level": "exact", "m": 0.9, "u": 0.1}]}, {"field": "dob",
      "levels": [{"level": "else", "m": 0.2, "u": 0.9}, {"level": "exact", "m": 0.8, "u": 0.05}]}]}})";
    store.save_link_run(run, out);
    store.finish_run(run, "done", "{}");
    run_ = run;
  }

  httplib::Result post(const std::string& body, const httplib::Headers& headers,
                       const std::string& type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    return client.Post("/api/v1/review/decisions", headers, body, type);
  }
  httplib::Result decide(const std::string& token, const nlohmann::json& body) {
    return post(body.dump(), {{"Authorization", "Bearer " + token}});
  }
  static nlohmann::json body(const std::string& id_a, const std::string& id_b, const std::string& decision) {
    return {{"role", "victim"},
            {"a", {{"source_org", "E23000013"}, {"record_id", id_a}}},
            {"b", {{"source_org", "E23000014"}, {"record_id", id_b}}},
            {"decision", decision}};
  }
  std::vector<ClericalDecision> history() {
    return ReviewStore::open((dir_ / "hub.db").string())->decisions(std::nullopt, true);
  }
  std::vector<AuditRow> trail() {
    std::vector<AuditRow> rows;
    AuditTrail::open((dir_ / "hub.db").string())->for_each_row([&](const AuditRow& r) { rows.push_back(r); });
    return rows;
  }
  std::int64_t run_ = 0;
};

}  // namespace

TEST_F(ReviewServerTest, AnAnalystReadsTheBandsPairsSideBySideWithLevelsAndWeights) {
  auto r = as(analyst_, "/api/v1/review?role=victim");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  const auto page = nlohmann::json::parse(r->body);
  EXPECT_EQ(page["run_id"], run_);
  EXPECT_EQ(page["pairs_in_band"], 2);
  EXPECT_EQ(page["decided"], 0);
  EXPECT_EQ(page["band"], nlohmann::json::array({0.2, 0.8}));
  ASSERT_EQ(page["pairs"].size(), 2u);
  const auto& first = page["pairs"][0];
  EXPECT_EQ(first["probability"], 0.7);  // the most probable first
  EXPECT_EQ(first["a"]["record_id"], "R000001");
  EXPECT_EQ(first["b"]["source_org"], "E23000014");
  EXPECT_EQ(first["levels"]["dob"], "else");
  EXPECT_TRUE(first["decision"].is_null());
  // Both records' identifiers (the sample row's), and nothing else of the record.
  EXPECT_EQ(first["a"]["identifiers"]["given_name"], "Amelia");
  EXPECT_EQ(first["b"]["identifiers"]["nhs_number"], "9434765919");
  EXPECT_EQ(first["a"]["identifiers"].size(), 7u) << first["a"]["identifiers"];  // no upn or pnc_id in the sample
  // Each level's weight from the run's model: log2(m / u), none where m or u is 0.
  ASSERT_EQ(page["fields"].size(), 2u);
  EXPECT_EQ(page["fields"][0]["field"], "given_name");
  EXPECT_NEAR(page["fields"][0]["levels"]["exact"].get<double>(), std::log2(0.9 / 0.1), 0.01);
  EXPECT_TRUE(page["fields"][0]["levels"]["missing"].is_null());
  EXPECT_NEAR(page["fields"][1]["levels"]["else"].get<double>(), std::log2(0.2 / 0.9), 0.01);
  // A page at a time.
  const auto second = nlohmann::json::parse(as(analyst_, "/api/v1/review?offset=1&limit=1")->body);
  ASSERT_EQ(second["pairs"].size(), 1u);
  EXPECT_EQ(second["pairs"][0]["probability"], 0.4);
  EXPECT_EQ(second["role"], "victim");  // the default role
}

TEST_F(ReviewServerTest, OnlyAnAnalystReadsItAndBadParametersAreNamed) {
  EXPECT_EQ(get("/api/v1/review")->status, 401);
  EXPECT_EQ(as(agency_, "/api/v1/review")->status, 403);
  EXPECT_EQ(as(admin_, "/api/v1/review")->status, 403);
  EXPECT_EQ(as(revoked_, "/api/v1/review")->status, 401);
  for (const auto& [query, named] : std::vector<std::pair<std::string, std::string>>{
           {"role=ghost", "role:"}, {"role=suspect", "role: no link run"}, {"limit=500", "limit:"},
           {"offset=-1", "offset:"}, {"limit=1e3", "limit:"}, {"page=2", "unknown parameter 'page'"}}) {
    auto r = as(analyst_, "/api/v1/review?" + query);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << query;
    EXPECT_NE(r->body.find(named), std::string::npos) << query << ": " << r->body;
    EXPECT_EQ(r->body.find("Amelia"), std::string::npos);
  }
}

TEST_F(ReviewServerTest, AnAnalystsDecisionIsSavedWithTheAccountAndShownOnThePair) {
  auto note = body("R000001", "R000001", "non_match");
  note["note"] = "different dates of birth";
  auto r = decide(analyst_, note);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const auto answer = nlohmann::json::parse(r->body);
  EXPECT_EQ(answer["decided"], 1);
  EXPECT_EQ(answer["pairs_in_band"], 2);
  EXPECT_EQ(answer["decision"]["decision"], "non_match");

  const auto saved = history();
  ASSERT_EQ(saved.size(), 1u);
  const auto account = SqliteStore(dir_ / "hub.db", false).account_by_token_id(*accounts::token_id_of(analyst_));
  EXPECT_EQ(saved[0].account_id, account->account_id);
  EXPECT_EQ(saved[0].actor, "account:" + std::to_string(account->account_id));
  EXPECT_EQ(saved[0].note, "different dates of birth");
  EXPECT_EQ(saved[0].verdict, ClericalVerdict::non_match);
  // A second decision on the pair: the latest is the one shown.
  ASSERT_EQ(decide(analyst_, body("R000001", "R000001", "unsure"))->status, 201);
  const auto page = nlohmann::json::parse(as(analyst_, "/api/v1/review")->body);
  EXPECT_EQ(page["decided"], 1);
  EXPECT_EQ(page["pairs"][0]["decision"]["decision"], "unsure");
  EXPECT_TRUE(page["pairs"][1]["decision"].is_null());
}

TEST_F(ReviewServerTest, ABadDecisionIsRefusedNamingTheFieldAndNothingIsWritten) {
  const std::map<std::string, std::pair<std::string, int>> bad = {
      {body("R000001", "R000001", "maybe").dump(), {"decision:", 400}},
      {body("R999999", "R000001", "match").dump(), {"a: no record R999999", 400}},
      {body("R000001", "R000002", "match").dump(), {"pair:", 400}},
      {nlohmann::json{{"role", "victim"}, {"a", {{"source_org", "E23000013"}, {"record_id", "R000001"}}},
                      {"decision", "match"}}
           .dump(),
       {"b:", 400}},
      {[] {
         auto b = body("R000001", "R000001", "match");
         b["a"]["record_id"] = 7;
         return b.dump();
       }(),
       {"a.record_id: not a string", 400}},
      {[] {
         auto b = body("R000001", "R000001", "match");
         b["score"] = 1;
         return b.dump();
       }(),
       {"score: not a field", 400}},
      {[] {
         auto b = body("R000001", "R000001", "match");
         b["role"] = "suspect";
         return b.dump();
       }(),
       {"role: no link run", 400}},
      {"{\"role\": \"victim\",", {"body: not a JSON object", 400}},
      {"[1, 2]", {"body: not a JSON object", 400}},
      {[] {
         auto b = body("R000001", "R000001", "match");
         b["note"] = std::string(9000, 'x');
         return b.dump();
       }(),
       {"at most 8192", 413}},
  };
  for (const auto& [text, expected] : bad) {
    auto r = post(text, {{"Authorization", "Bearer " + analyst_}});
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->status, expected.second) << text << ": " << r->body;
    EXPECT_NE(r->body.find(expected.first), std::string::npos) << text << ": " << r->body;
  }
  auto plain = post(body("R000001", "R000001", "match").dump(), {{"Authorization", "Bearer " + analyst_}},
                    "text/plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 415);
  EXPECT_TRUE(history().empty());
}

TEST_F(ReviewServerTest, ATokenInACookieOrAnotherRoleDecidesNothingAndEveryRequestIsAudited) {
  const auto ok = body("R000001", "R000001", "match").dump();
  EXPECT_EQ(post(ok, {})->status, 401);
  EXPECT_EQ(post(ok, {{"Cookie", "token=" + analyst_}})->status, 401);
  EXPECT_EQ(decide(agency_, nlohmann::json::parse(ok))->status, 403);
  EXPECT_EQ(decide(admin_, nlohmann::json::parse(ok))->status, 403);
  EXPECT_TRUE(history().empty());
  ASSERT_EQ(decide(analyst_, nlohmann::json::parse(ok))->status, 201);
  EXPECT_EQ(decide(analyst_, body("R000001", "R000001", "maybe"))->status, 400);
  EXPECT_EQ(as(analyst_, "/api/v1/review")->status, 200);
  // Another method on the route is still refused before its body is read.
  httplib::Client client("127.0.0.1", port_);
  EXPECT_EQ(client.Put("/api/v1/review/decisions", ok, "application/json")->status, 405);

  std::vector<std::pair<std::string, std::int64_t>> rows;
  for (const auto& row : trail()) rows.emplace_back(row.action, row.outcome);
  const std::string action = "POST /api/v1/review/decisions";
  EXPECT_EQ(rows, (std::vector<std::pair<std::string, std::int64_t>>{{action, 401},
                                                                     {action, 401},
                                                                     {action, 403},
                                                                     {action, 403},
                                                                     {action, 201},
                                                                     {action, 400},
                                                                     {"GET /api/v1/review", 200},
                                                                     {"PUT /api/v1/review/decisions", 405}}));
  const auto last_post = trail()[4];
  EXPECT_EQ(last_post.actor.rfind("account:", 0), 0u) << last_post.actor;
}

// A decided pair leaves the next run's band; the analyst still finds it among the decided
// pairs and revises it: appended, the latest wins. A pair neither in the band nor decided is
// still refused.
TEST_F(ReviewServerTest, ADecidedPairThatLeftTheBandIsListedAndCanBeRevised) {
  auto first = body("R000001", "R000001", "non_match");
  first["note"] = "dates of birth apart";
  ASSERT_EQ(decide(analyst_, first)->status, 201);
  {
    // The next run: pair 1 decided, so out of the band; pair 2 still in it.
    SqliteStore store(dir_ / "hub.db", false);
    std::map<std::pair<std::string, std::string>, std::int64_t> pk;
    store.for_each_record(Role::victim,
                          [&](const StoredRecord& r) { pk[{r.record.source_org, r.record.record_id}] = r.record_pk; });
    const auto run = store.start_run("link", R"({"review": [0.2, 0.8], "threshold": 0.5})");
    LinkRunOutput out;
    out.role = Role::victim;
    out.review = {{pk[{"E23000013", "R000002"}], pk[{"E23000014", "R000002"}], -0.5, 0.4,
                   R"({"given_name":"exact","dob":"exact"})"}};
    out.diagnostics_json = R"({"model": {"fields": []}})";
    store.save_link_run(run, out);
    store.finish_run(run, "done", "{}");
  }
  EXPECT_EQ(nlohmann::json::parse(as(analyst_, "/api/v1/review")->body)["pairs_in_band"], 1);
  auto r = as(analyst_, "/api/v1/review/decided?role=victim");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  auto decided = nlohmann::json::parse(r->body);
  EXPECT_EQ(decided["decided_pairs"], 1);
  ASSERT_EQ(decided["pairs"].size(), 1u);
  EXPECT_EQ(decided["pairs"][0]["a"]["record_id"], "R000001");
  EXPECT_EQ(decided["pairs"][0]["decision"]["decision"], "non_match");
  EXPECT_EQ(decided["pairs"][0]["decision"]["note"], "dates of birth apart");

  // Revised (the sides either way round): 201, the history keeps both, the latest is shown.
  auto revised = body("R000001", "R000001", "match");
  std::swap(revised["a"], revised["b"]);
  r = decide(analyst_, revised);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  ASSERT_EQ(history().size(), 2u);
  EXPECT_EQ(history()[1].verdict, ClericalVerdict::match);
  decided = nlohmann::json::parse(as(analyst_, "/api/v1/review/decided")->body);
  ASSERT_EQ(decided["pairs"].size(), 1u);
  EXPECT_EQ(decided["pairs"][0]["decision"]["decision"], "match");

  // A pair neither in the band nor decided: refused, nothing written.
  r = decide(analyst_, body("R000001", "R000002", "match"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("pair:"), std::string::npos) << r->body;
  EXPECT_EQ(history().size(), 2u);
  // Another role is refused the list; every request is audited.
  EXPECT_EQ(as(agency_, "/api/v1/review/decided")->status, 403);
  EXPECT_EQ(as(analyst_, "/api/v1/review/decided?role=nobody")->status, 400);
  int listed = 0;
  for (const auto& row : trail()) listed += row.action.rfind("GET /api/v1/review/decided", 0) == 0;
  EXPECT_EQ(listed, 4);
}

}  // namespace joindots::serve
