#include "serve/connection_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "serve/tls.hpp"

namespace joindots::serve {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Set on the accepting thread while it turns away a connection the pool has no room for.
thread_local bool t_turning_away = false;

/// A fixed pool of workers with a bounded queue. When the queue is full the job runs at once
/// on the calling (accepting) thread with t_turning_away set, so the connection is answered
/// 503 without waiting and its socket is closed.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(int workers, int max_waiting)
      : max_waiting_(static_cast<std::size_t>(std::max(max_waiting, 0))) {
    for (int i = 0; i < std::max(workers, 1); ++i) threads_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() < max_waiting_) {
        jobs_.push_back(std::move(fn));
        ready_.notify_one();
        return;
      }
    }
    t_turning_away = true;
    fn();
    t_turning_away = false;
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left to close
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

int wait_for(socket_t sock, short events, milliseconds timeout) {
  pollfd p{sock, events, 0};
  const auto ms = static_cast<int>(std::clamp<long long>(timeout.count(), 0, 60'000));
  int r;
  do {
    r = ::poll(&p, 1, ms);
  } while (r < 0 && errno == EINTR);
  return r > 0 ? r : 0;
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
    port = ntohs(a.sin6_port);
  }
  ip = buf;
}

/// A socket stream whose reads stop at the current request's deadline and byte budget, over
/// TLS when `tls` is given. Reads are buffered: httplib reads the request line and headers
/// one byte at a time.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, const ConnectionLimits& limits, TlsConnection* tls)
      : sock_(sock), limits_(limits), tls_(tls) {}

  /// Waits up to the idle timeout for the next request to begin; false when the client
  /// closed the connection, stayed silent, or `stopping()` became true.
  template <class Stopping>
  bool wait_for_request(Stopping stopping) {
    if (buffered_ < filled_ || (tls_ && tls_->pending())) return true;
    const auto until = Clock::now() + limits_.idle_timeout;
    while (!stopping()) {
      const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      if (wait_for(sock_, POLLIN, std::min(left, milliseconds(100)))) return true;
    }
    return false;
  }
  void start_request() {
    deadline_ = Clock::now() + limits_.request_deadline;
    budget_ = limits_.max_request_bytes;
    body_end_ = 0;
  }
  /// Once the request's head is read: where its body ends, and, when it may hold up to
  /// `allowance` bytes and does, the budget and time for it.
  void expect_body(const httplib::Request& req, std::size_t allowance) {
    const auto length = content_length(req);
    // A body of unknown length (chunked) is never left to be read as the next request.
    body_end_ = req.has_header("Transfer-Encoding") ? SIZE_MAX : consumed_ + length;
    if (length == 0 || length > allowance) return;
    budget_ += length;
    const auto rate = std::max<std::size_t>(limits_.min_upload_bytes_per_second, 1);
    deadline_ += milliseconds(static_cast<long long>(length / rate * 1000 + length % rate * 1000 / rate));
  }
  /// Whether the handler answered without reading the whole body.
  bool body_unread() const { return consumed_ < body_end_; }
  /// Whether the request did not arrive in time or within its byte budget: httplib answers
  /// it 400 and would keep reading, so the connection is closed instead.
  bool cut_off() const { return cut_off_; }

  bool is_readable() const override {
    return buffered_ < filled_ || (tls_ && tls_->pending()) || wait_for(sock_, POLLIN, time_left()) > 0;
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, limits_.write_timeout) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered_ == filled_) {
      const auto n = fill();
      if (n <= 0) return n;
    }
    const auto n = std::min(size, filled_ - buffered_);
    std::memcpy(ptr, buffer_ + buffered_, n);
    buffered_ += n;
    consumed_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (tls_) return tls_->write(ptr, size, limits_.write_timeout);
    if (!is_writable()) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      address_of(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      address_of(addr, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  static std::size_t content_length(const httplib::Request& req) {
    const auto& value = req.get_header_value("Content-Length");
    std::size_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    return ec == std::errc() && end == value.data() + value.size() ? length : 0;
  }
  /// Refills the buffer from the socket within the deadline and budget.
  ssize_t fill() {
    if (budget_ == 0) {
      cut_off_ = true;
      return -1;
    }
    const auto want = std::min(sizeof buffer_, budget_);
    ssize_t n;
    if (tls_) {
      n = tls_->read(buffer_, want, deadline_);
      if (n == TlsConnection::kTimedOut) {
        cut_off_ = true;
        return -1;
      }
    } else {
      if (!is_readable()) {
        cut_off_ = true;
        return -1;
      }
      n = ::recv(sock_, buffer_, want, 0);
    }
    if (n <= 0) return n;
    budget_ -= static_cast<std::size_t>(n);
    buffered_ = 0;
    filled_ = static_cast<std::size_t>(n);
    return n;
  }
  milliseconds time_left() const {
    return std::max(milliseconds(0),
                    std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now()));
  }
  socket_t sock_;
  const ConnectionLimits& limits_;
  TlsConnection* tls_;
  Clock::time_point deadline_ = Clock::now();
  std::size_t budget_ = 0;
  bool cut_off_ = false;
  char buffer_[16384];
  std::size_t buffered_ = 0, filled_ = 0;  // consumed and filled ends of buffer_
  std::size_t consumed_ = 0, body_end_ = 0;  // bytes handed to httplib; where the body ends
};

