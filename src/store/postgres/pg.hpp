#pragma once
// Thin RAII wrappers over libpq: a connection whose queries are prepared once and run with
// parameters (never spliced into the SQL), a result, a transaction and COPY ... FROM STDIN.
// Errors become InternalError naming the store (its URI with any password hidden) and the
// server's message; a store that cannot be reached is a UsageError.
#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace joindots::pg {

/// `uri` with the password (user:PASSWORD@ or password=...) replaced by "***", for messages.
std::string redacted(std::string_view uri);

/// Query parameters in PostgreSQL's text form; nullopt is NULL.
class Params {
 public:
  Params& text(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  /// An empty text is NULL (as the SQLite store binds it: "not recorded").
  Params& text_or_null(std::string_view v) { return v.empty() ? null() : text(v); }
  Params& integer(std::int64_t v) { return text(std::to_string(v)); }
  Params& integer(std::optional<std::int64_t> v) { return v ? integer(*v) : null(); }
  Params& real(double v);
  Params& null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const { return PQntuples(r_); }
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  /// The value as text; "" for NULL.
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col),
                       static_cast<std::size_t>(PQgetlength(r_, row, col)));
  }
  std::int64_t integer(int row, int col) const;
  std::optional<std::int64_t> integer_or_null(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional<std::int64_t>(integer(row, col));
  }
  double real(int row, int col) const;
  /// A bytea column (hex output) as bytes.
  std::vector<unsigned char> bytes(int row, int col) const;

 private:
  PGresult* r_;
};

class Connection {
 public:
  /// Connects to `uri` (postgresql://...); a failure is a UsageError naming the store.
  explicit Connection(const std::string& uri);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs SQL without parameters (may hold several statements): schema changes, BEGIN.
  void exec(std::string_view sql);
  /// Runs one statement with parameters ($1, $2, ...), prepared on its first use on this
  /// connection.
  Result query(const std::string& sql, const Params& params = {});
  /// COPY table (columns) FROM STDIN with `data` in COPY's text format (copy_row builds it).
  void copy_in(std::string_view copy_sql, std::string_view data);
  /// The store's URI with any password hidden.
  const std::string& location() const { return location_; }
  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  [[noreturn]] void fail(std::string_view what) const;

 private:
  Result check(PGresult* r, ExecStatusType want, std::string_view what);
  PGconn* conn_ = nullptr;
  std::string location_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

/// BEGIN (or the given start) ... COMMIT; rolls back in the destructor unless committed.
/// Refuses to start inside another (a nested BEGIN would make the inner COMMIT end both).
class Transaction {
 public:
  explicit Transaction(Connection& c, std::string_view begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

/// Several reads on one snapshot (REPEATABLE READ, READ ONLY), so counts taken one after
/// another agree with each other while other connections write. Inside a transaction
/// already open on this connection, the reads simply join it.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& c);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Connection& c_;
  bool began_ = false;
};

/// Builds COPY's text format: fields separated by tabs, rows by newlines, \N for NULL.
class CopyRows {
 public:
  CopyRows& text(std::string_view v);
  CopyRows& text_or_null(std::string_view v) { return v.empty() ? null() : text(v); }
  CopyRows& integer(std::int64_t v);
  CopyRows& integer(std::optional<std::int64_t> v) { return v ? integer(*v) : null(); }
  CopyRows& real(double v);
  CopyRows& bytes(const std::vector<unsigned char>& v);
  CopyRows& null();
  void end_row();
  bool empty() const { return data_.empty(); }
  std::size_t size() const { return data_.size(); }
  std::int64_t rows() const { return rows_; }
  /// Sends the rows (if any) and starts afresh.
  void send(Connection& c, std::string_view copy_sql);

 private:
  void separate();
  std::string data_;
  bool row_open_ = false;
  std::int64_t rows_ = 0;
};

}  // namespace joindots::pg
