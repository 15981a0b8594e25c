#pragma once
// TLS for the hub (`serve --tls-cert FILE --tls-key FILE`, docs/hub.md): OpenSSL under the
// connection guard's own loop (connection_guard.hpp), not httplib's SSLServer, whose loop has
// none of the guard's protections. Every TLS wait is bounded: the handshake by the request
// deadline, each read by the current request's deadline, each write by the write timeout; the
// socket is non-blocking, so a client that stops half-way through a TLS record holds a worker
// no longer than one that stops half-way through a header line.
#include <openssl/ssl.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

namespace joindots::serve {

/// Throws UsageError when the private key file is missing or its group or others may read
/// or write it (as the token file: chmod 600 or 400).
void check_key_file(const std::filesystem::path& path);

/// The server's certificate chain and private key, loaded once. Throws UsageError naming the
/// file when either cannot be read, the key is not the certificate's, or the key file's mode
/// lets others read it. TLS 1.2 or later.
class TlsContext {
 public:
  TlsContext(const std::filesystem::path& cert, const std::filesystem::path& key);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

/// One TLS connection on a socket the constructor makes non-blocking.
class TlsConnection {
 public:
  using Clock = std::chrono::steady_clock;
  TlsConnection(SSL_CTX* ctx, int sock);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;
  /// The server's side of the handshake; false when it failed or was not done by `deadline`.
  bool accept(Clock::time_point deadline);
  static constexpr ssize_t kTimedOut = -2;
  /// Reads decrypted bytes: how many (at most `size`), 0 when the client closed, -1 on an
  /// error, kTimedOut when nothing arrived by `deadline`.
  ssize_t read(char* ptr, std::size_t size, Clock::time_point deadline);
  /// Writes all of `size` bytes or none: `size`, or -1 when the client stopped reading for
  /// longer than `timeout` at a time or the connection failed.
  ssize_t write(const char* ptr, std::size_t size, std::chrono::milliseconds timeout);
  /// Whether decrypted bytes wait to be read.
  bool pending() const;
  /// Sends close_notify without waiting for the client's.
  void shutdown();

 private:
  SSL* ssl_ = nullptr;
  int sock_;
};

}  // namespace joindots::serve
