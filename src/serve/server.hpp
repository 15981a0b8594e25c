#pragma once
// The live dashboard: the page (web/dist) and a JSON API over the store, through the same
// results bundle and disclosure control as the report. Binds 127.0.0.1 by default. The
// public tier is open; the restricted tier and the hub's routes are served to the accounts
// of the store by role (`joindots accounts`; access.hpp), and to the token of a token file
// as an analyst, each with `Authorization: Bearer <token>`: 401 without a live token, 403
// for another role (docs/hub.md, docs/privacy.md).
//
// API (version 1), every response JSON:
//   GET /api/v1/summary            what the store holds (counts of files, sources, runs)
//   GET /api/v1/bundle[?tier=T]    the whole results bundle (what the page renders); the
//                                  restricted tier needs an analyst's token
//   GET /api/v1/deliveries[?org=O] the files delivered, with their status: an agency's own
//                                  (agency), any organisation's (analyst)
//   POST /api/v1/deliveries?name=F  an agency's file, ingested as `joindots ingest` does (agency;
//                                  upload_routes.cpp): 201, 200 when already there, 400 with
//                                  the problems, 403 another organisation's records, 413
//   GET /api/v1/accounts           the accounts, without secrets (admin)
//   GET /api/v1/areas[?region=R]   districts with their (controlled) victim record counts
//   GET /api/v1/sources            victim records and identifier completeness per source type
//   GET /api/v1/estimates[?dimension=D]  the four answers and the estimates by stratum
//   GET /api/v1/overlap            the overlap of the lists (capture patterns, list totals)
//   GET /api/v1/models             the estimation methods compared for the victims' total
//   GET /api/v1/linkage[?role=R]   linkage diagnostics of the latest link run per role
//   GET /api/v1/geo                district boundaries (GeoJSON)
//   GET /api/v1/geo/regions        region boundaries (GeoJSON)
// Unknown parameters or values get 400 with {"error": "..."}; unknown paths 404. Before any
// handler: a target that is not valid percent-encoded UTF-8 gets 400, a Host that is not
// this server's 421, a method other than GET or HEAD 405 (but POST for deliveries); slow clients
// are cut off and a full server answers 503 (connection_guard.hpp). Every response carries
// the security headers (CSP, nosniff, no framing).
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "serve/connection_guard.hpp"

namespace joindots::serve {

struct ServerOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::filesystem::path data_dir;
  std::filesystem::path web_dist;
  /// The restricted tier's access token; empty: the restricted tier is not served.
  std::string restricted_token;
  /// Host names answered besides the loopback names and the bound address (--allow-host).
  std::vector<std::string> allowed_hosts;
  ConnectionLimits limits;
  /// TLS (--tls-cert, --tls-key): the PEM certificate chain and its private key (chmod 600);
  /// both empty: plain HTTP. With TLS, accounts and the token file are served on any address.
  std::filesystem::path tls_cert, tls_key;
};

/// Reads the restricted tier's token from `path`: one line of at least 32 printable ASCII
/// characters (surrounding whitespace dropped) with at least 8 different ones. Throws
/// UsageError when the file is missing, readable by its group or by others (it must be chmod
/// 600 or 400), or the token is too short, holds control or non-ASCII bytes (an all-NUL file)
/// or is too repetitive to be random.
std::string read_token_file(const std::filesystem::path& path);

/// Constant-time comparison of a presented token with the expected one (both hashed with
/// BLAKE2b first, so neither content nor length leaks through timing).
bool tokens_equal(const std::string& presented, const std::string& expected);

/// Whether `host` is a loopback address or name: 127.0.0.0/8, ::1 or localhost.
bool is_loopback_host(const std::string& host);

/// An exception thrown while answering a request, as the answer: a UsageError or
/// BadInputError (the request asks what cannot be answered, said in plain words) is 400 with
/// its message; anything else (a bug, the store unreadable) 500 with no internal text.
struct ErrorAnswer {
  int status = 500;
  std::string body;  // JSON: {"error": "..."}
};
ErrorAnswer error_answer(std::exception_ptr error);

class ResultsCache;
class Access;

class DashboardServer {
 public:
  /// Throws UsageError when a restricted tier is asked for (a token given) on an address
  /// that is not loopback without TLS: plain HTTP would carry the token and the exact counts
  /// in clear; and when the TLS files cannot be used (tls.hpp).
  explicit DashboardServer(ServerOptions options);
  ~DashboardServer();
  /// Binds the port; returns the port bound (useful with port 0). Throws UsageError when the
  /// address cannot be bound.
  int bind();
  /// Serves until stop() is called (blocking).
  void listen();
  void stop();
  /// Answers the raw bytes of one connection's requests in process (GuardedServer::
  /// answer_in_memory): no bind or listen needed. For the fuzz target and tests.
  std::string answer_in_memory(std::string_view bytes, std::vector<int>* statuses = nullptr);
  /// How many times the public results were built since the server started.
  std::int64_t results_builds() const;

 private:
  void routes();
  void api_routes();
  void hub_routes();  // hub_routes.cpp
  void upload_routes();  // upload_routes.cpp: POST /api/v1/deliveries
  /// Whether a request is a delivery (the one route taking a body).
  static bool is_upload(const httplib::Request& req);
  void guard_requests();
  bool tls() const { return !options_.tls_cert.empty(); }
  ServerOptions options_;
  std::unique_ptr<GuardedServer> server_;
  std::shared_ptr<ResultsCache> cache_;
  std::shared_ptr<Access> access_;
};

}  // namespace joindots::serve
