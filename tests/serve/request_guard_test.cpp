#include "serve/request_guard.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/raw_http.hpp"
#include "serve/server_fixture.hpp"

namespace joindots::serve {

namespace {

TEST(RequestTarget, AcceptsPlainAndEscapedUtf8) {
  for (const char* t : {"/", "/api/v1/summary", "/api/v1/areas?region=North%20East",
                        "/api/v1/areas?region=North+East", "/api/v1/areas?region=Ynys%20M%C3%B4n",
                        "/x?a&b=&=c", "/%E2%82%AC", "/api/v1/bundle?"})
    EXPECT_FALSE(request_target_problem(t)) << t;
}

TEST(RequestTarget, RefusesInvalidEscapesUtf8AndControlCharacters) {
  // The issue's three paths that ended the process, then their relatives.
  for (const char* t : {"/api/v1/%FF",
                        "/api/%C3",
                        "/api/v1/summary%FF",
                        "/%",
                        "/%4",
                        "/%G0",
                        "/%u00e9",
                        "/%C0%AF",
                        "/%ED%A0%80",
                        "/%F4%90%80%80",
                        "/a%00b",
                        "/a%0Ab",
                        "/%7F",
                        "/api?region=%FF",
                        "/api?%C3=1",
                        "/api?region=%",
                        "/api?a=1&region=%E2%82",
                        "*",
                        "http://example.com/",
                        ""}) {
    const auto problem = request_target_problem(t);
    ASSERT_TRUE(problem) << t;
    // Plain words, and never the offending bytes.
    for (char c : *problem) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << t << ": " << *problem;
  }
  EXPECT_NE(request_target_problem("/api/v1/%FF")->find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(request_target_problem("/%G0")->find("malformed percent-escape"), std::string::npos);
  EXPECT_NE(request_target_problem("/api?region=%FF")->find("query parameter"), std::string::npos);
}

TEST(HostHeader, AllowsLoopbackAndTheBoundAddressOnly) {
  const HostCheck loopback("127.0.0.1", {});
  for (const char* h : {"127.0.0.1", "127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080"})
    EXPECT_TRUE(loopback.allows(h)) << h;
  for (const char* h : {"", "evil.example", "evil.example:8080", "127.0.0.1.evil.example",
                        "10.0.0.1", "[::1", ":8080"})
    EXPECT_FALSE(loopback.allows(h)) << h;

  const HostCheck named("192.168.1.5", {"dash.example.org"});
  EXPECT_TRUE(named.allows("192.168.1.5:8080"));
  EXPECT_TRUE(named.allows("Dash.Example.org"));
  EXPECT_FALSE(named.allows("192.168.1.6"));
  EXPECT_NE(named.describe().find("dash.example.org"), std::string::npos);

  const HostCheck everywhere("0.0.0.0", {});
  EXPECT_TRUE(everywhere.allows("10.1.2.3:8080"));
  EXPECT_TRUE(everywhere.allows("[fe80::1]"));
  EXPECT_FALSE(everywhere.allows("rebind.example"));
}

using RequestGuardServerTest = ServerTest;

TEST_F(RequestGuardServerTest, InvalidEscapesInThePathGet400AndTheServerStaysUp) {
  for (const char* t :
       {"/api/v1/%FF", "/api/%C3", "/api/v1/summary%FF", "/%FF", "/assets/%C3", "/api/v1/%00"}) {
    const auto r = raw::raw_exchange(port_, raw::get_request(t));
    EXPECT_EQ(raw::status_of(r), 400) << t << ": " << r;
    const auto body = nlohmann::json::parse(raw::body_of(r), nullptr, false);
    ASSERT_TRUE(body.is_object()) << r;
    EXPECT_TRUE(body["error"].is_string());
  }
  // Still answering.
  EXPECT_EQ(get_json("/api/v1/summary")["files"], 1);
}

TEST_F(RequestGuardServerTest, InvalidUtf8InAQueryGets400WithAPlainMessage) {
  for (const char* t :
       {"/api/v1/areas?region=%FF", "/api/v1/estimates?dimension=%C3",
        "/api/v1/linkage?role=%E2%82", "/api/v1/bundle?tier=%FF%FE", "/api/v1/areas?%FF=1"}) {
    const auto r = raw::raw_exchange(port_, raw::get_request(t));
    EXPECT_EQ(raw::status_of(r), 400) << t << ": " << r;
    const auto error = nlohmann::json::parse(raw::body_of(r))["error"].get<std::string>();
    EXPECT_NE(error.find("not valid UTF-8"), std::string::npos) << error;
    EXPECT_EQ(error.find("json"), std::string::npos) << error;  // no library message
  }
}

TEST_F(RequestGuardServerTest, OnlyGetAndHeadAreServed) {
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
    const auto r =
        raw::raw_exchange(port_, std::string(m) +
                                     " /api/v1/summary HTTP/1.1\r\nHost: "
                                     "127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(raw::status_of(r), 405) << m << ": " << r;
    EXPECT_NE(r.find("Allow: GET, HEAD"), std::string::npos) << r;
  }
  const auto head = raw::raw_exchange(
      port_, "HEAD /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw::status_of(head), 200) << head;
}

TEST_F(RequestGuardServerTest, AnotherHostGets421) {
  for (const char* host : {"evil.example", "evil.example:80", "127.0.0.1.nip.io"}) {
    const auto r = raw::raw_exchange(port_, raw::get_request("/api/v1/summary", host));
    EXPECT_EQ(raw::status_of(r), 421) << host << ": " << r;
    EXPECT_EQ(raw::body_of(r).find("\"files\""), std::string::npos) << r;
  }
  const auto none = raw::raw_exchange(port_, "GET /api/v1/summary HTTP/1.0\r\n\r\n");
  EXPECT_EQ(raw::status_of(none), 421) << none;
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1", "localhost:" + std::to_string(port_), "[::1]"})
    EXPECT_EQ(raw::status_of(raw::raw_exchange(port_, raw::get_request("/api/v1/summary", host))),
              200)
        << host;
}

TEST_F(RequestGuardServerTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (const char* path :
       {"/", "/restricted", "/assets/report.js", "/api/v1/summary", "/api/v1/nothing", "/%FF"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    const auto csp = r->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << path << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << path;
  }
  // The page itself has no inline script for the policy to block: only the external bundle.
  const auto page = get("/")->body;
  std::size_t scripts = 0;
  for (auto at = page.find("<script"); at != std::string::npos; at = page.find("<script", at + 1)) {
    ++scripts;
    EXPECT_EQ(page.compare(at, 36, R"(<script src="/assets/report.js"></sc)"), 0)
        << page.substr(at, 60);
  }
  EXPECT_EQ(scripts, 1u);
  EXPECT_EQ(get("/restricted")->get_header_value("Cache-Control"), "no-store");
}

}  // namespace

}  // namespace joindots::serve
