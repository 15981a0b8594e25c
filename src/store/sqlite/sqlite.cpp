#include "store/sqlite/sqlite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "core/error.hpp"

namespace joindots::sqlite {

Database::Database(const std::filesystem::path& path, bool create) : path_(path.string()) {
  if (!create && !std::filesystem::exists(path))
    throw UsageError(fmt::format("{}: no such store (run `joindots ingest --db {}` first)", path_, path_));
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UsageError(fmt::format("{}: cannot open store: {}", path_, msg));
  }
  sqlite3_busy_timeout(db_, 30000);
  sqlite3_extended_result_codes(db_, 0);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA cache_size=-65536");  // 64 MiB of page cache: index updates stay in memory
  } catch (...) {
    // A file that is not a database fails here; the destructor will not run, so close now.
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

namespace {

/// SQLite says "disk I/O error" (or "database or disk is full") whatever the cause; name it
/// when it is a full disk (or a file size limit), which the user can do something about.
std::string full_disk_note(sqlite3* db) {
  const int err = sqlite3_system_errno(db);
  if (err == ENOSPC || sqlite3_errcode(db) == SQLITE_FULL) return " (the disk is full: no space left on device)";
  if (err == EFBIG) return " (a file size limit was reached: file too large)";
  if (err == EDQUOT) return " (the disk quota is exceeded)";
  return {};
}

}  // namespace

void Database::fail(std::string_view what) const {
  throw InternalError(fmt::format("{}: {}: {}{}", path_, what, sqlite3_errmsg(db_), full_disk_note(db_)));
}

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    if (msg.find("not a database") != std::string::npos)
      throw UsageError(fmt::format("{}: not a joindots store (file is not an SQLite database)", path_));
    throw InternalError(fmt::format("{}: {}{}: {}", path_, msg, full_disk_note(db_), sql.substr(0, 80)));
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(*this, sql); }

void Database::limit_cache(std::int64_t kib) {
  exec(fmt::format("PRAGMA cache_size=-{}", std::max<std::int64_t>(kib, 1)));
}

int Database::user_version() {
  auto st = prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.column_int(0));
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    db.fail(fmt::format("preparing '{}'", sql.substr(0, 60)));
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement& Statement::bind(int i, std::string_view text) {
  const int rc = text.empty()
                     ? sqlite3_bind_null(stmt_, i)
                     : sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, std::optional<std::int64_t> v) { return v ? bind(i, *v) : bind_null(i); }

Statement& Statement::bind_blob(int i, const void* data, std::size_t bytes) {
  if (sqlite3_bind_blob64(stmt_, i, data, bytes, SQLITE_TRANSIENT) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_->fail("bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail("step");
}

int Statement::run_allow_constraint() {
  const int rc = sqlite3_step(stmt_);
  sqlite3_reset(stmt_);
  if (rc == SQLITE_DONE || rc == SQLITE_CONSTRAINT) return rc;
  db_->fail("insert");
}

void Statement::run() {
  step();
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int i) const {
  const auto* p = sqlite3_column_text(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
           : std::string();
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadSnapshot::ReadSnapshot(Database& db) : db_(db) {
  if (sqlite3_get_autocommit(db_.handle()) == 0) return;  // a transaction is already open
  db_.exec("BEGIN");
  active_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  if (!active_) return;
  try {
    db_.exec("COMMIT");
  } catch (...) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

}  // namespace joindots::sqlite
