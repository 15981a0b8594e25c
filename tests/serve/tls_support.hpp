#pragma once
// TLS for the server tests: a throwaway self-signed certificate made in the test (openssl's
// command line), servers of the fixtures over HTTPS, and a raw TLS connection for what an
// HTTP client library would not send (a stalled handshake, trickled headers).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "serve/raw_http.hpp"

namespace joindots::serve::tls_test {

struct Certificate {
  std::filesystem::path cert, key;
};

/// A self-signed P-256 certificate for localhost and 127.0.0.1, valid for a day, in `dir`;
/// the key chmod 600. Fails the test when openssl cannot make it.
inline Certificate make_certificate(const std::filesystem::path& dir, const std::string& name = "server") {
  Certificate c{dir / (name + ".crt"), dir / (name + ".key")};
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost"
      " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
      c.key.string() + "' -out '" + c.cert.string() + "' >/dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::filesystem::permissions(c.key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return c;
}

/// An HTTPS client for the server on `port` that verifies the server's certificate against
/// `cert` (and the name 127.0.0.1 against it).
inline std::unique_ptr<httplib::SSLClient> client(int port, const Certificate& cert) {
  auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  c->set_ca_cert_path(cert.cert.c_str());
  c->enable_server_certificate_verification(true);
  c->set_connection_timeout(5);
  c->set_read_timeout(10);
  return c;
}

/// A TLS connection to 127.0.0.1:`port` that trusts any certificate, every wait bounded.
class RawTlsConnection {
 public:
  /// Connects and completes the handshake within `timeout`; ok() says whether it did.
  explicit RawTlsConnection(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
      : tcp_(port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!tcp_.ok() || !ctx_) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, tcp_.fd());
    ::fcntl(tcp_.fd(), F_SETFL, ::fcntl(tcp_.fd(), F_GETFL, 0) | O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const int r = SSL_connect(ssl_);
      if (r == 1) {
        ok_ = true;
        return;
      }
      const int err = SSL_get_error(ssl_, r);
      if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
          !wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
        return;
    }
  }
  ~RawTlsConnection() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
  }
  RawTlsConnection(const RawTlsConnection&) = delete;
  RawTlsConnection& operator=(const RawTlsConnection&) = delete;
  bool ok() const { return ok_; }
  /// Sends all of `bytes`; false when the connection failed.
  bool send(const std::string& bytes) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const int r = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (r > 0) {
        sent += static_cast<std::size_t>(r);
        continue;
      }
      const int err = SSL_get_error(ssl_, r);
      if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
          !wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
        return false;
    }
    return true;
  }
  /// Reads until the server closes, `timeout` passes, or a whole response (head and
  /// Content-Length body) has arrived.
  std::string receive(std::chrono::milliseconds timeout) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto end = got.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = got.find("Content-Length: ");
        if (cl == std::string::npos || cl > end || got.size() >= end + 4 + std::stoul(got.substr(cl + 16)))
          return got;
      }
      char buf[8192];
      const int r = SSL_read(ssl_, buf, sizeof buf);
      if (r > 0) {
        got.append(buf, static_cast<std::size_t>(r));
        continue;
      }
      const int err = SSL_get_error(ssl_, r);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        closed_ = true;
        ERR_clear_error();
        return got;
      }
      if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return got;
    }
  }
  bool closed() const { return closed_; }

 private:
  bool wait(short events, std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{tcp_.fd(), events, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
  }
  raw::RawConnection tcp_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
  bool closed_ = false;
};

}  // namespace joindots::serve::tls_test
