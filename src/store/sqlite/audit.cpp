// The audit trail in an SQLite store (schema version 9; store/audit_trail.hpp).
#include "core/error.hpp"
#include "store/audit_chain.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace joindots {

namespace {

constexpr const char* kSelect = "SELECT seq, at, actor, action, outcome, prev_hash, hash FROM audit";

AuditRow read_audit_row(const sqlite::Statement& st) {
  return AuditRow{st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3),
                  st.column_int(4), st.column_text(5), st.column_text(6)};
}

class SqliteAuditTrail final : public AuditTrail {
 public:
  explicit SqliteAuditTrail(const std::string& path) : db_(path, /*create=*/false) {
    migrate(db_);
    // Appending reads the last row and writes at the end of the table: a few pages. With the
    // store's 64 MiB the cache kept every page appended, so a server's memory grew with its
    // trail (bench/README.md, "The hub under load"); 1 MiB holds the tail.
    db_.limit_cache(1024);
    // A commit reaches the disk before it returns (the WAL is synced): a row is durable when
    // append returns, even against a power cut. The server commits its rows in groups.
    db_.exec("PRAGMA synchronous=FULL");
  }

  AuditRow append(const AuditEntry& entry) override { return append_all({entry}).front(); }

  std::vector<AuditRow> append_all(const std::vector<AuditEntry>& entries) override {
    for (const auto& entry : entries)
      if (entry.actor.empty() || entry.action.empty()) throw InternalError("an audit row needs an actor and an action");
    // Under the write lock: the row read as the last is the last when these go in.
    sqlite::Transaction tx(db_);
    std::optional<AuditRow> last;
    {
      auto st = db_.prepare(std::string(kSelect) + " ORDER BY seq DESC LIMIT 1");
      if (st.step()) last = read_audit_row(st);
    }
    std::vector<AuditRow> rows;
    rows.reserve(entries.size());
    auto st =
        db_.prepare("INSERT INTO audit (seq, at, actor, action, outcome, prev_hash, hash) VALUES (?,?,?,?,?,?,?)");
    for (const auto& entry : entries) {
      const auto row = next_audit_row(last, entry);
      st.bind(1, row.seq).bind(2, row.at).bind(3, row.actor).bind(4, row.action).bind(5, row.outcome);
      st.bind(6, row.prev_hash).bind(7, row.hash);
      st.run();
      st.reset();
      rows.push_back(row);
      last = row;
    }
    tx.commit();
    return rows;
  }

  void for_each_row(const std::function<void(const AuditRow&)>& fn) override {
    auto st = db_.prepare(std::string(kSelect) + " ORDER BY seq");
    while (st.step()) fn(read_audit_row(st));
  }

 private:
  sqlite::Database db_;
};

}  // namespace

std::unique_ptr<AuditTrail> open_sqlite_audit_trail(const std::string& path) {
  return std::make_unique<SqliteAuditTrail>(path);
}

}  // namespace joindots
