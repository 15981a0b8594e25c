#pragma once
// The hub's audit trail (issue 17, item 4; docs/hub.md): append-only rows of who did what,
// when, with what outcome, chained by hash (audit_chain.hpp). Kept in the store (schema
// version 9), beside it rather than in Store's interface: the server appends on a connection
// of its own, one row per audited request, and the CLI after a command that changed accounts.
// Both backends implement it (sqlite/audit.cpp, postgres/pg_audit.cpp); the audit contract
// in tests/store runs for each.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace joindots {

/// What is appended: who (actor), what (action) and the outcome (the HTTP status, or the
/// CLI's exit code).
struct AuditEntry {
  std::string actor;   // "account:ID", "token-file", "cli:USER" or "anonymous"
  std::string action;  // "GET /api/v1/bundle?tier=restricted", "accounts revoke --id 3"
  std::int64_t outcome = 0;
};
/// One row as stored.
struct AuditRow {
  std::int64_t seq = 0;  // 1, 2, 3, ... in order of appending
  std::string at;        // UTC, ISO 8601 with milliseconds
  std::string actor, action;
  std::int64_t outcome = 0;
  std::string prev_hash, hash;  // 64 hex digits each
};

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  /// The audit trail of the store at `location` (as Store::open takes it), which must exist;
  /// its schema is migrated to the current version first.
  static std::unique_ptr<AuditTrail> open(const std::string& location);
  /// Appends a row in one write transaction that reads the last one (next_audit_row makes
  /// seq, at and the hashes), so appenders on several connections keep one chain.
  virtual AuditRow append(const AuditEntry& entry) = 0;
  /// Appends `entries` in this order in one write transaction (one commit for all: the
  /// server's audit writer groups the rows of concurrent requests this way). All or none.
  virtual std::vector<AuditRow> append_all(const std::vector<AuditEntry>& entries) = 0;
  /// Streams the rows in seq order, as stored (verify_audit_chain checks them).
  virtual void for_each_row(const std::function<void(const AuditRow&)>& fn) = 0;
};

}  // namespace joindots
