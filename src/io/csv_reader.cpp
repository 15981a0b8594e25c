#include "io/csv_reader.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/limits.hpp"

namespace joindots {

bool valid_utf8(const std::string& s, std::size_t* bad_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        if (bad_offset) *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

/// The read buffer: 1 MiB, or the size of a smaller regular file. Zero-filling 1 MiB was most
/// of the time of reading a 100-byte capture table (1 MiB of page faults per file).
std::size_t read_buffer_size(std::FILE* file) {
  constexpr std::size_t kMaxBuffer = 1 << 20;
  struct stat st {};
  if (::fstat(::fileno(file), &st) == 0 && S_ISREG(st.st_mode))
    return std::clamp<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, 4096, kMaxBuffer);
  return kMaxBuffer;
}

}  // namespace

CsvReader::CsvReader(const std::filesystem::path& path, IssueCollector* issues)
    : path_(path.string()), issues_(issues), file_(std::fopen(path.c_str(), "rb"), std::fclose) {
  if (!file_) throw BadInputError(InputIssue{path_, 0, "", fmt::format("cannot open file: {}", std::strerror(errno))});
  buffer_.resize(read_buffer_size(file_.get()));
  if (std::filesystem::is_directory(path))
    throw BadInputError(InputIssue{path_, 0, "", "is a directory, not a CSV file"});
  // Skip a UTF-8 byte order mark.
  if (peek() == 0xEF) {
    get();
    if (get() != 0xBB || get() != 0xBF)
      throw BadInputError(InputIssue{path_, 1, "", "invalid UTF-8 at the start of the file"});
  }
  CsvRow row;
  IssueCollector* saved = issues_;
  issues_ = nullptr;  // a bad header is never recoverable
  if (read_row(row) == Status::End) {
    issues_ = saved;
    throw BadInputError(InputIssue{path_, 1, "header", "file is empty: a header row is required"});
  }
  issues_ = saved;
  if (oversized_field_)
    throw BadInputError(
        InputIssue{path_, 1, "header",
                   fmt::format("column {} is longer than {} bytes", oversized_field_, limits::kMaxCsvFieldBytes)});
  header_ = std::move(row.fields);
  for (auto& h : header_) {
    // Tolerate surrounding spaces in column names, nothing else.
    const auto b = h.find_first_not_of(' ');
    const auto e = h.find_last_not_of(' ');
    h = b == std::string::npos ? std::string() : h.substr(b, e - b + 1);
  }
}

CsvReader::~CsvReader() = default;

int CsvReader::peek() {
  if (pos_ == end_) {
    end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
    pos_ = 0;
    if (end_ == 0) {
      if (std::ferror(file_.get())) throw InternalError(fmt::format("{}: read error", path_));
      return EOF;
    }
  }
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::get() {
  const int c = peek();
  if (c != EOF) {
    ++pos_;
    ++bytes_consumed_;
  }
  return c;
}

void CsvReader::report(std::int64_t line, std::string field, std::string message) {
  InputIssue issue{path_, line, std::move(field), std::move(message)};
  if (!issues_) throw BadInputError(std::move(issue));
  issues_->add(std::move(issue));
}

CsvReader::Status CsvReader::read_row(CsvRow& row) {
  for (;;) {
    row.fields.clear();
    row.line = line_;
    oversized_field_ = 0;
    int c = peek();
    if (c == EOF) return Status::End;
    // Skip blank lines.
    if (c == '\n') {
      get();
      ++line_;
      continue;
    }
    if (c == '\r') {
      get();
      if (peek() == '\n') {
        get();
        ++line_;
        continue;
      }
      // A lone CR starts a field's content; fall through with it consumed.
      row.fields.emplace_back("\r");
    } else {
      row.fields.emplace_back();
    }
    // Parse fields until the end of the record.
    bool in_quotes = false;
    bool field_was_quoted = false;
    bool after_closing_quote = false;
    std::string* field = &row.fields.back();
    for (;;) {
      c = get();
      if (c == EOF) {
        if (in_quotes)
          throw BadInputError(InputIssue{path_, row.line, "",
                                         "a quoted field is never closed (opening quote on this line)"});
        break;
      }
      if (in_quotes) {
        if (c == '"') {
          if (peek() == '"') {
            get();
            field->push_back('"');
          } else {
            in_quotes = false;
            after_closing_quote = true;
          }
        } else {
          if (c == '\n') ++line_;
          append(*field, row, c);
        }
        continue;
      }
      if (c == ',') {
        row.fields.emplace_back();
        field = &row.fields.back();
        field_was_quoted = after_closing_quote = false;
        continue;
      }
      if (c == '\n') {
        ++line_;
        break;
      }
      if (c == '\r' && peek() == '\n') {
        get();
        ++line_;
        break;
      }
      if (after_closing_quote)
        throw BadInputError(InputIssue{path_, line_, "",
                                       fmt::format("unexpected character '{}' after a closing quote in field {}",
                                                   static_cast<char>(c), row.fields.size())});
      if (c == '"') {
        if (!field->empty() || field_was_quoted)
          throw BadInputError(InputIssue{path_, line_, "",
                                         fmt::format("a quote inside unquoted field {} (quote the field and double "
                                                     "the quote)",
                                                     row.fields.size())});
        in_quotes = field_was_quoted = true;
        continue;
      }
      append(*field, row, c);
    }
    return Status::Row;
  }
}

void CsvReader::append(std::string& field, const CsvRow& row, int c) {
  // Past the cap the rest of the field is read but not kept: one huge field cannot exhaust
  // memory, and the row is reported by next().
  if (field.size() < limits::kMaxCsvFieldBytes) field.push_back(static_cast<char>(c));
  else if (!oversized_field_) oversized_field_ = row.fields.size();
}

bool CsvReader::next(CsvRow& row) {
  for (;;) {
    if (read_row(row) == Status::End) return false;
    if (oversized_field_) {
      const std::size_t i = oversized_field_ - 1;
      report(row.line, i < header_.size() ? header_[i] : "",
             fmt::format("field {} is longer than {} bytes", oversized_field_, limits::kMaxCsvFieldBytes));
      continue;
    }
    if (row.fields.size() != header_.size()) {
      report(row.line, "",
             fmt::format("expected {} fields as in the header, found {}", header_.size(), row.fields.size()));
      continue;
    }
    bool ok = true;
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      std::size_t offset = 0;
      if (!valid_utf8(row.fields[i], &offset)) {
        report(row.line, header_[i], fmt::format("invalid UTF-8 at byte {} of the field", offset + 1));
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
}

}  // namespace joindots
