#include "serve/access.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "serve/server.hpp"
#include "store/audit_chain.hpp"

namespace joindots::serve {

namespace {

void refuse(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  if (status == 401) res.set_header("WWW-Authenticate", R"(Bearer realm="joindots")");
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json; charset=utf-8");
}

/// Set on an answer whose row an audited handler appended; removed before it is sent.
constexpr const char* kAuditedMarker = "X-Joindots-Audited";

/// The request as the audit row names it: the method and the target as sent, its bytes
/// outside printable ASCII percent-encoded (a target that failed the request guard is
/// stored too), cut at 512 bytes.
std::string action_of(const httplib::Request& req) {
  std::string out = req.method.substr(0, 16) + " ";
  const std::string& target = req.target.empty() ? req.path : req.target;
  for (unsigned char c : target.substr(0, 512)) {
    if (c > 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string role_list(std::initializer_list<AccountRole> roles) {
  std::string out;
  for (auto r : roles) out += (out.empty() ? "" : " or ") + to_string(r);
  return out;
}

}  // namespace

Access::Access(std::string db, std::string token_file_token, bool accounts_served)
    : db_(std::move(db)),
      token_file_token_(std::move(token_file_token)),
      accounts_served_(accounts_served),
      authenticator_([this](const std::string& token_id) { return lookup(token_id); }),
      audit_(db_) {}

Access::~Access() = default;

void Access::append_audit(const AuditEntry& entry) { audit_.append(entry); }

void Access::with_store(const std::function<void(Store&)>& fn) {
  std::lock_guard lock(store_mutex_);
  if (!store_) {
    store_ = Store::open(db_, /*create=*/false);
    store_->limit_cache(kServerCacheKib);
  }
  fn(*store_);
}

std::optional<Account> Access::lookup(const std::string& token_id) {
  std::optional<Account> account;
  with_store([&](Store& store) { account = store.account_by_token_id(token_id); });
  return account;
}

std::optional<accounts::Principal> Access::authorize(const httplib::Request& req, httplib::Response& res,
                                                     std::initializer_list<AccountRole> roles,
                                                     std::string& actor) {
  res.set_header("Cache-Control", "no-store");
  if (!accounts_served_) {
    refuse(res, 403,
           "accounts are served on loopback only when the server has no TLS: a bearer token must not "
           "cross a network in clear");
    return std::nullopt;
  }
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    refuse(res, 401, "this needs the header Authorization: Bearer <token>");
    return std::nullopt;
  }
  const std::string token = header.substr(kBearer.size());
  std::optional<accounts::Principal> who;
  if (!token_file_token_.empty() && tokens_equal(token, token_file_token_))
    who = accounts::Principal{0, AccountRole::analyst, "", "token-file"};
  else
    who = authenticator_.authenticate(token);
  if (!who) {
    refuse(res, 401,
           "the bearer token is not a live account's (joindots accounts list shows the accounts; an "
           "admin issues tokens with joindots accounts add)");
    return std::nullopt;
  }
  actor = who->actor;
  for (auto role : roles)
    if (who->role == role) return who;
  refuse(res, 403, fmt::format("this is served to the {} role, and this account's role is {}", role_list(roles),
                               to_string(who->role)));
  return std::nullopt;
}

bool Access::audited_request(const httplib::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return true;
  if (req.path == "/api/v1/deliveries" || req.path == "/api/v1/accounts") return true;
  if (req.path == "/api/v1/review" || req.path == "/api/v1/review/decided") return true;
  return req.path == "/api/v1/bundle" && req.has_param("tier") && req.get_param_value("tier") != "public";
}

httplib::Server::Handler Access::audited(AuditedHandler handler, std::function<bool(const httplib::Request&)> when) {
  return [this, handler = std::move(handler), when = std::move(when)](const httplib::Request& req,
                                                                      httplib::Response& res) {
    std::string actor = "anonymous";
    try {
      handler(req, res, actor);
    } catch (...) {
      const auto error = std::current_exception();
      const auto answer = error_answer(error);
      if (answer.status >= 500) {
        std::string message = "unknown exception";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          message = e.what();
        } catch (...) {
        }
        fmt::print(stderr, "joindots serve: internal error answering {}: {}\n", action_of(req), message);
      }
      res.status = answer.status;
      res.set_content(answer.body, "application/json; charset=utf-8");
    }
    if (when && !when(req)) return;
    try {
      append_audit({actor, action_of(req), res.status});
      res.set_header(kAuditedMarker, "1");
    } catch (const std::exception& e) {
      // Nothing leaves unaudited: the answer is withheld.
      fmt::print(stderr, "joindots serve: the audit row of {} could not be written: {}\n", action_of(req), e.what());
      res.status = 500;
      res.headers.erase("Content-Type");
      res.set_content(R"({"error": "the audit trail could not be written, so nothing was served"})",
                      "application/json; charset=utf-8");
      res.set_header(kAuditedMarker, "1");
    }
  };
}

void Access::audit_unrouted(const httplib::Request& req, httplib::Response& res) {
  if (res.has_header(kAuditedMarker)) {
    res.headers.erase(kAuditedMarker);
    return;
  }
  if (!audited_request(req)) return;
  try {
    append_audit({"anonymous", action_of(req), res.status});
  } catch (const std::exception& e) {
    fmt::print(stderr, "joindots serve: the audit row of {} could not be written: {}\n", action_of(req), e.what());
  }
}

}  // namespace joindots::serve
