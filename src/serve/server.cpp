#include "serve/server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <sodium.h>

#include <fstream>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "io/text_file.hpp"
#include "report/bundle.hpp"
#include "report/bundle_audit.hpp"
#include "report/html.hpp"
#include "store/store.hpp"

namespace joindots::serve {

namespace {

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void bad_request(httplib::Response& res, const std::string& message) { send_json(res, {{"error", message}}, 400); }

/// Rejects parameters the endpoint does not take, naming the ones it does.
bool check_params(const httplib::Request& req, httplib::Response& res, const std::set<std::string>& allowed) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      std::string valid;
      for (const auto& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
      bad_request(res, fmt::format("unknown parameter '{}' (valid: {})", name, valid.empty() ? "none" : valid));
      return false;
    }
  }
  return true;
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
    throw UsageError(fmt::format("--restricted-token-file {}: its group or others may read or write it (mode {:o}); "
                                 "run chmod 600 {}",
                                 path.string(), static_cast<unsigned>(st.permissions() & fs::perms::mask),
                                 path.string()));
  std::ifstream in(path);
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!token.empty() && space(static_cast<unsigned char>(token.back()))) token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && space(static_cast<unsigned char>(token[start]))) ++start;
  token.erase(0, start);
  if (token.find_first_of(" \t\r\n") != std::string::npos)
    throw UsageError(fmt::format("--restricted-token-file {}: the token must be one line with no spaces", path.string()));
  if (token.size() < 32)
    throw UsageError(fmt::format("--restricted-token-file {}: the token has {} characters; use at least 32 random ones "
                                 "(e.g. openssl rand -hex 32)",
                                 path.string(), token.size()));
  return token;
}

bool tokens_equal(const std::string& presented, const std::string& expected) {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

namespace {

/// Whether the request may see the restricted tier; when not, answers it (401 without a
/// bearer token, 403 with a wrong one or when this server serves no restricted tier).
bool authorize_restricted(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  res.set_header("Cache-Control", "no-store");
  if (token.empty()) {
    send_json(res, {{"error", "the restricted tier is not served here (start joindots serve with --restricted-token-file)"}},
              403);
    return false;
  }
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    res.set_header("WWW-Authenticate", R"(Bearer realm="joindots restricted tier")");
    send_json(res, {{"error", "the restricted tier needs the header Authorization: Bearer <token>"}}, 401);
    return false;
  }
  if (!tokens_equal(header.substr(kBearer.size()), token)) {
    send_json(res, {{"error", "the bearer token is not the restricted tier's"}}, 403);
    return false;
  }
  return true;
}

}  // namespace

DashboardServer::DashboardServer(ServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  routes();
}

DashboardServer::~DashboardServer() = default;

