#include "accounts/authenticator.hpp"

#include <sodium.h>

#include "accounts/token.hpp"
#include "core/error.hpp"

namespace joindots::accounts {

Authenticator::Authenticator(std::function<std::optional<Account>(const std::string& token_id)> lookup,
                             std::size_t cache_size)
    : lookup_(std::move(lookup)), cache_size_(cache_size) {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
  key_.resize(crypto_generichash_KEYBYTES);
  randombytes_buf(key_.data(), key_.size());
}

std::string Authenticator::cache_key(std::string_view token) const {
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  return out;
}

std::optional<Principal> Authenticator::authenticate(std::string_view token) {
  const auto id = token_id_of(token);
  if (!id) return std::nullopt;
  const auto account = lookup_(*id);
  if (!account || !account->revoked_at.empty()) return std::nullopt;
  const auto key = cache_key(token);
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = verified_.find(key);
    known = it != verified_.end() && it->second == account->token_hash;
  }
  if (!known) {
    {
      std::lock_guard lock(mutex_);
      ++hashes_verified_;
    }
    bool matches = false;
    {
      struct Slot {
        std::counting_semaphore<2>& slots;
        explicit Slot(std::counting_semaphore<2>& s) : slots(s) { slots.acquire(); }
        ~Slot() { slots.release(); }
      } slot(verify_slots_);
      matches = token_matches(token, account->token_hash);
    }
    if (!matches) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (verified_.size() >= cache_size_) verified_.clear();  // rare: more live tokens than the cache holds
    verified_[key] = account->token_hash;
  }
  return Principal{account->account_id, account->role, account->org,
                   "account:" + std::to_string(account->account_id)};
}

std::int64_t Authenticator::hashes_verified() const {
  std::lock_guard lock(mutex_);
  return hashes_verified_;
}

nlohmann::json account_json(const Account& a) {
  return {{"account_id", a.account_id},
          {"token_id", a.token_id},
          {"org", a.org},
          {"role", to_string(a.role)},
          {"created_at", a.created_at},
          {"revoked_at", a.revoked_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.revoked_at)}};
}

}  // namespace joindots::accounts
