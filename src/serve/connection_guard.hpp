#pragma once
// The server's defence against slow and greedy clients (docs/report.md, "What the server
// refuses"). httplib gives each connection a worker thread for its whole life and waits up to
// its read timeout for every byte, so a client trickling one header line every two seconds
// held a worker forever: eight of them stopped the server answering anyone. GuardedServer
// replaces httplib's per-connection loop with one that gives each request a deadline for
// arriving in full and a byte budget, bounds the idle time between requests, and serves from
// a fixed pool of workers with a bounded queue; a connection beyond the queue gets 503 at
// once.
#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace joindots::serve {

struct ConnectionLimits {
  /// Connections served at once (each holds a worker thread while open).
  int workers = 64;
  /// Accepted connections waiting for a worker; past this a connection gets 503 at once.
  int max_waiting = 256;
  /// A request's line, headers and body must all arrive within this of its first byte.
  std::chrono::milliseconds request_deadline{10000};
  /// The next request on a kept-alive connection must start within this.
  std::chrono::milliseconds idle_timeout{5000};
  /// Each wait to send part of a response.
  std::chrono::milliseconds write_timeout{5000};
  /// Bytes a request may send (line, headers and body): the API takes no bodies but uploads.
  std::size_t max_request_bytes = 64 * 1024;
  /// Bytes the body of an upload may hold (a request accept_bodies() selects, with a
  /// Content-Length): a larger one is answered before its body is read (413).
  std::size_t max_upload_bytes = 128 * 1024 * 1024;
  /// An upload's body may take, beyond the request deadline, its length at this rate.
  std::size_t min_upload_bytes_per_second = 64 * 1024;
  /// Requests served on one connection before it is closed.
  int max_requests_per_connection = 1000;
  /// Connections the kernel queues before the server accepts them (httplib asks for 5).
  int listen_backlog = 1024;
};

class TlsContext;

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ConnectionLimits limits);
  ~GuardedServer() override;
  /// Serves every connection over TLS (before listening): the handshake must end within the
  /// request deadline, and the guards below hold for what follows. A connection beyond the
  /// queue is closed at once (a 503 would need a handshake on the accepting thread).
  void use_tls(std::shared_ptr<const TlsContext> tls);
  /// The requests that may send a body of up to max_upload_bytes (the others keep to
  /// max_request_bytes in all). When such a request's handler answers without reading the
  /// whole body, the answer is sent, then the connection is closed after reading what the
  /// client still sends for at most a second (so it sees the answer, not a reset).
  void accept_bodies(std::function<bool(const httplib::Request&)> takes_body);
  /// After binding: lets the kernel queue `listen_backlog` connections. With httplib's 5,
  /// clients reconnecting under load overflowed the queue, and their connection attempts
  /// were retried after 1 s, then 3 s: the slowest answers of the benchmark.
  void widen_listen_backlog();
  /// Serves the requests in `bytes` as if they had arrived on one connection and returns what
  /// would have been sent back: the same parsing, guards, routing and handlers, in process and
  /// without sockets, deadlines or the pool (the fuzz target fuzz/serve_request_fuzz.cpp and
  /// tests of a whole request). The status of each response is appended to `statuses` when
  /// given. Not for a server that is listening.
  std::string answer_in_memory(std::string_view bytes, std::vector<int>* statuses = nullptr);

 private:
  // httplib declares this private and virtual: overriding it replaces the connection loop
  // (the request parsing and routing stay httplib's, through process_request).
  bool process_and_close_socket(socket_t sock) override;
  ConnectionLimits limits_;
  std::shared_ptr<const TlsContext> tls_;
  std::function<bool(const httplib::Request&)> takes_body_;
};

}  // namespace joindots::serve
