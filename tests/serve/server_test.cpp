// First, before httplib.h (through serve/): its resolv.h defines _res, a name Eigen (through
// estimate/) uses.
#include "questions/four_questions.hpp"
#include "questions/method_details.hpp"
#include "serve/server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "report/bundle.hpp"
#include "serve/server_fixture.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots::serve {

namespace {

void expect_cell(const nlohmann::json& cell) {
  ASSERT_TRUE(cell.is_object()) << cell;
  ASSERT_TRUE(cell.contains("value")) << cell;
  if (cell["value"].is_null()) {
    EXPECT_TRUE(cell["suppressed"] == "primary" || cell["suppressed"] == "secondary") << cell;
  } else {
    const auto v = cell["value"].get<std::int64_t>();
    EXPECT_TRUE(v == 0 || (v >= 10 && v % 5 == 0)) << "public count " << v;
  }
}

/// An estimate run and a link run in the store behind the server (as the stages write them).
void add_runs(const std::filesystem::path& db) {
  SqliteStore store(db, false);
  questions::Answer answer;
  answer.known = 60;
  answer.estimate = 101.3;
  answer.interval = {80.2, 140.9};
  answer.method = "auto: loglinear [12] (bic-selected)";
  questions::FourAnswers a;
  a.reference_date = *Date::parse_full("2025-12-31");
  a.lists = {"police", "health"};
  a.victims = a.areas = a.offences = a.still_involved = answer;
  const auto stratum = [](const char* dimension, const char* value, std::int64_t observed,
                          std::optional<double> estimate, estimate::Interval interval, const char* flag) {
    questions::StratumEstimate s;
    s.dimension = dimension;
    s.value = value;
    s.observed = observed;
    s.estimate = estimate;
    s.interval = interval;
    s.flag = flag;
    return s;
  };
  a.strata = {stratum("region", "London", 40, 70.0, {50.0, 95.0}, ""),
              stratum("region", "Wales", 20, std::nullopt, {}, "sparse"),
              stratum("sex", "F", 60, 101.0, {80.0, 141.0}, "")};
  a.victims_pattern_counts = {0, 30, 22, 8};  // police only, health only, both
  questions::LogLinearDetails ll;
  ll.fitted = true;
  ll.model = "[12]";
  questions::LcmcrDetails lcmcr;
  lcmcr.rhat = 1.0;
  lcmcr.ess = 500.0;
  auto& v = a.victims_detail;
  v.observed = 60;
  v.method = answer.method;
  v.lists = a.lists;
  v.methods.push_back({"loglinear", 101.3, {80.2, 140.9}, ll.to_json()});
  v.methods.push_back({"lcmcr", 95.0, {75.0, 130.0}, lcmcr.to_json()});
  const auto est = store.start_run("estimate", "{}");
  store.finish_run(est, "done", a.to_json().dump());
  const auto link = store.start_run("link", R"({"threshold": 0.5})");
  LinkRunOutput out;
  out.role = Role::victim;
  out.diagnostics_json =
      nlohmann::json({{"records", 40},
                      {"persons", 33},
                      {"candidate_pairs", 120},
                      {"blocking",
                       {{{"rule", "dob"},
                         {"pairs_implied", 80},
                         {"pairs_new", 80},
                         {"largest_blocks", nlohmann::json::array()}}}},
                      {"model",
                       {{"em_iterations", 5},
                        {"em_converged", true},
                        {"prior", 0.01},
                        {"fields",
                         {{{"field", "dob"},
                           {"comparator", "date"},
                           {"levels", {{{"level", "exact"}, {"m", 0.9}, {"u", 0.01}}}}}}}}},
                      {"cluster", {{"largest", 3}}}})
          .dump();
  store.save_link_run(link, out);
  store.finish_run(link, "done", "{}");
}

}  // namespace

