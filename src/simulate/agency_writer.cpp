#include "simulate/agency_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "io/csv_writer.hpp"
#include "simulate/synthetic_ids.hpp"

namespace joindots::simulate {

namespace {

constexpr std::size_t kKeyWidth = 10 + 1 + 24;  // event_date, space, record id padded

void write_all(std::FILE* f, const std::string& s, const std::filesystem::path& path) {
  if (std::fwrite(s.data(), 1, s.size(), f) != s.size())
    throw InternalError(fmt::format("{}: write failed: {}", path.string(), std::strerror(errno)));
}

}  // namespace

char source_prefix(SourceType type) {
  static constexpr char kPrefix[] = {'P', 'C', 'H', 'N', 'V', 'E', 'Y'};
  return kPrefix[static_cast<std::size_t>(type)];
}

AgencyWriters::AgencyWriters(std::filesystem::path dir, std::uint64_t seed) : dir_(std::move(dir)), seed_(seed) {}

AgencyWriters::~AgencyWriters() {
  for (auto& [name, org] : orgs_) {
    if (org.file) {
      std::fclose(org.file);
      std::error_code ec;
      std::filesystem::remove(org.scratch_path, ec);
    }
  }
}

AgencyWriters::Org& AgencyWriters::open(SourceType type, const std::string& org_code) {
  std::string name = fmt::format("{}_{}", to_string(type), org_code);
  auto it = orgs_.find(name);
  if (it != orgs_.end()) return it->second;
  Org org;
  org.final_path = dir_ / (name + ".csv");
  org.scratch_path = dir_ / (name + ".csv.unsorted");
  org.prefix = fmt::format("{}{}", source_prefix(type), org_code);
  org.key = seed_ ^ hash_tag(name);
  org.file = std::fopen(org.scratch_path.c_str(), "wb");
  if (!org.file)
    throw InternalError(fmt::format("{}: cannot create: {}", org.scratch_path.string(), std::strerror(errno)));
  return orgs_.emplace(std::move(name), std::move(org)).first->second;
}

const std::string& AgencyWriters::write(SourceType type, const std::string& org_code, RecordRow& row) {
  Org& org = open(type, org_code);
  row[0] = scrambled_record_id(org.prefix, org.counter++, org.key);
  row[1] = std::string(to_string(type));
  row[2] = org_code;
  // Sort key (fixed width) + tab + CSV line.
  line_.clear();
  line_ += row[5];
  line_ += ' ';
  line_ += row[0];
  line_.resize(std::max(line_.size(), kKeyWidth), ' ');
  line_ += '\t';
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) line_ += ',';
    append_csv_field(line_, row[i]);
  }
  line_ += '\n';
  write_all(org.file, line_, org.scratch_path);
  ++records_;
  return row[0];
}

std::vector<std::filesystem::path> AgencyWriters::finish() {
  std::string header;
  for (std::size_t i = 0; i < kRecordColumns.size(); ++i) {
    if (i) header += ',';
    header += kRecordColumns[i].name;
  }
  header += '\n';
  std::vector<std::filesystem::path> written;
  for (auto& [name, org] : orgs_) {
    if (std::fclose(org.file) != 0)
      throw InternalError(fmt::format("{}: write failed: {}", org.scratch_path.string(), std::strerror(errno)));
    org.file = nullptr;
    // Read the scratch file, sort its lines by key, write the final file via .tmp + rename.
    std::string text;
    {
      std::FILE* in = std::fopen(org.scratch_path.c_str(), "rb");
      if (!in)
        throw InternalError(fmt::format("{}: cannot read back: {}", org.scratch_path.string(), std::strerror(errno)));
      std::fseek(in, 0, SEEK_END);
      const long size = std::ftell(in);
      std::fseek(in, 0, SEEK_SET);
      text.resize(static_cast<std::size_t>(size));
      if (size > 0 && std::fread(text.data(), 1, text.size(), in) != text.size()) {
        std::fclose(in);
        throw InternalError(fmt::format("{}: read failed", org.scratch_path.string()));
      }
      std::fclose(in);
    }
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      lines.emplace_back(text.data() + start, end - start + 1);
      start = end + 1;
    }
    std::sort(lines.begin(), lines.end(), [](std::string_view a, std::string_view b) {
      return a.substr(0, kKeyWidth) < b.substr(0, kKeyWidth);
    });
    const auto tmp = std::filesystem::path(org.final_path.string() + ".tmp");
    std::FILE* out = std::fopen(tmp.c_str(), "wb");
    if (!out) throw InternalError(fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
    std::string buffer = header;
    for (auto line : lines) {
      const auto tab = line.find('\t');
      buffer.append(line.substr(tab + 1));
      if (buffer.size() > (1 << 20)) {
        write_all(out, buffer, tmp);
        buffer.clear();
      }
    }
    write_all(out, buffer, tmp);
    if (std::fclose(out) != 0)
      throw InternalError(fmt::format("{}: write failed: {}", tmp.string(), std::strerror(errno)));
    std::filesystem::rename(tmp, org.final_path);
    std::filesystem::remove(org.scratch_path);
    written.push_back(org.final_path);
  }
  std::sort(written.begin(), written.end());
  return written;
}

}  // namespace joindots::simulate
