// The server over TLS (serve --tls-cert/--tls-key, serve/tls.hpp): the API over HTTPS with the
// certificate verified, accounts off loopback only with TLS, the key file's mode checked, and
// the connection guard's protections kept on TLS connections (a client stalling its handshake
// or trickling its headers is cut off at the deadline while others are answered).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "serve/tls_fixture.hpp"

namespace joindots::serve {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

ServerOptions bare_options(const std::filesystem::path& dir) {
  ServerOptions opt;
  opt.db = (dir / "hub.db").string();
  opt.data_dir = testing::test_data_dir();
  opt.web_dist = JOINDOTS_TEST_WEB_DIST;
  return opt;
}

}  // namespace

TEST_F(TlsServerTest, ServesTheApiOverHttpsWithItsCertificateVerified) {
  auto r = tls_get("/api/v1/summary");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["files"], 2);
  // Accounts are served over it (on loopback, as they were without TLS).
  EXPECT_EQ(tls_get("/api/v1/bundle?tier=restricted", analyst_)->status, 200);
  EXPECT_EQ(tls_get("/api/v1/deliveries", agency_)->status, 200);
  EXPECT_EQ(tls_get("/api/v1/accounts", agency_)->status, 403);
  EXPECT_EQ(tls_get("/api/v1/accounts", "000000000000.nope")->status, 401);
  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(5);
  auto p = plain.Get("/api/v1/summary");
  EXPECT_TRUE(!p || p->status != 200);
  // A client that does not trust the certificate refuses the connection.
  httplib::SSLClient untrusting("127.0.0.1", port_);
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path((dir_ / "none.pem").c_str());
  EXPECT_FALSE(untrusting.Get("/api/v1/summary"));
}

TEST_F(TlsServerTest, KeptAliveTlsConnectionsServeSeveralRequests) {
  tls_test::RawTlsConnection c(port_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send("GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) << i;
    EXPECT_EQ(raw::status_of(c.receive(milliseconds(4000))), 200) << i;
  }
}

// The guard on TLS: twelve clients, half stalling the handshake (a TCP connection sending one
// byte every two seconds, never a whole ClientHello), half trickling header lines after a
// handshake. Others are answered meanwhile, and each slow one is closed at the 3 s deadline.
TEST_F(TlsServerTest, ClientsStallingTheHandshakeOrTricklingHeadersAreCutOffWhileOthersAreAnswered) {
  constexpr int kSlow = 12;
  std::atomic<int> connected{0};
  std::vector<double> cut_off_after(kSlow, -1);
  std::vector<std::thread> slow;
  for (int i = 0; i < kSlow; ++i)
    slow.emplace_back([&, i] {
      const auto start = Clock::now();
      const auto until = start + std::chrono::seconds(10);
      bool open = true;
      if (i % 2 == 0) {
        raw::RawConnection c(port_);
        if (!c.ok()) return;
        ++connected;
        open = c.send("\x16");  // the first byte of a TLS record, then a trickle
        while (open && Clock::now() < until) {
          c.receive(milliseconds(2000), /*until_head=*/false);
          open = !c.closed() && c.send("\x03");
        }
      } else {
        tls_test::RawTlsConnection c(port_);
        if (!c.ok()) return;
        ++connected;
        open = c.send("GET /api/v1/summary HTTP/1.1\r\n");
        for (int line = 0; open && Clock::now() < until; ++line) {
          c.receive(milliseconds(2000));
          open = !c.closed() && c.send("X-Slow-" + std::to_string(line) + ": 1\r\n");
        }
      }
      if (!open) cut_off_after[i] = std::chrono::duration<double>(Clock::now() - start).count();
    });
  while (connected < kSlow) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    auto r = tls_get("/api/v1/summary");
    ASSERT_TRUE(r) << "request " << i << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << "request " << i;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(4)) << "request " << i;
  }
  for (auto& t : slow) t.join();
  for (int i = 0; i < kSlow; ++i) {
    EXPECT_GE(cut_off_after[i], 2.5) << "client " << i;
    EXPECT_LT(cut_off_after[i], 7.0) << "client " << i << " was never cut off (-1) or late";
  }
}

TEST(TlsRules, TheKeyFileMustBePrivateAndTheCertificatesKey) {
  testing::TempDir dir;
  { SqliteStore store(dir / "hub.db", true); }
  const auto cert = tls_test::make_certificate(dir.path());
  const auto other = tls_test::make_certificate(dir.path(), "other");
  auto opt = bare_options(dir.path());
  const auto refusal = [&](const ServerOptions& o) -> std::string {
    try {
      DashboardServer server(o);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "accepted";
  };
  opt.tls_cert = cert.cert;
  EXPECT_NE(refusal(opt).find("go together"), std::string::npos) << refusal(opt);
  opt.tls_key = other.key;
  EXPECT_NE(refusal(opt).find("not the key of the certificate"), std::string::npos) << refusal(opt);
  opt.tls_key = cert.key;
  ::chmod(cert.key.c_str(), 0640);
  EXPECT_NE(refusal(opt).find("chmod 600"), std::string::npos) << refusal(opt);
  ::chmod(cert.key.c_str(), 0400);
  EXPECT_EQ(refusal(opt), "accepted");
  opt.tls_cert = dir / "missing.crt";
  EXPECT_NE(refusal(opt).find("--tls-cert"), std::string::npos) << refusal(opt);
  opt.tls_cert = cert.key;  // a key is not a certificate
  EXPECT_NE(refusal(opt).find("not a PEM certificate"), std::string::npos) << refusal(opt);
}

// Off loopback, bearer tokens (accounts and the token file) are taken only over TLS.
TEST(TlsRules, OffLoopbackAccountsAndTheTokenFileAreServedOnlyWithTls) {
  testing::TempDir dir;
  { SqliteStore store(dir / "hub.db", true); }
  const auto cert = tls_test::make_certificate(dir.path());
  auto opt = bare_options(dir.path());
  opt.host = "0.0.0.0";
  opt.restricted_token = "4f1c0e9a7b2d6c3e8f5a1b0c9d7e6f2a3b4c5d6e7f8a9b0c";
  EXPECT_THROW(DashboardServer{opt}, UsageError);
  opt.tls_cert = cert.cert;
  opt.tls_key = cert.key;
  DashboardServer server(opt);
  std::vector<int> statuses;
  server.answer_in_memory("GET /api/v1/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              opt.restricted_token + "\r\nConnection: close\r\n\r\n",
                          &statuses);
  EXPECT_EQ(statuses, std::vector<int>{200});
}

}  // namespace joindots::serve
