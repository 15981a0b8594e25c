#pragma once
// Who may ask what of the server (docs/hub.md): the accounts of the store, each with its
// role, and the token file of `--restricted-token-file` (one analyst outside the store).
// The public tier asks no one. A route that serves accounts names the roles it serves; a
// request without a bearer token, or with one that is no live account's, gets 401; an
// account of another role 403. On an address that is not loopback this server speaks plain
// HTTP, so it serves no account there (403) rather than take tokens in clear.
//
// The audit trail (store/audit_chain.hpp): a route that reads restricted data or changes
// state answers through audited(), which appends who asked (the account, or "anonymous"),
// what (method and target), and the status, before the answer leaves; when the row cannot be
// written the answer becomes a 500 with no data. Requests refused before reaching such a
// route's handler (a bad target, a method not allowed, a body too large) are appended by
// audit_unrouted(), from the server's post-routing hook.
#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "accounts/authenticator.hpp"
#include "serve/audit_writer.hpp"
#include "store/audit_trail.hpp"
#include "store/store.hpp"

namespace joindots::serve {

/// The page cache each of the server's long-lived connections to an SQLite store keeps, in
/// KiB (the store's default, 64 MiB, is for ingest and link runs): with it, the server's
/// memory stays flat as the store grows (bench/README.md, "The hub under load"). Deliveries
/// are ingested on a connection of kIngestCacheKib.
constexpr std::int64_t kServerCacheKib = 4 * 1024;
constexpr std::int64_t kIngestCacheKib = 16 * 1024;

/// A mutex that lets its waiters in in the order they came, handing the lock to the next
/// waiter directly (one wake-up per unlock). std::mutex promises no order: under load a
/// request could wait behind many that came after it, the slowest answers of the audited
/// routes (each asks the store for its account, and for what it reads).
class FairMutex {
 public:
  void lock() {
    std::unique_lock guard(mutex_);
    if (!locked_) {
      locked_ = true;
      return;
    }
    Waiter self;
    waiters_.push_back(&self);
    self.turn.wait(guard, [&] { return self.granted; });
  }
  void unlock() {
    std::lock_guard guard(mutex_);
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;  // the lock passes to it, still held
    next->turn.notify_one();
  }

 private:
  struct Waiter {
    std::condition_variable turn;
    bool granted = false;
  };
  std::mutex mutex_;
  bool locked_ = false;
  std::deque<Waiter*> waiters_;
};

class Access {
 public:
  /// `db` the store holding the accounts; `token_file_token` the token of the token file
  /// (empty: none); `accounts_served` whether bearer tokens are taken at all (loopback, or TLS).
  Access(std::string db, std::string token_file_token, bool accounts_served);
  ~Access();
  /// The caller, when it may use a route serving `roles`; otherwise answers `res` (401 or
  /// 403, JSON, no data) and returns nullopt. Every answer is marked Cache-Control: no-store.
  /// `actor` is set to the caller's name whenever its token verified (for the audit row).
  std::optional<accounts::Principal> authorize(const httplib::Request& req, httplib::Response& res,
                                               std::initializer_list<AccountRole> roles, std::string& actor);
  using AuditedHandler =
      std::function<void(const httplib::Request&, httplib::Response&, std::string& actor)>;
  /// A handler whose answers are audited (all of them, or those `when` selects): an exception
  /// is answered as error_answer() says, then the row is appended with the status.
  httplib::Server::Handler audited(AuditedHandler handler,
                                   std::function<bool(const httplib::Request&)> when = {});
  /// From the post-routing hook: appends the row of a request to an audited route (or with a
  /// method that would change state) that no audited handler answered; drops the marker of
  /// those that one did.
  void audit_unrouted(const httplib::Request& req, httplib::Response& res);
  /// Whether a request reads restricted data or would change state.
  static bool audited_request(const httplib::Request& req);
  /// Runs `fn` on the server's own connection to the store (one at a time, in the order
  /// they asked).
  void with_store(const std::function<void(Store&)>& fn);
  /// How many argon2id verifications have run (tests of the cache; the bench).
  std::int64_t hashes_verified() const { return authenticator_.hashes_verified(); }

 private:
  std::optional<Account> lookup(const std::string& token_id);
  void append_audit(const AuditEntry& entry);
  std::string db_;
  std::string token_file_token_;
  bool accounts_served_;
  FairMutex store_mutex_;  // first come, first served
  std::unique_ptr<Store> store_;  // opened at first use
  accounts::Authenticator authenticator_;
  AuditWriter audit_;  // one writer thread, rows committed in groups (audit_writer.hpp)
};

}  // namespace joindots::serve
