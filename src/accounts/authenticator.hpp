#pragma once
// Who a presented API token is. Each call looks the token's id up in the store (so a
// revocation takes effect at the next request) and checks the secret against the account's
// argon2id hash. That hash costs tens of milliseconds of one core and 64 MiB (token.hpp), which
// would cap authenticated requests at a few dozen a second per core; so a token that verified
// once is remembered, in memory only, as the keyed BLAKE2b of the token (a key random per
// process) beside the account hash it matched. The next request with that token costs one
// BLAKE2b and the lookup, and is only accepted while the account's stored hash is still the
// one it matched and the account is not revoked.
#include <cstdint>
#include <functional>
#include <mutex>
#include <semaphore>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace joindots::accounts {

/// An authenticated caller.
struct Principal {
  std::int64_t account_id = 0;  // 0: not an account of the store (the token file)
  AccountRole role = AccountRole::analyst;
  std::string org;
  /// As the audit trail names it: "account:ID" (or "token-file").
  std::string actor;
};

class Authenticator {
 public:
  /// `lookup` finds the account of a token id (Store::account_by_token_id), revoked or not;
  /// at most `cache_size` verified tokens are remembered.
  explicit Authenticator(std::function<std::optional<Account>(const std::string& token_id)> lookup,
                         std::size_t cache_size = 4096);
  /// The account `token` belongs to; nullopt when it is not shaped as a token, names no
  /// account, names a revoked one, or its secret is wrong.
  std::optional<Principal> authenticate(std::string_view token);
  /// How many argon2id verifications have run (the cache's hits run none).
  std::int64_t hashes_verified() const;

 private:
  std::string cache_key(std::string_view token) const;
  std::function<std::optional<Account>(const std::string&)> lookup_;
  std::size_t cache_size_;
  std::string key_;  // the BLAKE2b key of the cache, random per process
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> verified_;  // keyed BLAKE2b of a token -> the hash it matched
  std::int64_t hashes_verified_ = 0;
  // argon2id verifications at once: each takes 64 MiB, so a flood of wrong secrets for a
  // known token id holds at most this many times that, not one per worker thread.
  std::counting_semaphore<2> verify_slots_{2};
};

/// An account as `accounts list` and `GET /api/v1/accounts` show it: never a secret or hash.
nlohmann::json account_json(const Account& a);

}  // namespace joindots::accounts
