#include "encode/encode_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <set>

#include "core/error.hpp"
#include "records/validate.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/text_file.hpp"

namespace joindots::encode {

namespace {

// An encoded file being written under a temporary name in the output folder; removed
// unless kept.
class PendingOutput {
 public:
  PendingOutput(std::filesystem::path final_path)
      : final_(std::move(final_path)), tmp_(final_.parent_path() / ("." + final_.filename().string() + ".encoding")) {
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_) throw InternalError(fmt::format("{}: cannot be written: {}", tmp_.string(), write_error_text(errno)));
  }
  PendingOutput(const PendingOutput&) = delete;
  PendingOutput& operator=(const PendingOutput&) = delete;
  ~PendingOutput() {
    if (file_) std::fclose(file_);
    if (!kept_) {
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  void write_row(const std::vector<std::string>& fields) {
    line_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) line_ += ',';
      append_csv_field(line_, fields[i]);  // as it is: ids are data, not spreadsheet cells
    }
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) fail();
  }
  void close() {
    const bool ok = std::fflush(file_) == 0 && std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) fail();
  }
  void keep() {
    std::error_code ec;
    std::filesystem::rename(tmp_, final_, ec);
    if (ec) throw InternalError(fmt::format("{}: cannot be written: {}", final_.string(), ec.message()));
    kept_ = true;
  }
  const std::filesystem::path& path() const { return final_; }

 private:
  [[noreturn]] void fail() { throw InternalError(fmt::format("{}: {}", tmp_.string(), write_error_text(errno))); }

  std::filesystem::path final_, tmp_;
  std::FILE* file_ = nullptr;
  std::string line_;
  bool kept_ = false;
};

std::string optional_text(const std::optional<Date>& d) { return d ? d->str() : std::string(); }

void check_outputs(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out_dir) {
  std::set<std::string> names;
  for (const auto& in : inputs) {
    if (!names.insert(in.filename().string()).second)
      throw UsageError(fmt::format("two inputs are named {}; the encoded files would have the same name in {}",
                                   in.filename().string(), out_dir.string()));
    std::error_code ec;
    if (std::filesystem::equivalent(in, out_dir / in.filename(), ec))
      throw UsageError(
          fmt::format("{}: --out {} would replace the plaintext file by its encoding; choose another folder",
                      in.string(), out_dir.string()));
  }
}

EncodedFile encode_one(const RecordEncoder& encoder, const AreaTable& areas, const std::filesystem::path& input,
                       PendingOutput& out, Progress* progress) {
  EncodedFile result{input, out.path()};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(input, ec))
    throw BadInputError(
        InputIssue{input.string(), 0, "", std::filesystem::exists(input, ec) ? "not a regular file" : "no such file"});
  IssueCollector issues, warnings;
  CsvReader reader(input, &issues);
  RecordValidator validator(input.string(), reader.header(), areas);
  std::vector<std::string> attrs;
  for (const auto& column : reader.header())
    if (column.rfind("attr_", 0) == 0) attrs.push_back(column);
  out.write_row(encoded_header(attrs));

  CsvRow row;
  std::vector<std::string> fields;
  std::int64_t last_bytes = 0;
  while (reader.next(row)) {
    ++result.rows;
    auto record = validator.validate(row.fields, row.line, issues, &warnings);
    if (progress && (result.rows & 1023) == 0) {
      progress->advance_secondary(1024);
      progress->advance(reader.bytes_read() - last_bytes);
      last_bytes = reader.bytes_read();
    }
    if (!record || !issues.empty()) continue;  // after the first problem only validate
    const EncodedRecord e = encoder.encode(*record);
    const Record& r = *record;
    fields = {r.record_id, std::string(to_string(r.source_type)), r.source_org, std::string(to_string(r.role)),
              std::string(to_string(r.record_type)), r.event_date.str(), optional_text(r.last_date), r.case_ref,
              r.offence_count ? std::to_string(*r.offence_count) : std::string(), r.lad_cd,
              std::string(to_string(r.sex)), encoded_age_band(r)};
    for (const auto& name : attrs) {
      std::string value;
      for (const auto& [k, v] : r.attrs)
        if ("attr_" + k == name) value = v;
      fields.push_back(std::move(value));
    }
    fields.push_back(encoder.scheme());
    fields.push_back(encoder.fingerprint());
    fields.push_back(to_base64(reinterpret_cast<const unsigned char*>(e.clk.data()), e.clk.size() * 8));
    for (const auto& t : e.tokens) fields.push_back(t);
    out.write_row(fields);
  }
  if (progress) {
    progress->advance_secondary(result.rows & 1023);
    progress->advance(reader.bytes_read() - last_bytes);
  }
  issues.throw_if_any();
  result.warnings = static_cast<std::int64_t>(warnings.total());
  out.close();
  return result;
}

}  // namespace

std::vector<std::string> encoded_header(const std::vector<std::string>& attr_columns) {
  std::vector<std::string> h(kPlainColumns.begin(), kPlainColumns.end());
  h.insert(h.end(), attr_columns.begin(), attr_columns.end());
  for (auto c : {kSchemeColumn, kFingerprintColumn, kClkColumn}) h.emplace_back(c);
  for (const auto& t : kTokenColumns) h.emplace_back(t.column);
  return h;
}

std::vector<EncodedFile> encode_files(const RecordEncoder& encoder, const AreaTable& areas,
                                      const std::vector<std::filesystem::path>& inputs,
                                      const std::filesystem::path& out_dir, Progress* progress) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (!std::filesystem::is_directory(out_dir, ec))
    throw UsageError(fmt::format("--out {}: not a folder and cannot be made one", out_dir.string()));
  check_outputs(inputs, out_dir);
  std::vector<std::unique_ptr<PendingOutput>> pending;
  std::vector<EncodedFile> results;
  for (const auto& input : inputs) {
    pending.push_back(std::make_unique<PendingOutput>(out_dir / input.filename()));
    results.push_back(encode_one(encoder, areas, input, *pending.back(), progress));
  }
  for (auto& p : pending) p->keep();  // only now that every input was valid
  return results;
}

}  // namespace joindots::encode
