#include "serve/server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "io/area_file.hpp"
#include "io/text_file.hpp"
#include "report/bundle.hpp"
#include "report/html.hpp"
#include "serve/access.hpp"
#include "serve/request_guard.hpp"
#include "serve/results_cache.hpp"
#include "serve/review_routes.hpp"
#include "serve/tls.hpp"

namespace joindots::serve {

namespace {

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  // Requests are checked for valid UTF-8 before any handler runs (request_guard.hpp); the
  // replacement here only keeps a stray byte from the store from throwing while answering.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

/// Sends a body serialised once for many requests.
void send_body(httplib::Response& res, const std::string& body) {
  res.status = 200;
  res.set_content(body, "application/json; charset=utf-8");
}

void bad_request(httplib::Response& res, const std::string& message) {
  send_json(res, {{"error", message}}, 400);
}

/// Rejects parameters the endpoint does not take, naming the ones it does.
bool check_params(const httplib::Request& req, httplib::Response& res,
                  const std::set<std::string>& allowed) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      std::string valid;
      for (const auto& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
      bad_request(res, fmt::format("unknown parameter '{}' (valid: {})", name,
                                   valid.empty() ? "none" : valid));
      return false;
    }
  }
  return true;
}

/// The four answers and the strata of one dimension (GET /api/v1/estimates?dimension=D).
void send_stratum_estimates(const nlohmann::json& b, const std::string& dimension, httplib::Response& res) {
  std::set<std::string> dims;
  for (const auto& st : b["strata"]) dims.insert(st["dimension"].get<std::string>());
  if (!dims.count(dimension)) {
    std::string valid;
    for (const auto& d : dims) valid += (valid.empty() ? "" : ", ") + d;
    return bad_request(res, fmt::format("dimension: '{}' is not estimated (valid: {})", dimension,
                                        valid.empty() ? "none yet: run joindots estimate --by ..." : valid));
  }
  nlohmann::json strata = nlohmann::json::array();
  for (const auto& st : b["strata"])
    if (st["dimension"] == dimension) strata.push_back(st);
  send_json(res, {{"tier", "public"},
                  {"estimate_run", b.value("estimate_run", nlohmann::json(nullptr))},
                  {"reference_date", b.value("reference_date", "")},
                  {"headline", b["headline"]},
                  {"strata", strata}});
}

/// The districts of one region (GET /api/v1/areas?region=R).
void send_region_areas(const nlohmann::json& b, const std::string& region, httplib::Response& res) {
  bool known = false;
  for (const auto& rg : b["regions"]) known = known || rg["region"] == region;
  if (!known) return bad_request(res, fmt::format("region: '{}' is not a region of England or Wales", region));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : b["areas"])
    if (a["region"] == region) out.push_back(a);
  send_json(res, {{"tier", "public"}, {"areas", out}});
}

/// The page's shell (no data: the script fetches the bundle). `tier` is "public" or
/// "restricted"; the restricted shell asks for the access token before fetching anything.
std::string index_html(const char* tier) {
  return fmt::format(R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>joindots dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/report.css">
</head>
<body data-tier="{}">
<div id="app"><p>Loading the dashboard…</p></div>
<script src="/assets/report.js"></script>
</body>
</html>
)",
                     tier);
}

}  // namespace

std::string read_token_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::is_regular_file(st))
    throw UsageError(fmt::format("--restricted-token-file {}: no such file", path.string()));
  const auto others = fs::perms::group_all | fs::perms::others_all;
  if ((st.permissions() & others) != fs::perms::none)
    throw UsageError(fmt::format(
        "--restricted-token-file {}: its group or others may read or write it (mode {:o}); "
        "run chmod 600 {}",
        path.string(), static_cast<unsigned>(st.permissions() & fs::perms::mask), path.string()));
  std::ifstream in(path);
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!token.empty() && space(static_cast<unsigned char>(token.back()))) token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && space(static_cast<unsigned char>(token[start]))) ++start;
  token.erase(0, start);
  if (token.find_first_of(" \t\r\n") != std::string::npos)
    throw UsageError(fmt::format(
        "--restricted-token-file {}: the token must be one line with no spaces", path.string()));
  const auto hint = "use at least 32 random printable characters, e.g. openssl rand -hex 32";
  if (std::any_of(token.begin(), token.end(), [](char c) { return c < 0x21 || c > 0x7e; }))
    throw UsageError(fmt::format(
        "--restricted-token-file {}: the token has control or non-ASCII bytes (a NUL-filled "
        "file?); {}",
        path.string(), hint));
  if (token.size() < 32)
    throw UsageError(fmt::format("--restricted-token-file {}: the token has {} characters; {}",
                                 path.string(), token.size(), hint));
  // 32 random hex digits show 8 or more different ones except with probability below 1e-7.
  const std::set<char> distinct(token.begin(), token.end());
  if (distinct.size() < 8)
    throw UsageError(fmt::format(
        "--restricted-token-file {}: the token uses only {} different characters, so it is "
        "not random; {}",
        path.string(), distinct.size(), hint));
  return token;
}