TEST_F(ServerTest, EstimatesOverlapModelsAndLinkageMatchTheirSchemas) {
  add_runs(dir_ / "hub.db");
  const auto all = get_json("/api/v1/estimates");
  EXPECT_EQ(all["tier"], "public");
  EXPECT_EQ(all["strata"].size(), 3u);
  for (const char* q : {"victims", "areas", "offences", "still_involved"})
    expect_cell(all["headline"][q]["known"]);
  const auto region = get_json("/api/v1/estimates?dimension=region");
  ASSERT_EQ(region["strata"].size(), 2u);
  for (const auto& st : region["strata"]) {
    EXPECT_EQ(st["dimension"], "region");
    EXPECT_TRUE(st["value"].is_string());
    EXPECT_TRUE(st["flag"].is_string());
    expect_cell(st["known"]);
    if (st.contains("estimate")) {
      EXPECT_TRUE(st["estimate"].is_number());
      ASSERT_TRUE(st["interval"].is_array());
      EXPECT_EQ(st["interval"].size(), 2u);
    }
  }
  EXPECT_FALSE(region["strata"][1].contains("estimate"));  // Wales: flagged sparse

  const auto overlap = get_json("/api/v1/overlap")["overlap"];
  EXPECT_EQ(overlap["lists"], nlohmann::json({"police", "health"}));
  expect_cell(overlap["total"]);
  ASSERT_EQ(overlap["patterns"].size(), 3u);
  for (const auto& p : overlap["patterns"]) {
    EXPECT_EQ(p["pattern"].get<std::string>().size(), 2u);
    EXPECT_TRUE(p["lists"].is_array());
    expect_cell(p["count"]);
  }
  EXPECT_TRUE(overlap["patterns"][2]["count"]["value"].is_null());  // 8: suppressed
  ASSERT_EQ(overlap["list_totals"].size(), 2u);
  for (const auto& t : overlap["list_totals"]) expect_cell(t["count"]);

  const auto models = get_json("/api/v1/models")["models"];
  ASSERT_EQ(models["methods"].size(), 2u);
  for (const auto& m : models["methods"]) {
    for (const char* k : {"method", "label", "interval_kind", "source"})
      EXPECT_TRUE(m[k].is_string()) << k;
    EXPECT_TRUE(m["chosen"].is_boolean());
    EXPECT_EQ(m["estimate"].get<double>(), std::round(m["estimate"].get<double>()));
  }

  const auto linkage = get_json("/api/v1/linkage")["linkage"];
  ASSERT_EQ(linkage.size(), 1u);
  const auto& l = linkage[0];
  EXPECT_EQ(l["role"], "victim");
  for (const char* k : {"records", "persons", "candidate_pairs", "linked_pairs"}) expect_cell(l[k]);
  EXPECT_TRUE(l["threshold"].is_number());
  EXPECT_TRUE(l["fields"][0]["levels"][0]["weight"].is_number());
  for (const auto& b : l["blocking"]) {
    EXPECT_TRUE(b["rule"].is_string());
    expect_cell(b["pairs_implied"]);
    expect_cell(b["pairs_new"]);
    EXPECT_FALSE(b.contains("largest_blocks"));
  }
  EXPECT_FALSE(l.contains("largest_cluster"));
  EXPECT_EQ(get_json("/api/v1/linkage?role=victim")["linkage"].size(), 1u);
}

TEST_F(ServerTest, NewEndpointsRejectBadParametersNamingTheValidOnes) {
  // Before any estimate run: no dimension is valid yet, and the message says how to get one.
  auto none = get_json("/api/v1/estimates?dimension=region", 400);
  EXPECT_NE(none["error"].get<std::string>().find("run joindots estimate"), std::string::npos)
      << none;
  EXPECT_TRUE(get_json("/api/v1/overlap")["overlap"].is_null());
  add_runs(dir_ / "hub.db");
  auto e1 = get_json("/api/v1/estimates?dimension=planet", 400);
  EXPECT_NE(e1["error"].get<std::string>().find("'planet' is not estimated (valid: region, sex)"),
            std::string::npos)
      << e1;
  auto e2 = get_json("/api/v1/estimates?by=region", 400);
  EXPECT_NE(e2["error"].get<std::string>().find("unknown parameter 'by' (valid: dimension)"),
            std::string::npos)
      << e2;
  auto e3 = get_json("/api/v1/linkage?role=suspect", 400);
  EXPECT_NE(e3["error"].get<std::string>().find("(valid: victim)"), std::string::npos) << e3;
  auto e4 = get_json("/api/v1/overlap?x=1", 400);
  EXPECT_NE(e4["error"].get<std::string>().find("(valid: none)"), std::string::npos) << e4;
  auto e5 = get_json("/api/v1/geo/regions?x=1", 400);
  EXPECT_TRUE(e5["error"].is_string());
}

