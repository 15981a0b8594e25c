#pragma once
// The accounts fixture's server (accounts_fixture.hpp) over TLS, with a throwaway certificate
// made in the test, and a request deadline of 3 s.
#include "serve/accounts_fixture.hpp"
#include "serve/tls_support.hpp"

namespace joindots::serve {

class TlsServerTest : public AccountsServerTest {
 protected:
  void adjust(ServerOptions& opt) override {
    AccountsServerTest::adjust(opt);
    cert_ = tls_test::make_certificate(dir_.path());
    opt.tls_cert = cert_.cert;
    opt.tls_key = cert_.key;
    opt.limits.request_deadline = std::chrono::milliseconds(3000);
  }
  static httplib::Headers bearer(const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return headers;
  }
  httplib::Result tls_get(const std::string& path, const std::string& token = "") {
    return tls_test::client(port_, cert_)->Get(path.c_str(), bearer(token));
  }
  tls_test::Certificate cert_;
};

}  // namespace joindots::serve
