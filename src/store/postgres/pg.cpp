#include "store/postgres/pg.hpp"

#include <fmt/format.h>

#include <charconv>
#include <regex>

#include "core/error.hpp"

namespace joindots::pg {

std::string redacted(std::string_view uri) {
  // user:secret@host in the authority part, and password=secret among the parameters.
  static const std::regex authority(R"(^([a-z]+://[^:/@?]*:)[^@/?]*@)");
  static const std::regex parameter(R"(([?&]password=)[^&]*)");
  std::string out = std::regex_replace(std::string(uri), authority, "$1***@");
  return std::regex_replace(out, parameter, "$1***");
}

Params& Params::real(double v) { return text(fmt::format("{}", v)); }

std::int64_t Result::integer(int row, int col) const {
  const char* p = PQgetvalue(r_, row, col);
  const char* end = p + PQgetlength(r_, row, col);
  std::int64_t v = 0;
  if (std::from_chars(p, end, v).ec != std::errc())
    throw InternalError(fmt::format("not an integer: '{}'", p));
  return v;
}

double Result::real(int row, int col) const {
  const char* p = PQgetvalue(r_, row, col);
  try {
    return std::stod(p);
  } catch (const std::exception&) {
    throw InternalError(fmt::format("not a number: '{}'", p));
  }
}

std::vector<unsigned char> Result::bytes(int row, int col) const {
  const std::string hex = text(row, col);  // bytea_output 'hex': \x0a1b...
  if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x' || hex.size() % 2)
    throw InternalError("a bytea value not in hex form");
  std::vector<unsigned char> out((hex.size() - 2) / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char* p = hex.data() + 2 + 2 * i;
    if (std::from_chars(p, p + 2, out[i], 16).ec != std::errc())
      throw InternalError("a bytea value not in hex form");
  }
  return out;
}

Connection::Connection(const std::string& uri) : location_(redacted(uri)) {
  conn_ = PQconnectdb(uri.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw UsageError(fmt::format("{}: cannot connect to the store: {}", location_, msg));
  }
  // Text results in the forms Result reads, whatever the server's defaults; notices
  // ("table already exists, skipping") are not the user's business.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  exec(
      "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; SET extra_float_digits = 1; SET "
      "TIME ZONE 'UTC'");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

void Connection::fail(std::string_view what) const {
  std::string msg = conn_ ? PQerrorMessage(conn_) : "";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  throw InternalError(fmt::format("{}: {}: {}", location_, what, msg));
}

Result Connection::check(PGresult* r, ExecStatusType want, std::string_view what) {
  Result result(r);
  if (!r || PQresultStatus(r) != want) {
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw InternalError(fmt::format("{}: {}: {}", location_, what, msg));
  }
  return result;
}

void Connection::exec(std::string_view sql) {
  PGresult* r = PQexec(conn_, std::string(sql).c_str());
  // Several statements return the last one's status: COMMAND_OK or TUPLES_OK.
  if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
    PQclear(r);
    return;
  }
  check(r, PGRES_COMMAND_OK, sql.substr(0, 80));
}

Result Connection::query(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "q" + std::to_string(prepared_.size() + 1);
    check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), PGRES_COMMAND_OK,
          fmt::format("preparing '{}'", sql.substr(0, 60)));
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0);
  if (r && PQresultStatus(r) == PGRES_COMMAND_OK) return Result(r);
  return check(r, PGRES_TUPLES_OK, sql.substr(0, 60));
}

void Connection::copy_in(std::string_view copy_sql, std::string_view data) {
  check(PQexec(conn_, std::string(copy_sql).c_str()), PGRES_COPY_IN, copy_sql);
  const bool sent = PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1;
  if (PQputCopyEnd(conn_, sent ? nullptr : "client failed to send the rows") != 1)
    fail("ending COPY");
  // The outcome, then nothing more: the connection is idle again whatever happened.
  PGresult* outcome = PQgetResult(conn_);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  if (!sent) {
    PQclear(outcome);
    fail("sending COPY rows");
  }
  check(outcome, PGRES_COMMAND_OK, copy_sql);
}

Transaction::Transaction(Connection& c, std::string_view begin) : c_(c) {
  if (c_.in_transaction())
    throw InternalError(c_.location() + ": a transaction inside another on one connection");
  c_.exec(begin);
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (...) {
  }
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

ReadSnapshot::ReadSnapshot(Connection& c) : c_(c) {
  if (c_.in_transaction()) return;
  c_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  began_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  if (!began_) return;
  try {
    c_.exec("ROLLBACK");  // nothing was written: ending it either way is the same
  } catch (...) {
  }
}

void CopyRows::separate() {
  if (row_open_) data_ += '\t';
  row_open_ = true;
}

CopyRows& CopyRows::text(std::string_view v) {
  separate();
  for (const char ch : v) {
    switch (ch) {
      case '\\':
        data_ += "\\\\";
        break;
      case '\t':
        data_ += "\\t";
        break;
      case '\n':
        data_ += "\\n";
        break;
      case '\r':
        data_ += "\\r";
        break;
      default:
        data_ += ch;
    }
  }
  return *this;
}

CopyRows& CopyRows::integer(std::int64_t v) {
  separate();
  data_ += std::to_string(v);
  return *this;
}

CopyRows& CopyRows::real(double v) {
  separate();
  fmt::format_to(std::back_inserter(data_), "{}", v);
  return *this;
}

CopyRows& CopyRows::bytes(const std::vector<unsigned char>& v) {
  separate();
  data_ += "\\\\x";  // bytea's hex form, its backslash escaped for COPY
  static constexpr char kHex[] = "0123456789abcdef";
  for (const unsigned char b : v) {
    data_ += kHex[b >> 4];
    data_ += kHex[b & 15];
  }
  return *this;
}

CopyRows& CopyRows::null() {
  separate();
  data_ += "\\N";
  return *this;
}

void CopyRows::end_row() {
  data_ += '\n';
  row_open_ = false;
  ++rows_;
}

void CopyRows::send(Connection& c, std::string_view copy_sql) {
  if (!data_.empty()) c.copy_in(copy_sql, data_);
  data_.clear();
  rows_ = 0;
}

}  // namespace joindots::pg