bool tokens_equal(const std::string& presented, const std::string& expected) {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(presented.data()),
                     presented.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

ErrorAnswer error_answer(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const UsageError& e) {
    return {400, nlohmann::json{{"error", e.what()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  } catch (const BadInputError& e) {
    return {400, nlohmann::json{{"error", e.what()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  } catch (...) {
  }
  return {500, R"j({"error": "internal error (the server's log has the details)"})j"};
}

DashboardServer::DashboardServer(ServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<GuardedServer>(options_.limits)) {
  if (options_.tls_cert.empty() != options_.tls_key.empty())
    throw UsageError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP");
  if (tls()) server_->use_tls(std::make_shared<const TlsContext>(options_.tls_cert, options_.tls_key));
  const bool tokens_taken = tls() || is_loopback_host(options_.host);
  if (!options_.restricted_token.empty() && !tokens_taken)
    throw UsageError(fmt::format(
        "--restricted-token-file: the restricted tier is served on loopback only, not on "
        "{} (without TLS; start the server with --tls-cert and --tls-key)",
        options_.host));
  access_ = std::make_shared<Access>(options_.db, options_.restricted_token, tokens_taken);
  routes();
}

DashboardServer::~DashboardServer() = default;

void DashboardServer::routes() {
  auto& s = *server_;
  guard_requests();
  const auto geo_path = options_.data_dir / "geo" / "lad23_ew_super_generalised.geojson";
  const auto geo = std::make_shared<const std::string>(read_text_file(geo_path));
  const auto regions_geo =
      std::make_shared<const std::string>(read_text_file(report::regions_geojson_beside(geo_path)));
  const auto js =
      std::make_shared<const std::string>(read_text_file(options_.web_dist / "report.js"));
  const auto css =
      std::make_shared<const std::string>(read_text_file(options_.web_dist / "report.css"));
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(index_html("public"), "text/html; charset=utf-8");
  });
  // The restricted page's shell holds no data; its script asks for the token and sends it
  // with every request for restricted data.
  s.Get("/restricted", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(index_html("restricted"), "text/html; charset=utf-8");
  });
  s.Get("/assets/report.js", [js](const httplib::Request&, httplib::Response& res) {
    res.set_content(*js, "text/javascript; charset=utf-8");
  });
  s.Get("/assets/report.css", [css](const httplib::Request&, httplib::Response& res) {
    res.set_content(*css, "text/css; charset=utf-8");
  });
  s.Get("/api/v1/geo", [geo](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    res.set_content(*geo, "application/geo+json");
  });
  s.Get("/api/v1/geo/regions", [regions_geo](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    res.set_content(*regions_geo, "application/geo+json");
  });
  api_routes();
  hub_routes();
  add_review_routes(s, access_, options_.db);
  upload_routes();
}

void DashboardServer::api_routes() {
  auto& s = *server_;
  // The bundle and the answers built from it, once per state of the store (results_cache.hpp).
  auto cache = std::make_shared<ResultsCache>(
      options_.db, std::make_shared<const AreaTable>(load_area_table(options_.data_dir)));
  cache_ = cache;
  // The public results, or nothing after answering 500 when the bundle failed its audit.
  auto audited = [cache](httplib::Response& res) -> std::shared_ptr<const PublicResults> {
    auto r = cache->current();
    if (!r->bundle.is_null()) return r;
    send_json(res,
              {{"error",
                "the public bundle failed the exact disclosure audit, so it is not served (the "
                "server's log and joindots report name the cells)"}},
              500);
    return nullptr;
  };
  const auto access = access_;

  s.Get("/api/v1/estimates", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"dimension"})) return;
    const auto r = audited(res);
    if (!r) return;
    if (!req.has_param("dimension")) return send_body(res, r->estimates_body);
    send_stratum_estimates(r->bundle, req.get_param_value("dimension"), res);
  });
  s.Get("/api/v1/overlap", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    if (const auto r = audited(res)) send_body(res, r->overlap_body);
  });
  s.Get("/api/v1/models", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    if (const auto r = audited(res)) send_body(res, r->models_body);
  });
  s.Get("/api/v1/linkage", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"role"})) return;
    const auto r = audited(res);
    if (!r) return;
    if (!req.has_param("role")) return send_body(res, r->linkage_body);
    const auto role = req.get_param_value("role");
    nlohmann::json out = nlohmann::json::array();
    std::string valid;
    for (const auto& l : r->linkage) {
      valid += (valid.empty() ? "" : ", ") + l["role"].get<std::string>();
      if (l["role"] == role) out.push_back(l);
    }
    if (out.empty())
      return bad_request(res, fmt::format("role: no link run for '{}' (valid: {})", role,
                                          valid.empty() ? "none yet: run joindots link" : valid));
    send_json(res, {{"tier", "public"}, {"linkage", out}});
  });
  s.Get("/api/v1/summary", [cache](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    send_body(res, cache->current()->summary_body);
  });
  // The restricted tier's answers (and refusals) are audited; the public bundle's are not.
  s.Get("/api/v1/bundle",
        access->audited([audited, cache, access](const httplib::Request& req, httplib::Response& res,
                                                 std::string& actor) {
          if (!check_params(req, res, {"tier"})) return;
          const std::string tier = req.has_param("tier") ? req.get_param_value("tier") : "public";
          if (tier != "public" && tier != "restricted")
            return bad_request(
                res, fmt::format("tier: '{}' is not a tier (valid: public, restricted)", tier));
          if (tier == "restricted") {
            if (!access->authorize(req, res, {AccountRole::analyst}, actor)) return;
            return send_body(res, *cache->restricted_bundle_body());
          }
          if (const auto r = audited(res)) send_body(res, r->bundle_body);
        }, Access::audited_request));
  s.Get("/api/v1/areas", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"region"})) return;
    const auto r = audited(res);
    if (!r) return;
    if (!req.has_param("region")) return send_body(res, r->areas_body);
    send_region_areas(r->bundle, req.get_param_value("region"), res);
  });
  s.Get("/api/v1/sources", [audited](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    if (const auto r = audited(res)) send_body(res, r->sources_body);
  });
}

