#include "serve/connection_guard.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "serve/raw_http.hpp"
#include "serve/server_fixture.hpp"

namespace joindots::serve {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class SlowClientTest : public ServerTest {
 protected:
  void adjust(ServerOptions& opt) override { opt.limits.request_deadline = milliseconds(3000); }
};

// The reproduction: clients sending one header line every two seconds held httplib's
// eight workers until they chose to stop, so nobody else was answered. Twelve of them here
// (more than httplib's pool on a machine of up to 13 cores).
TEST_F(SlowClientTest, ClientsTricklingHeadersDoNotStopTheServerAndAreCutOff) {
  constexpr int kSlow = 12;
  std::atomic<int> connected{0};
  std::vector<double> cut_off_after(kSlow, -1);  // seconds from connecting to being closed
  std::vector<std::thread> slow;
  for (int i = 0; i < kSlow; ++i)
    slow.emplace_back([&, i] {
      raw::RawConnection c(port_);
      if (!c.ok()) return;
      ++connected;
      const auto start = Clock::now();
      bool open = c.send("GET /api/v1/summary HTTP/1.1\r\n");
      for (int line = 0; open && Clock::now() - start < std::chrono::seconds(10); ++line) {
        c.receive(milliseconds(2000), /*until_head=*/false);
        open = !c.closed() && c.send("X-Slow-" + std::to_string(line) + ": 1\r\n");
      }
      if (!open) cut_off_after[i] = std::chrono::duration<double>(Clock::now() - start).count();
    });
  while (connected < kSlow) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(300));
  // Others are answered while the slow ones trickle.
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    const auto r =
        raw::raw_exchange(port_, raw::get_request("/api/v1/summary"), milliseconds(4000));
    EXPECT_EQ(raw::status_of(r), 200)
        << "request " << i << " while " << kSlow << " clients trickle: '" << r << "'";
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
  }
  for (auto& t : slow) t.join();
  // Each slow client was closed at its request deadline (3 s here), not left to trickle.
  for (int i = 0; i < kSlow; ++i) {
    EXPECT_GE(cut_off_after[i], 2.5) << "client " << i;
    EXPECT_LT(cut_off_after[i], 7.0) << "client " << i << " was never cut off (-1) or late";
  }
}

class FullServerTest : public ServerTest {
 protected:
  void adjust(ServerOptions& opt) override {
    opt.limits.workers = 2;
    opt.limits.max_waiting = 1;
    opt.limits.idle_timeout = milliseconds(20000);
  }
};

TEST_F(FullServerTest, AConnectionBeyondTheQueueGets503AtOnceAndTheServerRecovers) {
  {
    // Two idle connections hold both workers; a third waits in the queue.
    std::vector<raw::RawConnection> idle;
    for (int i = 0; i < 3; ++i) {
      idle.emplace_back(port_);
      ASSERT_TRUE(idle.back().ok());
      std::this_thread::sleep_for(milliseconds(200));
    }
    const auto start = Clock::now();
    const auto r =
        raw::raw_exchange(port_, raw::get_request("/api/v1/summary"), milliseconds(3000));
    EXPECT_EQ(raw::status_of(r), 503) << r;
    EXPECT_NE(r.find("Retry-After"), std::string::npos) << r;
    EXPECT_LT(Clock::now() - start, milliseconds(2000));
  }
  // The idle connections closed (the workers notice within a poll interval): answered again.
  std::this_thread::sleep_for(milliseconds(500));
  const auto r = raw::raw_exchange(port_, raw::get_request("/api/v1/summary"), milliseconds(4000));
  EXPECT_EQ(raw::status_of(r), 200) << r;
}

TEST_F(ServerTest, ARequestPastItsByteBudgetIsRefusedAndTheServerStaysUp) {
  std::string request = "GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  while (request.size() < 200 * 1024) request += "X-Padding: " + std::string(1000, 'p') + "\r\n";
  request += "\r\n";
  raw::RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  c.send(request);  // may fail part way: the server stops reading at its budget
  const auto r = c.receive(milliseconds(4000));
  EXPECT_NE(raw::status_of(r), 200) << r.substr(0, 200);
  EXPECT_EQ(get_json("/api/v1/summary")["files"], 1);
}

TEST_F(ServerTest, KeptAliveConnectionsServeSeveralRequests) {
  raw::RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send("GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) << i;
    const auto r = c.receive(milliseconds(4000));
    EXPECT_EQ(raw::status_of(r), 200) << i << ": " << r;
  }
}

}  // namespace

}  // namespace joindots::serve
