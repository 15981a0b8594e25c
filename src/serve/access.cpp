#include "serve/access.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "serve/server.hpp"

namespace joindots::serve {

namespace {

void refuse(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  if (status == 401) res.set_header("WWW-Authenticate", R"(Bearer realm="joindots")");
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json; charset=utf-8");
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
      authenticator_([this](const std::string& token_id) { return lookup(token_id); }) {}

Access::~Access() = default;

void Access::with_store(const std::function<void(Store&)>& fn) {
  std::lock_guard lock(store_mutex_);
  if (!store_) store_ = Store::open(db_, /*create=*/false);
  fn(*store_);
}

std::optional<Account> Access::lookup(const std::string& token_id) {
  std::optional<Account> account;
  with_store([&](Store& store) { account = store.account_by_token_id(token_id); });
  return account;
}

std::optional<accounts::Principal> Access::authorize(const httplib::Request& req, httplib::Response& res,
                                                     std::initializer_list<AccountRole> roles) {
  res.set_header("Cache-Control", "no-store");
  if (!accounts_served_) {
    refuse(res, 403,
           "accounts are served on loopback only: this server has no TLS, and a bearer token must not "
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
  for (auto role : roles)
    if (who->role == role) return who;
  refuse(res, 403, fmt::format("this is served to the {} role, and this account's role is {}", role_list(roles),
                               to_string(who->role)));
  return std::nullopt;
}

}  // namespace joindots::serve