TEST_F(ServerTest, SummaryAndBundleMatchTheirSchemas) {
  const auto summary = get_json("/api/v1/summary");
  for (const char* key : {"schema_version", "files", "sources", "areas", "runs"})
    EXPECT_TRUE(summary[key].is_number()) << key;
  EXPECT_EQ(summary["files"], 1);

  const auto b = get_json("/api/v1/bundle");
  EXPECT_EQ(b["schema"], report::kBundleSchema);
  EXPECT_EQ(b["tier"], "public");
  ASSERT_EQ(b["areas"].size(), 318u);
  for (const auto& a : b["areas"]) {
    for (const char* key : {"lad_cd", "name", "region", "pfa"})
      EXPECT_TRUE(a[key].is_string()) << key;
    EXPECT_TRUE(a["pop_0_17"].is_number());
    expect_cell(a["count"]);
  }
  EXPECT_EQ(b["area_counts"]["measure"], "victim_records");  // no link run yet
  expect_cell(b["area_counts"]["total"]);
  EXPECT_EQ(b["area_counts"]["total"]["value"], 40);  // 40 records, rounded to 5: 40
  EXPECT_EQ(b["victim_records_total"]["value"], 40);
  for (const char* q : {"victims", "areas", "offences", "still_involved"})
    EXPECT_TRUE(b["headline"].contains(q)) << q;
}

TEST_F(ServerTest, ResultsAreBuiltOncePerStoreStateAndRebuiltWhenARunIsSaved) {
  for (const char* path :
       {"/api/v1/bundle", "/api/v1/summary", "/api/v1/estimates", "/api/v1/areas?region=Wales",
        "/api/v1/overlap", "/api/v1/bundle", "/api/v1/linkage"})
    get_json(path);
  EXPECT_EQ(server_->results_builds(), 1);
  EXPECT_TRUE(get_json("/api/v1/overlap")["overlap"].is_null());
  EXPECT_EQ(get_json("/api/v1/summary")["runs"], 0);
  add_runs(dir_ / "hub.db");  // another connection saves an estimate run and a link run
  EXPECT_EQ(get_json("/api/v1/summary")["runs"], 2);
  EXPECT_EQ(get_json("/api/v1/overlap")["overlap"]["lists"], nlohmann::json({"police", "health"}));
  EXPECT_EQ(get_json("/api/v1/linkage")["linkage"].size(), 1u);
  EXPECT_EQ(server_->results_builds(), 2);
}

TEST_F(ServerTest, AreasFilterByRegionAndSourcesList) {
  const auto ne = get_json("/api/v1/areas?region=North%20East");
  EXPECT_EQ(ne["areas"].size(), 12u);  // the North East's 12 districts
  for (const auto& a : ne["areas"]) EXPECT_EQ(a["region"], "North East");
  const auto sources = get_json("/api/v1/sources");
  ASSERT_EQ(sources["sources"].size(), 1u);
  EXPECT_EQ(sources["sources"][0]["source_type"], "police");
  expect_cell(sources["sources"][0]["victim_records"]);
}

TEST_F(ServerTest, BadParametersGet400WithAMessage) {
  auto e1 = get_json("/api/v1/areas?region=Atlantis", 400);
  EXPECT_NE(e1["error"].get<std::string>().find("Atlantis"), std::string::npos);
  auto e2 = get_json("/api/v1/areas?colour=red", 400);
  EXPECT_NE(e2["error"].get<std::string>().find("unknown parameter 'colour' (valid: region)"),
            std::string::npos);
  auto e3 = get_json("/api/v1/bundle?tier=secret", 400);
  EXPECT_NE(e3["error"].get<std::string>().find("(valid: public, restricted)"), std::string::npos)
      << e3;
  auto e4 = get_json("/api/v1/nothing", 404);
  EXPECT_TRUE(e4["error"].is_string());
}

