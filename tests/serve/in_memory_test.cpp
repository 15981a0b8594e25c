// DashboardServer::answer_in_memory: a connection's raw bytes answered in process, as the fuzz
// target fuzz/serve_request_fuzz.cpp drives the server (no bind, no socket).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/areas.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "serve/server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots::serve {
namespace {

class InMemoryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      SqliteStore store(dir_ / "hub.db", true);
      testing::write_file(dir_ / "a.csv", testing::sample_file(40));
      ingest_file(store, testing::test_areas(), dir_ / "a.csv");
    }
    ServerOptions opt;
    opt.db = (dir_ / "hub.db").string();
    opt.data_dir = testing::test_data_dir();
    opt.web_dist = JOINDOTS_TEST_WEB_DIST;
    server_ = std::make_unique<DashboardServer>(opt);
  }
  testing::TempDir dir_;
  std::unique_ptr<DashboardServer> server_;
};

TEST_F(InMemoryServerTest, AnswersPipelinedRequestsWithTheirStatuses) {
  std::vector<int> statuses;
  const auto answer = server_->answer_in_memory(
      "GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /api/v1/%FF HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "DELETE /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /api/v1/summary HTTP/1.1\r\nHost: evil.example\r\n\r\n",
      &statuses);
  EXPECT_EQ(statuses, (std::vector<int>{200, 400, 405, 421}));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"schema_version\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 421"), std::string::npos) << answer;
}

TEST_F(InMemoryServerTest, StopsAtGarbageAndAtConnectionClose) {
  std::vector<int> statuses;
  server_->answer_in_memory("\x01\x02 garbage\r\n\r\n", &statuses);
  for (const int s : statuses) EXPECT_EQ(s / 100, 4) << s;
  statuses.clear();
  server_->answer_in_memory(
      "GET /api/v1/summary HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
      "GET /api/v1/summary HTTP/1.1\r\nHost: localhost\r\n\r\n",
      &statuses);
  EXPECT_EQ(statuses, std::vector<int>{200});
}

}  // namespace
}  // namespace joindots::serve
