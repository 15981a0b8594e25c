#pragma once
// A dashboard server on a free loopback port over a fresh store of 40 sample records, run on
// a thread for the length of one test.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/areas.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "io/area_file.hpp"
#include "serve/server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots::serve {

class ServerTest : public ::testing::Test {
 protected:
  /// Options a test may change before SetUp starts the server.
  virtual void adjust(ServerOptions&) {}
  void SetUp() override {
    const auto areas = load_area_table(testing::test_data_dir());
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
    opt.restricted_token = token_;
    adjust(opt);
    server_ = std::make_unique<DashboardServer>(opt);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->listen(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path.c_str(), headers);
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
  std::string token_;  // the restricted tier's token; empty: not served
  std::unique_ptr<DashboardServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace joindots::serve