void DashboardServer::routes() {
  auto& s = *server_;
  const std::string db = options_.db;
  const auto areas = std::make_shared<AreaTable>(AreaTable::load(options_.data_dir));
  const auto geo = std::make_shared<std::string>(read_text_file(options_.data_dir / "geo" / "lad23_ew_super_generalised.geojson"));
  const auto js = std::make_shared<std::string>(read_text_file(options_.web_dist / "report.js"));
  const auto css = std::make_shared<std::string>(read_text_file(options_.web_dist / "report.css"));
  // One store connection per request keeps handlers independent (SQLite WAL allows
  // concurrent readers).
  // A public bundle is served only when the exact disclosure audit passes (a few ms).
  auto bundle = [db, areas](report::Tier tier = report::Tier::Public) {
    auto store = Store::open(db, /*create=*/false);
    auto b = report::build_bundle(*store, *areas, tier);
    if (tier == report::Tier::Public) {
      const auto audit = report::audit_public_bundle(b);
      if (!audit.safe()) {
        std::string lines;
        for (const auto& p : audit.problems()) lines += "; " + p;
        throw InternalError("the public bundle failed the exact disclosure audit, so it is not served" + lines);
      }
    }
    return b;
  };
  const std::string token = options_.restricted_token;

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
  const auto regions_geo = std::make_shared<std::string>(
      read_text_file(report::regions_geojson_beside(options_.data_dir / "geo" / "lad23_ew_super_generalised.geojson")));
  s.Get("/api/v1/geo/regions", [regions_geo](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    res.set_content(*regions_geo, "application/geo+json");
  });
  s.Get("/api/v1/estimates", [bundle](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"dimension"})) return;
    const auto b = bundle();
    nlohmann::json strata = nlohmann::json::array();
    if (req.has_param("dimension")) {
      const auto dimension = req.get_param_value("dimension");
      std::set<std::string> dims;
      for (const auto& st : b["strata"]) dims.insert(st["dimension"].get<std::string>());
      if (!dims.count(dimension)) {
        std::string valid;
        for (const auto& d : dims) valid += (valid.empty() ? "" : ", ") + d;
        return bad_request(res, fmt::format("dimension: '{}' is not estimated (valid: {})", dimension,
                                            valid.empty() ? "none yet: run joindots estimate --by ..." : valid));
      }
      for (const auto& st : b["strata"])
        if (st["dimension"] == dimension) strata.push_back(st);
    } else {
      strata = b["strata"];
    }
    send_json(res, {{"tier", "public"},
                    {"estimate_run", b.value("estimate_run", nlohmann::json(nullptr))},
                    {"reference_date", b.value("reference_date", "")},
                    {"headline", b["headline"]},
                    {"strata", strata}});
  });
  s.Get("/api/v1/overlap", [bundle](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    const auto b = bundle();
    send_json(res, {{"tier", "public"}, {"overlap", b["overlap"]}});
  });
  s.Get("/api/v1/models", [bundle](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    const auto b = bundle();
    send_json(res, {{"tier", "public"}, {"models", b["models"]}});
  });
  s.Get("/api/v1/linkage", [db](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"role"})) return;
    auto store = Store::open(db, false);
    const auto all = report::linkage_json(*store, /*is_public=*/true);
    nlohmann::json out = nlohmann::json::array();
    if (req.has_param("role")) {
      const auto role = req.get_param_value("role");
      std::string valid;
      for (const auto& r : all) {
        valid += (valid.empty() ? "" : ", ") + r["role"].get<std::string>();
        if (r["role"] == role) out.push_back(r);
      }
      if (out.empty())
        return bad_request(res, fmt::format("role: no link run for '{}' (valid: {})", role,
                                            valid.empty() ? "none yet: run joindots link" : valid));
    } else {
      out = all;
    }
    send_json(res, {{"tier", "public"}, {"linkage", out}});
  });
  s.Get("/api/v1/summary", [db](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    auto store = Store::open(db, false);
    const auto sm = store->summary();
    // Counts of files, organisations and runs describe the hub, not people: not controlled.
    send_json(res, {{"schema_version", sm.schema_version}, {"files", sm.files}, {"sources", sm.sources},
                    {"organisations_by_source_type", sm.sources_by_source_type}, {"areas", sm.areas}, {"runs", sm.runs}});
  });
  s.Get("/api/v1/bundle", [bundle, token](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"tier"})) return;
    const std::string tier = req.has_param("tier") ? req.get_param_value("tier") : "public";
    if (tier != "public" && tier != "restricted")
      return bad_request(res, fmt::format("tier: '{}' is not a tier (valid: public, restricted)", tier));
    if (tier == "restricted") {
      if (!authorize_restricted(req, res, token)) return;
      return send_json(res, bundle(report::Tier::Restricted));
    }
    send_json(res, bundle());
  });
  s.Get("/api/v1/areas", [bundle](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {"region"})) return;
    const auto b = bundle();
    nlohmann::json out = nlohmann::json::array();
    if (req.has_param("region")) {
      const auto region = req.get_param_value("region");
      bool known = false;
      for (const auto& r : b["regions"]) known = known || r["region"] == region;
      if (!known) return bad_request(res, fmt::format("region: '{}' is not a region of England or Wales", region));
      for (const auto& a : b["areas"])
        if (a["region"] == region) out.push_back(a);
    } else {
      out = b["areas"];
    }
    send_json(res, {{"tier", "public"}, {"areas", out}});
  });
  s.Get("/api/v1/sources", [bundle](const httplib::Request& req, httplib::Response& res) {
    if (!check_params(req, res, {})) return;
    send_json(res, {{"tier", "public"}, {"sources", bundle()["sources"]}});
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && req.path.rfind("/api/", 0) == 0) send_json(res, {{"error", "no such endpoint: " + req.path}}, 404);
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message = e.what();
    }
    send_json(res, {{"error", message}}, 500);
  });
}

int DashboardServer::bind() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host.c_str());
    if (port < 0) throw UsageError(fmt::format("cannot bind {}", options_.host));
  } else if (!server_->bind_to_port(options_.host.c_str(), port)) {
    throw UsageError(fmt::format("cannot bind {}:{} (in use, or not an address of this machine)", options_.host, port));
  }
  return port;
}

void DashboardServer::listen() { server_->listen_after_bind(); }

void DashboardServer::stop() { server_->stop(); }

}  // namespace joindots::serve