TEST_F(ServerTest, ServesThePageAndItsAssets) {
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/assets/report.js"), std::string::npos);
  auto js = get("/assets/report.js");
  ASSERT_TRUE(js);
  EXPECT_GT(js->body.size(), 10000u);
  auto geo = get("/api/v1/geo");
  ASSERT_TRUE(geo);
  EXPECT_EQ(nlohmann::json::parse(geo->body)["features"].size(), 318u);
  auto regions = get("/api/v1/geo/regions");
  ASSERT_TRUE(regions);
  const auto rg = nlohmann::json::parse(regions->body);
  ASSERT_EQ(rg["features"].size(), 10u);  // 9 English regions and Wales
  for (const auto& f : rg["features"]) EXPECT_TRUE(f["properties"]["rgn_nm"].is_string());
}

TEST_F(ServerTest, WithoutATokenFileOrAnAccountTheRestrictedTierIsRefused) {
  const std::string auth = "Bearer " + std::string(40, 'x');
  auto r = get("/api/v1/bundle?tier=restricted", {{"Authorization", auth}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(nlohmann::json::parse(r->body)["error"].get<std::string>().find("joindots accounts add"),
            std::string::npos);
}

class RestrictedServerTest : public ServerTest {
 protected:
  RestrictedServerTest() { token_ = "4f1c0e9a7b2d6c3e8f5a1b0c9d7e6f2a3b4c5d6e7f8a9b0c"; }
};

TEST_F(RestrictedServerTest, TheRestrictedBundleNeedsTheBearerToken) {
  // No header: 401, naming the header, with a WWW-Authenticate challenge.
  auto none = get("/api/v1/bundle?tier=restricted");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->get_header_value("Content-Type").find("json"), std::string::npos);
  EXPECT_NE(
      nlohmann::json::parse(none->body)["error"].get<std::string>().find("Authorization: Bearer"),
      std::string::npos);
  EXPECT_NE(none->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(none->get_header_value("Cache-Control"), "no-store");
  // Another scheme, or an empty bearer: 401.
  for (const std::string& h :
       std::vector<std::string>{"Basic dXNlcjpwYXNz", "Bearer ", "bearer " + token_, token_}) {
    auto r = get("/api/v1/bundle?tier=restricted", {{"Authorization", h}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << h;
    EXPECT_TRUE(nlohmann::json::parse(r->body)["error"].is_string());
  }
  // A wrong token (a prefix, one character changed, longer): 401 and no data.
  std::string changed = token_;
  changed.back() = changed.back() == '0' ? '1' : '0';
  for (const std::string& t :
       std::vector<std::string>{token_.substr(0, 10), changed, token_ + "0"}) {
    auto r = get("/api/v1/bundle?tier=restricted", {{"Authorization", "Bearer " + t}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << t;
    const auto body = nlohmann::json::parse(r->body);
    EXPECT_TRUE(body["error"].is_string());
    EXPECT_FALSE(body.contains("areas"));
  }
  // The right token: the restricted bundle, with exact counts and no caching.
  auto ok = get("/api/v1/bundle?tier=restricted", {{"Authorization", "Bearer " + token_}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->get_header_value("Cache-Control"), "no-store");
  const auto b = nlohmann::json::parse(ok->body);
  EXPECT_EQ(b["tier"], "restricted");
  EXPECT_EQ(b["victim_records_total"]["value"], 40);
}

TEST_F(RestrictedServerTest, ThePublicTierStaysOpen) {
  for (const char* path : {"/api/v1/bundle", "/api/v1/bundle?tier=public", "/api/v1/summary",
                           "/api/v1/areas", "/api/v1/sources", "/api/v1/linkage"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
  EXPECT_EQ(get_json("/api/v1/bundle")["tier"], "public");
  // The restricted page's shell is served to anyone: it holds no data, only the script that
  // asks for the token.
  auto shell = get("/restricted");
  ASSERT_TRUE(shell);
  EXPECT_EQ(shell->status, 200);
  EXPECT_NE(shell->body.find(R"(data-tier="restricted")"), std::string::npos);
  EXPECT_EQ(shell->body.find("joindots-results"), std::string::npos);
}

TEST(TokenFile, RefusesFilesOthersCanReadAndShortTokens) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const auto path = dir / "token";
  const std::string token =
      "c0ffee" + std::string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  testing::write_file(path, token + "\n");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  EXPECT_THROW(read_token_file(path), UsageError);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_THROW(read_token_file(path), UsageError);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_token_file(path), token);  // the newline dropped
  fs::permissions(path, fs::perms::owner_read);
  EXPECT_EQ(read_token_file(path), token);
  testing::write_file(path, "short\n");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THROW(read_token_file(path), UsageError);
  EXPECT_THROW(read_token_file(dir / "missing"), UsageError);
}

TEST(TokenFile, RefusesNulFilledAndRepetitiveTokens) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const auto path = dir / "token";
  const auto refused = [&](const std::string& content, const std::string& expected_words) {
    testing::write_file(path, content);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    try {
      read_token_file(path);
      ADD_FAILURE() << "accepted a token of " << content.size() << " bytes";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(expected_words), std::string::npos) << e.what();
    }
  };
  refused(std::string(64, '\0'), "control or non-ASCII");  // the issue's all-NUL file
  refused(std::string(40, 'a') + "\n", "only 1 different");
  refused("abababababababababababababababab", "only 2 different");
  refused(std::string(31, 'x') + "\x01" + "0123456789abcdef", "control or non-ASCII");
  refused(
      "0123456789abcdef\xc3\xa9"
      "0123456789abcdef",
      "control or non-ASCII");
  // A real random token passes: openssl rand -hex 32.
  testing::write_file(path, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_token_file(path).size(), 64u);
}

TEST(DashboardServerRules, TheRestrictedTierIsServedOnLoopbackOnly) {
  for (const char* host : {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "example.org", "128.0.0.1"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
  ServerOptions opt;
  opt.db = "unused.db";  // the store is opened at the first request, not here
  opt.data_dir = testing::test_data_dir();
  opt.web_dist = JOINDOTS_TEST_WEB_DIST;
  opt.restricted_token = std::string(40, 'k');
  opt.host = "0.0.0.0";
  try {
    DashboardServer refused(opt);
    ADD_FAILURE() << "a restricted tier was set up on 0.0.0.0";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("loopback only"), std::string::npos) << e.what();
  }
  opt.host = "127.0.0.1";
  EXPECT_NO_THROW(DashboardServer{opt});
  opt.host = "0.0.0.0";
  opt.restricted_token.clear();  // the public tier alone may be served anywhere
  EXPECT_NO_THROW(DashboardServer{opt});
}

TEST(DashboardServerRules, ErrorsMapToStatusesByKind) {
  const auto answer = [](auto error) { return error_answer(std::make_exception_ptr(error)); };
  const auto usage = answer(UsageError("dimension: 'x' is not estimated"));
  EXPECT_EQ(usage.status, 400);
  EXPECT_EQ(nlohmann::json::parse(usage.body)["error"], "dimension: 'x' is not estimated");
  const auto bad = answer(BadInputError(InputIssue{"f.csv", 3, "dob", "not a date"}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("not a date"), std::string::npos) << bad.body;
  for (const auto& internal : {answer(InternalError("sqlite: disk I/O error at /srv/hub.db")),
                               answer(std::runtime_error("vector::_M_range_check")), answer(42)}) {
    EXPECT_EQ(internal.status, 500);
    EXPECT_EQ(internal.body.find("/srv"), std::string::npos) << internal.body;
    EXPECT_EQ(internal.body.find("range_check"), std::string::npos) << internal.body;
    EXPECT_NE(nlohmann::json::parse(internal.body)["error"].get<std::string>().find("internal error"),
              std::string::npos);
  }
}

TEST(TokenFile, ComparesTokensExactly) {
  const std::string t(40, 'k');
  EXPECT_TRUE(tokens_equal(t, t));
  EXPECT_FALSE(tokens_equal(t + "k", t));
  EXPECT_FALSE(tokens_equal(t.substr(1), t));
  EXPECT_FALSE(tokens_equal("", t));
}

// httplib's default SO_REUSEPORT let a second serve bind a port in use, and the kernel then
// shared connections between two servers.
TEST_F(ServerTest, ASecondServerOnAPortInUseIsRefused) {
  ServerOptions opt;
  opt.db = (dir_ / "hub.db").string();
  opt.port = port_;
  opt.data_dir = testing::test_data_dir();
  opt.web_dist = JOINDOTS_TEST_WEB_DIST;
  DashboardServer second(opt);
  EXPECT_THROW(second.bind(), UsageError);
  auto r = get("/api/v1/summary");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace joindots::serve