/// A connection held in memory: reads come from the bytes given, writes are kept.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view input) : input_(input) {}
  bool is_readable() const override { return !input_.empty(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const auto n = std::min(size, input_.size());
    std::memcpy(ptr, input_.data(), n);
    input_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    output_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 50000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  bool exhausted() const { return input_.empty(); }
  std::string take_output() { return std::move(output_); }

 private:
  std::string_view input_;
  std::string output_;
};

/// Called by httplib once a request's headers are read, before routing. A request for several
/// byte ranges is answered whole: httplib answers each range with its own copy of the body, so
/// a 4 KB request for 2,000 ranges of the 930 KB boundaries took 210 s and 3.6 GB, and one of
/// 64 KB would exhaust the memory (fuzz/README.md). Ignoring Range is allowed (RFC 9110 14.2);
/// one range, as a download manager resuming asks for, is still served.
void one_range_at_most(httplib::Request& req) {
  if (req.ranges.size() > 1) req.ranges.clear();
}

void close_connection(socket_t sock) {
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

/// Closes a connection whose request body was left unread: stops sending, then reads and
/// drops what the client still sends (a second at most, 16 MiB at most), so a client that
/// writes its whole body before reading sees the answer rather than a reset.
void close_after_lingering(socket_t sock, TlsConnection* tls) {
  if (tls) tls->shutdown();
  ::shutdown(sock, SHUT_WR);
  const auto until = Clock::now() + milliseconds(1000);
  char sink[16384];
  for (std::size_t drained = 0; drained < 16 * 1024 * 1024;) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    if (left.count() <= 0 || !wait_for(sock, POLLIN, left)) break;
    const auto n = ::recv(sock, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) break;
    if (n > 0) drained += static_cast<std::size_t>(n);
  }
  ::close(sock);
}

}  // namespace

GuardedServer::GuardedServer(ConnectionLimits limits) : limits_(limits) {
  new_task_queue = [this] { return new BoundedPool(limits_.workers, limits_.max_waiting); };
  const auto ms = limits_.write_timeout.count();
  set_write_timeout(ms / 1000, (ms % 1000) * 1000);
  // What a request may send is bounded by the stream's budget (max_request_bytes, or an
  // upload's allowance): httplib's own bound is only the largest of them.
  set_payload_max_length(std::max(limits_.max_request_bytes, limits_.max_upload_bytes));
}

GuardedServer::~GuardedServer() = default;

void GuardedServer::use_tls(std::shared_ptr<const TlsContext> tls) { tls_ = std::move(tls); }

void GuardedServer::accept_bodies(std::function<bool(const httplib::Request&)> takes_body) {
  takes_body_ = std::move(takes_body);
}

void GuardedServer::widen_listen_backlog() {
  // listen() on a listening socket only changes its backlog (Linux).
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, limits_.listen_backlog);
}

std::string GuardedServer::answer_in_memory(std::string_view bytes, std::vector<int>* statuses) {
  // httplib reports each answered request to its logger: the statuses are collected there.
  static thread_local std::vector<int>* t_statuses = nullptr;
  set_logger([](const httplib::Request&, const httplib::Response& res) {
    if (t_statuses) t_statuses->push_back(res.status);
  });
  t_statuses = statuses;
  MemoryStream stream(bytes);
  for (int served = 0; served < limits_.max_requests_per_connection && !stream.exhausted();
       ++served) {
    bool closed = false;
    const bool last = served + 1 == limits_.max_requests_per_connection;
    if (!process_request(stream, last, closed, one_range_at_most) || closed) break;
  }
  t_statuses = nullptr;
  return stream.take_output();
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (t_turning_away) {
    static constexpr char kBusy[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
        "Retry-After: 1\r\nConnection: close\r\nContent-Length: 62\r\n\r\n"
        R"({"error": "the server is busy; try again in a second or two"})"
        "\n";
    static_assert(sizeof(R"({"error": "the server is busy; try again in a second or two"})") == 62);
    if (!tls_) (void)::send(sock, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    close_connection(sock);
    return false;
  }
  // httplib sends a response's head and body in separate writes: with Nagle's algorithm the
  // body of a small answer waited for the client's delayed ACK, about 40 ms a request.
  const int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  std::optional<TlsConnection> tls;
  if (tls_) {
    tls.emplace(tls_->get(), sock);
    if (!tls->accept(Clock::now() + limits_.request_deadline)) {
      close_connection(sock);
      return false;
    }
  }
  DeadlineStream stream(sock, limits_, tls ? &*tls : nullptr);
  const auto stopping = [this] { return svr_sock_ == INVALID_SOCKET; };
  const auto setup = [&](httplib::Request& req) {
    one_range_at_most(req);
    stream.expect_body(req, takes_body_ && takes_body_(req) ? limits_.max_upload_bytes : 0);
  };
  bool ok = true;
  for (int served = 0; served < limits_.max_requests_per_connection; ++served) {
    if (!stream.wait_for_request(stopping)) break;
    stream.start_request();
    bool closed = false;
    const bool last = served + 1 == limits_.max_requests_per_connection;
    ok = process_request(stream, last, closed, setup);
    if (ok && !stream.cut_off() && stream.body_unread()) {
      close_after_lingering(sock, tls ? &*tls : nullptr);
      return ok;
    }
    if (!ok || closed || stream.cut_off()) break;
  }
  if (tls) tls->shutdown();
  close_connection(sock);
  return ok;
}

}  // namespace joindots::serve
