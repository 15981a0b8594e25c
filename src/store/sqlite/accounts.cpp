// The SQLite store's accounts and deliveries (schema version 8).
#include <fmt/format.h>

#include "core/error.hpp"
#include "io/text_file.hpp"
#include "store/sqlite/ingest_batch.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace joindots {

namespace {

constexpr std::string_view kAccountColumns = "account_id, token_id, token_hash, org, role, created_at, revoked_at";

Account read_account(const sqlite::Database& db, sqlite::Statement& st) {
  Account a;
  a.account_id = st.column_int(0);
  a.token_id = st.column_text(1);
  a.token_hash = st.column_text(2);
  a.org = st.column_text(3);
  const auto role = account_role_from_string(st.column_text(4));
  if (!role) throw InternalError(fmt::format("{}: account {} has no valid role", db.path(), a.account_id));
  a.role = *role;
  a.created_at = st.column_text(5);
  a.revoked_at = st.column_is_null(6) ? "" : st.column_text(6);
  return a;
}

/// The account with this token id (`by_token`) or this account id.
std::optional<Account> find_account(sqlite::Database& db, const std::string& token_id, std::int64_t id = 0) {
  const bool by_token = !token_id.empty();
  auto st = db.prepare(fmt::format("SELECT {} FROM accounts WHERE {} = ?", kAccountColumns,
                                   by_token ? "token_id" : "account_id"));
  if (by_token)
    st.bind(1, token_id);
  else
    st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_account(db, st);
}

}  // namespace

std::int64_t SqliteStore::add_account(const Account& account) {
  sqlite::Transaction tx(db_);
  if (find_account(db_, account.token_id))
    throw UsageError(fmt::format("{}: an account with token id {} exists", db_.path(), account.token_id));
  auto st = db_.prepare("INSERT INTO accounts (token_id, token_hash, org, role, created_at) VALUES (?, ?, ?, ?, ?)");
  st.bind(1, account.token_id).bind(2, account.token_hash).bind(3, account.org).bind(4, to_string(account.role));
  st.bind(5, utc_timestamp());
  st.run();
  const auto id = db_.last_insert_rowid();
  tx.commit();
  return id;
}

std::optional<Account> SqliteStore::revoke_account(std::int64_t account_id) {
  sqlite::Transaction tx(db_);
  auto st = db_.prepare("UPDATE accounts SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL");
  st.bind(1, utc_timestamp()).bind(2, account_id);
  st.run();
  auto account = find_account(db_, "", account_id);
  tx.commit();
  return account;
}

std::vector<Account> SqliteStore::accounts() {
  std::vector<Account> out;
  auto st = db_.prepare(fmt::format("SELECT {} FROM accounts ORDER BY account_id", kAccountColumns));
  while (st.step()) out.push_back(read_account(db_, st));
  return out;
}

std::optional<Account> SqliteStore::account_by_token_id(const std::string& token_id) {
  if (token_id.empty()) return std::nullopt;
  return find_account(db_, token_id);
}

std::vector<Delivery> SqliteStore::deliveries(const std::optional<std::string>& org) {
  std::vector<Delivery> out;
  if (org && org->empty()) return out;
  // One read transaction, so the files and their organisations agree.
  db_.exec("BEGIN");
  try {
    auto st = db_.prepare(fmt::format(
        "SELECT {}, warnings, encoded FROM files f WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM file_orgs o "
        "WHERE o.source_org = ?1 AND o.file_id = f.file_id) ORDER BY file_id",
        kFileColumns));
    if (org)
      st.bind(1, *org);
    else
      st.bind_null(1);
    while (st.step()) {
      Delivery d;
      d.file = read_file_row(st);
      d.warnings = st.column_int(6);
      d.encoded = st.column_int(7) != 0;
      out.push_back(std::move(d));
    }
    auto orgs = db_.prepare("SELECT source_org FROM file_orgs WHERE file_id = ? ORDER BY source_org");
    for (auto& d : out) {
      orgs.reset();
      orgs.bind(1, d.file.file_id);
      while (orgs.step()) d.orgs.push_back(orgs.column_text(0));
    }
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
  db_.exec("COMMIT");
  return out;
}

}  // namespace joindots
