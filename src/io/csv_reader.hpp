#pragma once
// A streaming RFC 4180 CSV reader: quoted fields with embedded separators, quotes ("")
// and newlines; CRLF or LF line ends; a UTF-8 byte order mark is skipped; every field must
// be valid UTF-8. Each row carries the physical line on which it starts, so that errors can
// name FILE:LINE. Memory use is one read buffer plus the current row.
//
// Written here rather than taken from a library because the row/line bookkeeping and the
// error policy (report, skip the row, go on) are the point, and the core is ~150 lines.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace joindots {

struct CsvRow {
  std::vector<std::string> fields;
  std::int64_t line = 0;  // physical line (1-based) where the row starts
};

class CsvReader {
 public:
  /// Opens `path` and reads the header row. When `issues` is given, a row with a recoverable
  /// problem (wrong number of fields, invalid UTF-8) is reported there and skipped; without
  /// it, the problem is thrown as BadInputError. Problems that leave the rest of the file
  /// unreadable (a quote never closed, a stray quote) always throw.
  explicit CsvReader(const std::filesystem::path& path, IssueCollector* issues = nullptr);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::vector<std::string>& header() const { return header_; }
  /// Reads the next data row into `row`; false at the end of the file. Blank lines are skipped.
  bool next(CsvRow& row);
  const std::string& path() const { return path_; }
  /// Bytes consumed so far (for progress).
  std::int64_t bytes_read() const { return bytes_consumed_; }

 private:
  enum class Status { Row, End };
  Status read_row(CsvRow& row);
  int get();
  int peek();
  void append(std::string& field, const CsvRow& row, int c);
  void report(std::int64_t line, std::string field, std::string message);

  std::string path_;
  IssueCollector* issues_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::int64_t line_ = 1, bytes_consumed_ = 0;
  std::vector<std::string> header_;
  std::size_t oversized_field_ = 0;  // 1-based field of the current row past the cap, or 0
};

/// Checks that `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF). On failure sets `bad_offset` to the byte offset of the first bad sequence.
bool valid_utf8(const std::string& s, std::size_t* bad_offset = nullptr);

}  // namespace joindots
