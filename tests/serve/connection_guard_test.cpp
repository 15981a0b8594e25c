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
  const std::string request = "GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  // Two kept-alive connections, answered, hold both workers (their answers show the workers
  // have taken them); a third waits in the queue (connections are accepted in order).
  // Each connects only after the one before was answered, so each finds the queue empty.
  raw::RawConnection first(port_);
  ASSERT_TRUE(first.ok() && first.send(request));
  ASSERT_EQ(raw::status_of(first.receive(milliseconds(4000))), 200);
  raw::RawConnection second(port_);
  ASSERT_TRUE(second.ok() && second.send(request));
  ASSERT_EQ(raw::status_of(second.receive(milliseconds(4000))), 200);
  raw::RawConnection queued(port_);
  ASSERT_TRUE(queued.ok() && queued.send(request));
  // The fourth finds the queue full: 503 at once.
  const auto start = Clock::now();
  const auto busy =
      raw::raw_exchange(port_, raw::get_request("/api/v1/summary"), milliseconds(3000));
  EXPECT_EQ(raw::status_of(busy), 503) << busy;
  EXPECT_NE(busy.find("Retry-After"), std::string::npos) << busy;
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  // When a worker is free again the queued connection is served, then new ones.
  first = raw::RawConnection(-1);
  second = raw::RawConnection(-1);
  EXPECT_EQ(raw::status_of(queued.receive(milliseconds(4000))), 200);
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
