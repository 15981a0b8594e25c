// The PostgreSQL store's accounts and deliveries (schema version 8), as the SQLite store's.
#include <fmt/format.h>

#include "core/error.hpp"
#include "io/text_file.hpp"
#include "store/postgres/postgres_store.hpp"

namespace joindots {

namespace {

constexpr const char* kAccountColumns = "account_id, token_id, token_hash, org, role, created_at, revoked_at";

Account read_account(const pg::Connection& c, const pg::Result& r, int row) {
  Account a;
  a.account_id = r.integer(row, 0);
  a.token_id = r.text(row, 1);
  a.token_hash = r.text(row, 2);
  a.org = r.text(row, 3);
  const auto role = account_role_from_string(r.text(row, 4));
  if (!role) throw InternalError(fmt::format("{}: account {} has no valid role", c.location(), a.account_id));
  a.role = *role;
  a.created_at = r.text(row, 5);
  a.revoked_at = r.text(row, 6);  // "" for NULL
  return a;
}

std::optional<Account> first_account(const pg::Connection& c, const pg::Result& r) {
  if (r.rows() == 0) return std::nullopt;
  return read_account(c, r, 0);
}

}  // namespace

std::int64_t PostgresStore::add_account(const Account& account) {
  pg::Transaction tx(c_);
  if (account_by_token_id(account.token_id))
    throw UsageError(fmt::format("{}: an account with token id {} exists", c_.location(), account.token_id));
  const auto id = c_.query("INSERT INTO accounts (token_id, token_hash, org, role, created_at) VALUES ($1, $2, $3, "
                           "$4, $5) RETURNING account_id",
                           pg::Params()
                               .text(account.token_id)
                               .text(account.token_hash)
                               .text(account.org)
                               .text(to_string(account.role))
                               .text(utc_timestamp()))
                      .integer(0, 0);
  tx.commit();
  return id;
}

std::optional<Account> PostgresStore::revoke_account(std::int64_t account_id) {
  pg::Transaction tx(c_);
  c_.query("UPDATE accounts SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
           pg::Params().text(utc_timestamp()).integer(account_id));
  auto account =
      first_account(c_, c_.query(fmt::format("SELECT {} FROM accounts WHERE account_id = $1", kAccountColumns),
                                 pg::Params().integer(account_id)));
  tx.commit();
  return account;
}

std::vector<Account> PostgresStore::accounts() {
  const auto r = c_.query(fmt::format("SELECT {} FROM accounts ORDER BY account_id", kAccountColumns));
  std::vector<Account> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_account(c_, r, i));
  return out;
}

std::optional<Account> PostgresStore::account_by_token_id(const std::string& token_id) {
  if (token_id.empty()) return std::nullopt;
  return first_account(c_, c_.query(fmt::format("SELECT {} FROM accounts WHERE token_id = $1", kAccountColumns),
                                    pg::Params().text(token_id)));
}

std::vector<Delivery> PostgresStore::deliveries(const std::optional<std::string>& org) {
  std::vector<Delivery> out;
  if (org && org->empty()) return out;
  pg::ReadSnapshot snapshot(c_);
  auto params = pg::Params();
  if (org)
    params.text(*org);
  else
    params.null();
  const auto files = c_.query(
      fmt::format("SELECT {}, warnings, encoded FROM files f WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM "
                  "file_orgs o WHERE o.source_org = $1::text AND o.file_id = f.file_id) ORDER BY file_id",
                  kPostgresFileColumns),
      params);
  for (int i = 0; i < files.rows(); ++i) {
    Delivery d;
    d.file = file_info(files, i);
    d.warnings = files.integer(i, 6);
    d.encoded = files.integer(i, 7) != 0;
    out.push_back(std::move(d));
  }
  const auto orgs = c_.query(
      "SELECT o.file_id, o.source_org FROM file_orgs o WHERE $1::text IS NULL OR o.file_id IN (SELECT file_id "
      "FROM file_orgs WHERE source_org = $1::text) ORDER BY o.file_id, o.source_org COLLATE \"C\"",
      params);
  std::size_t at = 0;
  for (int i = 0; i < orgs.rows(); ++i) {
    const auto file_id = orgs.integer(i, 0);
    while (at < out.size() && out[at].file.file_id < file_id) ++at;
    if (at < out.size() && out[at].file.file_id == file_id) out[at].orgs.push_back(orgs.text(i, 1));
  }
  return out;
}

}  // namespace joindots
