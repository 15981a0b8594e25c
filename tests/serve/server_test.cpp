#include "serve/server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "report/bundle.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots::serve {

namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto areas = AreaTable::load(testing::test_data_dir());
    {
      SqliteStore store(dir_ / "hub.db", true);
      testing::write_file(dir_ / "a.csv", testing::sample_file(40));
      ingest_file(store, areas, dir_ / "a.csv");
    }
    ServerOptions opt;
    opt.db = (dir_ / "hub.db").string();
    opt.port = 0;
    opt.data_dir = testing::test_data_dir();
    opt.web_dist = JOINDOTS_TEST_WEB_DIST;
    server_ = std::make_unique<DashboardServer>(opt);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->listen(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path.c_str());
  }
  nlohmann::json get_json(const std::string& path, int status = 200) {
    auto r = get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    EXPECT_NE(r->get_header_value("Content-Type").find("json"), std::string::npos) << path;
    return nlohmann::json::parse(r->body);
  }

  testing::TempDir dir_;
  std::unique_ptr<DashboardServer> server_;
  std::thread thread_;
  int port_ = 0;
};

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

}  // namespace

TEST_F(ServerTest, SummaryAndBundleMatchTheirSchemas) {
  const auto summary = get_json("/api/v1/summary");
  for (const char* key : {"schema_version", "files", "sources", "areas", "runs"}) EXPECT_TRUE(summary[key].is_number()) << key;
  EXPECT_EQ(summary["files"], 1);

  const auto b = get_json("/api/v1/bundle");
  EXPECT_EQ(b["schema"], report::kBundleSchema);
  EXPECT_EQ(b["tier"], "public");
  ASSERT_EQ(b["areas"].size(), 318u);
  for (const auto& a : b["areas"]) {
    for (const char* key : {"lad_cd", "name", "region", "pfa"}) EXPECT_TRUE(a[key].is_string()) << key;
    EXPECT_TRUE(a["pop_0_17"].is_number());
    expect_cell(a["count"]);
  }
  EXPECT_EQ(b["area_counts"]["measure"], "victim_records");  // no link run yet
  expect_cell(b["area_counts"]["total"]);
  EXPECT_EQ(b["area_counts"]["total"]["value"], 40);  // 40 records, rounded to 5: 40
  EXPECT_EQ(b["victim_records_total"]["value"], 40);
  for (const char* q : {"victims", "areas", "offences", "still_involved"}) EXPECT_TRUE(b["headline"].contains(q)) << q;
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
  EXPECT_NE(e2["error"].get<std::string>().find("unknown parameter 'colour' (valid: region)"), std::string::npos);
  auto e3 = get_json("/api/v1/bundle?tier=restricted", 400);
  EXPECT_NE(e3["error"].get<std::string>().find("only 'public'"), std::string::npos);
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
}

}  // namespace joindots::serve
