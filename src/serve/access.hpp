#pragma once
// Who may ask what of the server (docs/hub.md): the accounts of the store, each with its
// role, and the token file of `--restricted-token-file` (one analyst outside the store).
// The public tier asks no one. A route that serves accounts names the roles it serves; a
// request without a bearer token, or with one that is no live account's, gets 401; an
// account of another role 403. On an address that is not loopback this server speaks plain
// HTTP, so it serves no account there (403) rather than take tokens in clear.
#include <httplib.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "accounts/authenticator.hpp"
#include "store/store.hpp"

namespace joindots::serve {

class Access {
 public:
  /// `db` the store holding the accounts; `token_file_token` the token of the token file
  /// (empty: none); `accounts_served` whether bearer tokens are taken at all (loopback).
  Access(std::string db, std::string token_file_token, bool accounts_served);
  ~Access();
  /// The caller, when it may use a route serving `roles`; otherwise answers `res` (401 or
  /// 403, JSON, no data) and returns nullopt. Every answer is marked Cache-Control: no-store.
  std::optional<accounts::Principal> authorize(const httplib::Request& req, httplib::Response& res,
                                               std::initializer_list<AccountRole> roles);
  /// Runs `fn` on the server's own connection to the store (one at a time).
  void with_store(const std::function<void(Store&)>& fn);
  /// How many argon2id verifications have run (tests of the cache; the bench).
  std::int64_t hashes_verified() const { return authenticator_.hashes_verified(); }

 private:
  std::optional<Account> lookup(const std::string& token_id);
  std::string db_;
  std::string token_file_token_;
  bool accounts_served_;
  std::mutex store_mutex_;
  std::unique_ptr<Store> store_;  // opened at first use
  accounts::Authenticator authenticator_;
};

}  // namespace joindots::serve
