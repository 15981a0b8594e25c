// The audit trail in a PostgreSQL store (schema version 9; store/audit_trail.hpp).
#include <fmt/format.h>

#include <limits>

#include "core/error.hpp"
#include "store/audit_chain.hpp"
#include "store/postgres/postgres_store.hpp"

namespace joindots {

namespace {

constexpr const char* kSelect = "SELECT seq, at, actor, action, outcome, prev_hash, hash FROM audit";
constexpr int kChunkRows = 20000;
/// The advisory lock of appending (beside postgres_store.hpp's ingest and migration locks).
constexpr std::int64_t kPostgresAuditLock = 0x6a6f696e64000003;  // "joind" 3

AuditRow read_audit_row(const pg::Result& r, int row) {
  return AuditRow{r.integer(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3),
                  r.integer(row, 4), r.text(row, 5), r.text(row, 6)};
}

class PostgresAuditTrail final : public AuditTrail {
 public:
  explicit PostgresAuditTrail(const std::string& uri) : c_(uri) {
    if (postgres_schema_version(c_) == 0)
      throw UsageError(fmt::format("{}: no such store: the database holds no joindots tables", c_.location()));
    migrate_postgres(c_);
  }

  AuditRow append(const AuditEntry& entry) override { return append_all({entry}).front(); }

  std::vector<AuditRow> append_all(const std::vector<AuditEntry>& entries) override {
    for (const auto& entry : entries)
      if (entry.actor.empty() || entry.action.empty()) throw InternalError("an audit row needs an actor and an action");
    pg::Transaction tx(c_);
    // One appender at a time (to the transaction's end), so the row read as the last is the last.
    c_.query("SELECT pg_advisory_xact_lock($1)", pg::Params().integer(kPostgresAuditLock));
    const auto r = c_.query(std::string(kSelect) + " ORDER BY seq DESC LIMIT 1");
    std::optional<AuditRow> last;
    if (r.rows() > 0) last = read_audit_row(r, 0);
    std::vector<AuditRow> rows;
    rows.reserve(entries.size());
    for (const auto& entry : entries) {
      const auto row = next_audit_row(last, entry);
      c_.query(
          "INSERT INTO audit (seq, at, actor, action, outcome, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          pg::Params()
              .integer(row.seq)
              .text(row.at)
              .text(row.actor)
              .text(row.action)
              .integer(row.outcome)
              .text(row.prev_hash)
              .text(row.hash));
      rows.push_back(row);
      last = row;
    }
    tx.commit();
    return rows;
  }

  void for_each_row(const std::function<void(const AuditRow&)>& fn) override {
    // In chunks by seq: memory stays bounded however long the trail.
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      const auto r = c_.query(fmt::format("{} WHERE seq > $1 ORDER BY seq LIMIT {}", kSelect, kChunkRows),
                              pg::Params().integer(after));
      for (int i = 0; i < r.rows(); ++i) {
        const auto row = read_audit_row(r, i);
        after = row.seq;
        fn(row);
      }
      if (r.rows() < kChunkRows) return;
    }
  }

 private:
  pg::Connection c_;
};

}  // namespace

std::unique_ptr<AuditTrail> open_postgres_audit_trail(const std::string& uri) {
  return std::make_unique<PostgresAuditTrail>(uri);
}

}  // namespace joindots
