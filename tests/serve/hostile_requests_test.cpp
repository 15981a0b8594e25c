// A hostile-request corpus against a real `joindots serve` process on loopback (issue 14):
// malformed paths and escapes, odd methods and versions, long and broken headers, garbage,
// and slow clients. The process must survive all of it, and every answer must be a 2xx, 3xx
// or 4xx carrying no internal text.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/areas.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "io/area_file.hpp"
#include "serve/raw_http.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

extern char** environ;

namespace joindots::serve {

namespace {

using std::chrono::milliseconds;

/// `joindots serve` on a free port, its stderr read until it names its URL.
class ServeProcess {
 public:
  explicit ServeProcess(const std::filesystem::path& db) {
    int err[2];
    if (pipe(err) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<std::string> args = {
        JOINDOTS_CLI, "serve", "--db", db.string(), "--port", "0", "--request-timeout", "2"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    setenv("JOINDOTS_WEB_DIST", JOINDOTS_TEST_WEB_DIST, 1);
    setenv("JOINDOTS_DATA_DIR", JOINDOTS_TEST_DATA_DIR, 1);
    if (posix_spawn(&pid_, JOINDOTS_CLI, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(err[1]);
    err_ = err[0];
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::regex url(R"(http://127\.0\.0\.1:(\d+)/)");
    while (pid_ > 0 && port_ == 0 && std::chrono::steady_clock::now() < until) {
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[512];
      const auto n = read(err_, buf, sizeof buf);
      if (n <= 0) break;
      log_.append(buf, static_cast<std::size_t>(n));
      std::smatch m;
      if (std::regex_search(log_, m, url)) port_ = std::stoi(m[1]);
    }
    fcntl(err_, F_SETFL, O_NONBLOCK);
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (err_ >= 0) close(err_);
  }
  int port() const { return port_; }
  /// Whether the process is still running (not exited, not killed by a signal).
  bool alive() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }
  /// Everything it wrote on stderr so far.
  std::string log() {
    char buf[4096];
    for (ssize_t n; (n = read(err_, buf, sizeof buf)) > 0;)
      log_.append(buf, static_cast<std::size_t>(n));
    return log_;
  }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  int port_ = 0;
  std::string log_;
};

/// The corpus: raw bytes of requests no well-behaved client sends.
std::vector<std::string> hostile_requests() {
  const auto get = [](const std::string& target) { return raw::get_request(target); };
  std::vector<std::string> c;
  for (const std::string& t :
       std::vector<std::string>{"/api/v1/%FF",
                                "/api/%C3",
                                "/api/v1/summary%FF",
                                "/%",
                                "/%%",
                                "/%0",
                                "/%00",
                                "/%0d%0aSet-Cookie:%20x=1",
                                "/%2e%2e/%2e%2e/etc/passwd",
                                "/../../etc/passwd",
                                "/assets/../../../../etc/passwd",
                                "/assets/..%2f..%2fCMakeLists.txt",
                                "//",
                                "/api//v1/summary",
                                "/api/v1/summary/",
                                "/api/v1/summary?",
                                "/api/v1/summary?&&&",
                                "/api/v1/areas?region=",
                                "/api/v1/areas?region=%FF%FE",
                                "/api/v1/areas?region=%3Cscript%3Ealert(1)%3C/script%3E",
                                "/api/v1/bundle?tier=restricted",
                                "/api/v1/bundle?tier=public&tier=restricted",
                                "/api/v1/estimates?dimension=%E2%80%A8",
                                "/api/v1/linkage?role=%C0%80",
                                "/api/v1/summary#fragment",
                                "/api/v1/geo/%ED%A0%80",
                                "/restricted?token=%FF",
                                "*",
                                "http://evil.example/",
                                "/" + std::string(8000, 'a'),
                                "/" + std::string(20000, 'a'),
                                "/api/v1/areas?" + std::string(4000, '&'),
                                "/api/v1/areas?region=" + std::string(6000, '%')})
    c.push_back(get(t));
  for (const std::string& m :
       std::vector<std::string>{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PRI"})
    c.push_back(m +
                " /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: "
                "close\r\n\r\nhello");
  for (const std::string& line : std::vector<std::string>{
           "CONNECT evil.example:443 HTTP/1.1", "BREW /pot HTTP/1.1", "get / HTTP/1.1", "GET",
           "GET / HTTP/2.0", "GET / HTTP/1.1 extra", "GET / HTTP/9.9", "GET /", "GET  / HTTP/1.1",
           "GET\t/\tHTTP/1.1", " GET / HTTP/1.1", "GET /\x01 HTTP/1.1", "GET /\xff HTTP/1.1"})
    c.push_back(line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  const std::string start = "GET /api/v1/summary HTTP/1.1\r\n";
  for (const std::string& headers : std::vector<std::string>{
           "",
           "Host: evil.example\r\n",
           "Host: 127.0.0.1\r\nHost: evil.example\r\n",
           "Host:\r\n",
           "Host: \xff\xfe\r\n",
           "Host: 127.0.0.1\r\nX-Long: " + std::string(10000, 'x') + "\r\n",
           "Host: 127.0.0.1\r\nNoColonHere\r\n",
           std::string("Host: 127.0.0.1\r\nX-Nul: a\0b\r\n", 29),
           "Host: 127.0.0.1\r\nRange: bytes=99999999999999999999999-\r\n",
           "Host: 127.0.0.1\r\nRange: bytes=-\r\n",
           "Host: 127.0.0.1\r\nRange: bytes=5-1\r\n",
           "Host: 127.0.0.1\r\nContent-Length: -1\r\n",
           "Host: 127.0.0.1\r\nContent-Length: 99999999999999999999\r\n",
           "Host: 127.0.0.1\r\nContent-Length: abc\r\n",
           "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "Host: 127.0.0.1\r\nExpect: 100-continue\r\n",
           "Host: 127.0.0.1\r\nAccept-Encoding: gzip, br, deflate\r\n",
           "Host: 127.0.0.1\r\nAuthorization: Bearer " + std::string(6000, 'b') + "\r\n",
           "Host: 127.0.0.1\r\nAuthorization: Bearer \xff\xfe\xfd\r\n",
           " Host: 127.0.0.1\r\n",
           "Host: 127.0.0.1\r\nX-Folded: a\r\n b\r\n"}) {
    c.push_back(start + headers + "Connection: close\r\n\r\n");
  }
  {
    std::string many = start + "Host: 127.0.0.1\r\n";
    for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
    c.push_back(many + "\r\n");
    std::string ranges = start + "Host: 127.0.0.1\r\nRange: bytes=0-0";
    for (int i = 0; i < 1500; ++i) ranges += ",0-0";
    c.push_back(ranges + "\r\nConnection: close\r\n\r\n");
  }
  std::mt19937 rng(14);
  for (int i = 0; i < 20; ++i) {
    std::string garbage(1 + rng() % 3000, '\0');
    for (auto& ch : garbage) ch = static_cast<char>(rng());
    c.push_back(garbage + "\r\n\r\n");
  }
  c.push_back("\r\n\r\n");
  c.push_back(std::string(70000, '\n'));
  return c;
}

bool has_internal_text(const std::string& response) {
  for (const char* leak : {"exception", "what()", "terminate", "std::", "json.", "sqlite", "SQLITE",
                           ".cpp", "/work/", "EXCEPTION_WHAT"})
    if (response.find(leak) != std::string::npos) return true;
  return false;
}

TEST(HostileRequests, ARealServeProcessSurvivesTheCorpusAnsweringOnly2xx3xx4x) {
  testing::TempDir dir;
  {
    SqliteStore store(dir / "hub.db", true);
    testing::write_file(dir / "a.csv", testing::sample_file(40));
    ingest_file(store, load_area_table(testing::test_data_dir()), dir / "a.csv");
  }
  ServeProcess serve(dir / "hub.db");
  ASSERT_GT(serve.port(), 0) << serve.log();

  // Slow clients trickle header lines throughout (the request timeout is 2 s here).
  std::vector<std::thread> slow;
  for (int i = 0; i < 10; ++i)
    slow.emplace_back([port = serve.port()] {
      raw::RawConnection c(port);
      bool open = c.ok() && c.send("GET /api/v1/summary HTTP/1.1\r\n");
      for (int line = 0; open && line < 8; ++line) {
        c.receive(milliseconds(700), /*until_head=*/false);
        open = !c.closed() && c.send("X-Slow: " + std::to_string(line) + "\r\n");
      }
    });

  const auto corpus = hostile_requests();
  int answered = 0;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const auto response = raw::raw_exchange(serve.port(), corpus[i], milliseconds(5000));
    const std::string what = "request " + std::to_string(i) + " '" + corpus[i].substr(0, 80) + "'";
    if (!response.empty()) {
      ++answered;
      const int status = raw::status_of(response);
      EXPECT_GE(status, 200) << what << ": " << response.substr(0, 200);
      EXPECT_LT(status, 500) << what << ": " << response.substr(0, 400);
      EXPECT_FALSE(has_internal_text(response)) << what << ": " << response.substr(0, 400);
    }
    ASSERT_TRUE(serve.alive()) << what << " ended the server: " << serve.log();
  }
  for (auto& t : slow) t.join();
  // Almost everything is answered (a few byte streams are not requests at all and are closed).
  EXPECT_GT(answered, static_cast<int>(corpus.size()) * 3 / 4)
      << answered << " of " << corpus.size();
  EXPECT_TRUE(serve.alive()) << serve.log();
  const auto ok = raw::raw_exchange(serve.port(), raw::get_request("/api/v1/summary"));
  EXPECT_EQ(raw::status_of(ok), 200) << ok;
}

}  // namespace

}  // namespace joindots::serve
