#include "io/csv_writer.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "io/escape.hpp"
#include "io/text_file.hpp"

namespace joindots {

void append_csv_field(std::string& out, std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(f);
    return;
  }
  out.push_back('"');
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

CsvWriter::CsvWriter(const std::filesystem::path& path, std::span<const std::string> header)
    : path_(path), tmp_path_(path.string() + ".tmp"), buffer_(1 << 16) {
  file_ = std::fopen(tmp_path_.c_str(), "wb");
  if (!file_) throw InternalError(fmt::format("{}: cannot create: {}", tmp_path_.string(), std::strerror(errno)));
  std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
  write_row(header);
  rows_ = 0;
}

CsvWriter::CsvWriter(CsvWriter&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_path_(std::move(other.tmp_path_)),
      file_(other.file_),
      buffer_(std::move(other.buffer_)),
      rows_(other.rows_) {
  other.file_ = nullptr;
}

CsvWriter::~CsvWriter() {
  try {
    close();
  } catch (...) {
  }
}

void CsvWriter::write_field(std::string_view cell) {
  // Every CSV joindots writes for people to open is safe against formula injection.
  const std::string safe = escape::csv_cell_needs_prefix(cell) ? escape::csv_cell(cell) : std::string();
  const std::string_view f = safe.empty() ? cell : std::string_view(safe);
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    std::fwrite(f.data(), 1, f.size(), file_);
    return;
  }
  std::string quoted;
  append_csv_field(quoted, f);
  std::fwrite(quoted.data(), 1, quoted.size(), file_);
}

void CsvWriter::write_row(std::span<const std::string> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) std::fputc(',', file_);
    write_field(fields[i]);
  }
  std::fputc('\n', file_);
  ++rows_;
}

void CsvWriter::write_row(std::initializer_list<std::string_view> fields) {
  std::size_t i = 0;
  for (auto f : fields) {
    if (i++) std::fputc(',', file_);
    write_field(f);
  }
  std::fputc('\n', file_);
  ++rows_;
}

void CsvWriter::close() {
  if (!file_) return;
  int error_number = std::ferror(file_) != 0 || std::fflush(file_) != 0 ? (errno ? errno : EIO) : 0;
  if (std::fclose(file_) != 0 && error_number == 0) error_number = errno;
  file_ = nullptr;
  if (error_number != 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp_path_, ignored);  // nothing half-written is left behind
    throw InternalError(fmt::format("{}: cannot write: {}; nothing was written", path_.string(),
                                    write_error_text(error_number)));
  }
  std::filesystem::rename(tmp_path_, path_);
}

}  // namespace joindots