void DashboardServer::guard_requests() {
  auto& s = *server_;
  // Before routing: a request target that is not valid percent-encoded UTF-8 is refused
  // here, once, so no handler (and no JSON encoder) ever sees undecodable bytes; only GET and
  // HEAD are served, and POST to the review's decisions (review_routes.hpp).
  s.set_default_headers([] {
    httplib::Headers headers;
    for (auto& [name, value] : security_headers()) headers.emplace(name, value);
    return headers;
  }());
  const auto hosts = std::make_shared<HostCheck>(options_.host, options_.allowed_hosts);
  s.set_pre_routing_handler([hosts](const httplib::Request& req, httplib::Response& res) {
    // A page on another site that points its own name at this address (DNS rebinding) sends
    // its own name as Host: answering only this server's names keeps it out.
    if (!hosts->allows(req.get_header_value("Host"))) {
      send_json(res,
                {{"error", "this server answers only to the host names " + hosts->describe() +
                               " (start it with --allow-host NAME to add one)"}},
                421);
      return httplib::Server::HandlerResponse::Handled;
    }
    // POST is served to the review's decisions (review_routes.cpp) and the deliveries only.
    const bool review_decision = req.method == "POST" && req.path == "/api/v1/review/decisions";
    if (req.method != "GET" && req.method != "HEAD" && !review_decision && !is_upload(req)) {
      res.set_header("Allow", req.path == "/api/v1/deliveries" ? "GET, HEAD, POST" : "GET, HEAD");
      send_json(res,
                {{"error", "method " + req.method +
                               " is not allowed (this server answers GET and HEAD, and POST on "
                               "/api/v1/deliveries and /api/v1/review/decisions)"}},
                405);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (const auto problem = request_target_problem(req.target)) {
      send_json(res, {{"error", *problem}}, 400);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Requests to audited routes that no audited handler answered (refused above, or too
  // large for httplib to read) get their audit row here, before the answer is sent.
  const auto access = access_;
  s.set_post_routing_handler([access](const httplib::Request& req, httplib::Response& res) {
    access->audit_unrouted(req, res);
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    // httplib calls this outside its exception guard: anything thrown here ends the process.
    try {
      if (res.status == 404 && req.path.rfind("/api/", 0) == 0)
        send_json(res, {{"error", "no such endpoint: " + req.path}}, 404);
    } catch (...) {
      res.set_content("", "text/plain");
    }
  });
  // An exception in a handler maps to its answer by kind (error_answer): usage and bad input
  // 400 with the message, anything else (a bug or an environment failure) 500 with no
  // internal text, the details on the server's stderr.
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string message = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          message = e.what();
        } catch (...) {
        }
        ErrorAnswer answer;
        try {
          answer = error_answer(ep);
          if (answer.status >= 500)
            fmt::print(stderr, "joindots serve: internal error answering {} {}: {}\n", req.method,
                       req.target, message);
        } catch (...) {
        }
        res.status = answer.status;
        res.set_content(answer.body.empty() ? R"j({"error": "internal error"})j" : answer.body,
                        "application/json; charset=utf-8");
      });
}

int DashboardServer::bind() {
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
  // the kernel split connections between the two (perhaps over different stores): take
  // SO_REUSEADDR only, so a port in use is refused and a restart after TIME_WAIT still binds.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host.c_str());
    if (port < 0) throw UsageError(fmt::format("cannot bind {}", options_.host));
  } else if (!server_->bind_to_port(options_.host.c_str(), port)) {
    throw UsageError(fmt::format("cannot bind {}:{} (in use, or not an address of this machine)",
                                 options_.host, port));
  }
  server_->widen_listen_backlog();
  return port;
}

void DashboardServer::listen() { server_->listen_after_bind(); }

void DashboardServer::stop() { server_->stop(); }

std::string DashboardServer::answer_in_memory(std::string_view bytes, std::vector<int>* statuses) {
  return server_->answer_in_memory(bytes, statuses);
}

std::int64_t DashboardServer::results_builds() const { return cache_->builds(); }

}  // namespace joindots::serve
