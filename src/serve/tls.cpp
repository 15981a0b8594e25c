#include "serve/tls.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include "core/error.hpp"

namespace joindots::serve {

namespace {

using Clock = TlsConnection::Clock;
using std::chrono::milliseconds;

/// OpenSSL's reason for the last failure, for messages.
std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown reason";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

/// Waits for `events` on `sock` until `deadline`; false when it passed first.
bool wait_until(int sock, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{sock, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

void check_key_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::is_regular_file(st)) throw UsageError(fmt::format("--tls-key {}: no such file", path.string()));
  const auto others = fs::perms::group_all | fs::perms::others_all;
  if ((st.permissions() & others) != fs::perms::none)
    throw UsageError(fmt::format(
        "--tls-key {}: its group or others may read or write it (mode {:o}); run chmod 600 {}", path.string(),
        static_cast<unsigned>(st.permissions() & fs::perms::mask), path.string()));
}

TlsContext::TlsContext(const std::filesystem::path& cert, const std::filesystem::path& key) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(cert, ec))
    throw UsageError(fmt::format("--tls-cert {}: no such file", cert.string()));
  check_key_file(key);
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw InternalError("TLS: OpenSSL could not make a context: " + openssl_reason());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_clear_mode(ctx_, SSL_MODE_AUTO_RETRY);
  std::string problem;
  // The key is read first, with an empty passphrase: an encrypted key is refused rather than
  // asked for on the terminal, and a key that is not the certificate's is told apart.
  EVP_PKEY* pkey = nullptr;
  if (std::FILE* f = std::fopen(key.c_str(), "r")) {
    pkey = PEM_read_PrivateKey(f, nullptr, nullptr, const_cast<char*>(""));
    std::fclose(f);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str()) != 1)
    problem = fmt::format("--tls-cert {}: not a PEM certificate chain ({})", cert.string(), openssl_reason());
  else if (!pkey)
    problem = fmt::format("--tls-key {}: not an unencrypted PEM private key ({})", key.string(), openssl_reason());
  else if (SSL_CTX_use_PrivateKey(ctx_, pkey) != 1 || SSL_CTX_check_private_key(ctx_) != 1)
    problem = fmt::format("--tls-key {}: not the key of the certificate in {}", key.string(), cert.string());
  EVP_PKEY_free(pkey);
  if (!problem.empty()) {
    SSL_CTX_free(ctx_);
    throw UsageError(problem);
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsConnection::TlsConnection(SSL_CTX* ctx, int sock) : sock_(sock) {
  const int flags = ::fcntl(sock, F_GETFL, 0);
  if (flags >= 0) ::fcntl(sock, F_SETFL, flags | O_NONBLOCK);
  ssl_ = SSL_new(ctx);
  if (ssl_) SSL_set_fd(ssl_, sock);
}

TlsConnection::~TlsConnection() {
  if (ssl_) SSL_free(ssl_);
}

bool TlsConnection::accept(Clock::time_point deadline) {
  if (!ssl_) return false;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_accept(ssl_);
    if (r == 1) return true;
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ) {
      if (!wait_until(sock_, POLLIN, deadline)) return false;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_until(sock_, POLLOUT, deadline)) return false;
    } else {
      ERR_clear_error();
      return false;
    }
  }
}

ssize_t TlsConnection::read(char* ptr, std::size_t size, Clock::time_point deadline) {
  const int want = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
  for (;;) {
    ERR_clear_error();
    const int r = SSL_read(ssl_, ptr, want);
    if (r > 0) return r;
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ) {
      if (!wait_until(sock_, POLLIN, deadline)) return kTimedOut;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_until(sock_, POLLOUT, deadline)) return kTimedOut;
    } else {
      ERR_clear_error();
      // A close_notify, or the peer gone without one: either way nothing more comes.
      return err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && r == 0) ? 0 : -1;
    }
  }
}

ssize_t TlsConnection::write(const char* ptr, std::size_t size, milliseconds timeout) {
  std::size_t done = 0;
  while (done < size) {
    ERR_clear_error();
    const int chunk = static_cast<int>(std::min<std::size_t>(size - done, 1 << 30));
    const int r = SSL_write(ssl_, ptr + done, chunk);
    if (r > 0) {
      done += static_cast<std::size_t>(r);
      continue;
    }
    const int err = SSL_get_error(ssl_, r);
    const auto deadline = Clock::now() + timeout;
    if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_until(sock_, POLLOUT, deadline)) return -1;
    } else if (err == SSL_ERROR_WANT_READ) {
      if (!wait_until(sock_, POLLIN, deadline)) return -1;
    } else {
      ERR_clear_error();
      return -1;
    }
  }
  return static_cast<ssize_t>(size);
}

bool TlsConnection::pending() const { return ssl_ && SSL_pending(ssl_) > 0; }

void TlsConnection::shutdown() {
  if (!ssl_) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);  // non-blocking: sends close_notify if the socket takes it
  ERR_clear_error();
}

}  // namespace joindots::serve
