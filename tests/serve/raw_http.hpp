#pragma once
// Raw HTTP over loopback sockets for the server tests: requests an HTTP client library would
// refuse to send (bad escapes, odd methods, trickled headers), with every wait bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace joindots::serve::raw {

/// A connected loopback socket, closed on destruction; -1 when the connection failed.
class RawConnection {
 public:
  /// Connects to `port` on 127.0.0.1; a negative port makes a closed connection.
  explicit RawConnection(int port) {
    if (port < 0) return;
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  /// Closes this connection and takes over `other`'s.
  RawConnection& operator=(RawConnection&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = other.fd_;
      closed_ = other.closed_;
      other.fd_ = -1;
    }
    return *this;
  }

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  /// Sends all of `bytes`; false when the peer has closed the connection.
  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  /// Reads until the peer closes, `timeout` passes, or (when `until_head`) a whole response
  /// head and its Content-Length body have arrived.
  std::string receive(std::chrono::milliseconds timeout, bool until_head = true) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (until_head && complete(got)) return got;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return got;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return got;
      char buf[8192];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return got;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// Whether the last receive() saw the peer close the connection.
  bool closed() const { return closed_; }

 private:
  static bool complete(std::string got) {
    // Interim answers (100 Continue) come before the final one.
    while (got.rfind("HTTP/1.1 1", 0) == 0 && got.find("\r\n\r\n") != std::string::npos)
      got.erase(0, got.find("\r\n\r\n") + 4);
    const auto end = got.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const auto cl = got.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) return true;
    return got.size() >= end + 4 + std::stoul(got.substr(cl + 16));
  }
  int fd_ = -1;
  bool closed_ = false;
};

/// The status code of a raw response ("HTTP/1.1 400 Bad Request..." -> 400), after any
/// interim 1xx answers; 0 when none.
inline int status_of(std::string response) {
  while (response.rfind("HTTP/1.1 1", 0) == 0 && response.find("\r\n\r\n") != std::string::npos)
    response.erase(0, response.find("\r\n\r\n") + 4);
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

/// The body of a raw response (after the blank line).
inline std::string body_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

/// One request on a fresh connection: its whole response, or "" when none came in time.
inline std::string raw_exchange(
    int port, const std::string& request,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  RawConnection c(port);
  if (!c.ok() || !c.send(request)) return {};
  return c.receive(timeout);
}

/// "GET <target> HTTP/1.1" with a loopback Host and Connection: close.
inline std::string get_request(const std::string& target, const std::string& host = "127.0.0.1") {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
}

}  // namespace joindots::serve::raw
