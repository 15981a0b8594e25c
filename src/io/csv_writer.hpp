#pragma once
// Buffered CSV writer: quotes a field only when it holds a comma, quote, CR or LF, doubles
// quotes inside, ends lines with LF; a text cell that a spreadsheet would take for a formula
// gets a leading ' (escape::csv_cell). Writes to `path.tmp` and renames on close(), so a
// reader never sees half a file.
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace joindots {

class CsvWriter {
 public:
  CsvWriter(const std::filesystem::path& path, std::span<const std::string> header);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  CsvWriter(CsvWriter&&) noexcept;

  void write_row(std::span<const std::string> fields);
  void write_row(std::initializer_list<std::string_view> fields);
  /// Flushes and moves the finished file into place. Called by the destructor if needed,
  /// but call it to see errors.
  void close();
  std::int64_t rows() const { return rows_; }

 private:
  void write_field(std::string_view f);
  std::filesystem::path path_, tmp_path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  std::int64_t rows_ = 0;
};

/// Appends one CSV-quoted field to `out`, as it is (no formula neutralising: for the
/// simulator's agency files, which are input data).
void append_csv_field(std::string& out, std::string_view field);

}  // namespace joindots
