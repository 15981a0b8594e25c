#pragma once
// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement.
// Errors become InternalError naming the database file and SQLite's message.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace joindots::sqlite {

class Statement;

class Database {
 public:
  /// Opens (creating if asked) the database file, in WAL mode with a 30 s busy timeout.
  Database(const std::filesystem::path& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int user_version();
  /// PRAGMA cache_size = -kib: this connection keeps at most `kib` KiB of pages.
  void limit_cache(std::int64_t kib);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds by 1-based index. An empty string_view binds NULL for the text overload.
  Statement& bind(int i, std::string_view text);
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, std::optional<std::int64_t> v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, const void* data, std::size_t bytes);
  /// Steps once: true when a row is available, false when done.
  bool step();
  /// Steps a statement that returns no rows; returns SQLite's result code (SQLITE_DONE or
  /// SQLITE_CONSTRAINT) without throwing on a constraint failure.
  int run_allow_constraint();
  void run();
  void reset();

  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string column_text(int i) const;
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  /// A BLOB column's bytes (valid until the next step or reset).
  const unsigned char* column_blob(int i, std::size_t& bytes) const {
    bytes = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i));
    return static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, i));
  }

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

/// One snapshot for a group of reads: BEGIN (deferred) ... COMMIT, so that counts read by
/// several statements agree with each other while another connection commits files (in WAL
/// mode a reader's snapshot starts at its first read). Inside a transaction already open on
/// this connection it does nothing.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database& db_;
  bool active_ = false;
};

}  // namespace joindots::sqlite
