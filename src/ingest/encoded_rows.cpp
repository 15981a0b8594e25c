#include "ingest/encoded_rows.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "encode/encode_file.hpp"

namespace joindots {

namespace {

// The plaintext columns an encoded file must not hold: what `encode` replaced.
constexpr std::array<std::string_view, 8> kReplacedColumns = {
    "given_name", "family_name", "other_names", "dob", "postcode", "nhs_number", "upn", "pnc_id"};
constexpr std::array<std::string_view, 6> kAgeBands = {"0-9", "10-12", "13-15", "16-17", "18+", "unknown"};
constexpr std::size_t kTokenChars = 22;  // 16 bytes in base64url without padding

// The width a scheme names ("joindots-clk-2/1024" -> 1024), or 0 when it is not ours.
std::size_t scheme_bits(std::string_view scheme) {
  const auto info = encode::parse_scheme(scheme);
  return info ? info->bits : 0;
}

bool is_fingerprint(std::string_view s) {
  return s.size() == 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Why a token cell is not one or more tokens separated by single spaces, or empty.
std::string token_cell_problem(std::string_view cell) {
  unsigned char bytes[16];
  for (std::size_t start = 0; start < cell.size();) {
    const std::size_t end = std::min(cell.find(encode::kTokenSeparator, start), cell.size());
    if (!encode::from_base64(cell.substr(start, end - start), bytes, sizeof bytes))
      return fmt::format("token {} is not {} characters of URL-safe base64 (a 128-bit keyed token)",
                         start / (kTokenChars + 1) + 1, kTokenChars);
    start = end + 1;
    if (end + 1 == cell.size()) return "ends with a separator";
  }
  return {};
}

std::set<std::string> encoded_columns() {
  std::set<std::string> out{"age_band", std::string(encode::kSchemeColumn), std::string(encode::kFingerprintColumn),
                            std::string(encode::kClkColumn)};
  for (const auto& t : encode::kTokenColumns) out.emplace(t.column);
  return out;
}

}  // namespace

bool is_encoded_header(const std::vector<std::string>& header) {
  return std::find(header.begin(), header.end(), encode::kClkColumn) != header.end();
}

EncodedRowReader::EncodedRowReader(const std::string& file, const std::vector<std::string>& header,
                                   const AreaTable& areas)
    : file_(file) {
  IssueCollector issues;
  for (auto name : kReplacedColumns)
    if (std::find(header.begin(), header.end(), name) != header.end())
      issues.add({file_, 1, "header",
                  fmt::format("plaintext identifier column '{}' in an encoded file (one with a clk column); an "
                              "encoded file carries only clk and tokens in its place (joindots encode)",
                              name)});
  auto position = [&](std::string_view name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<int>(it - header.begin());
    issues.add({file_, 1, "header", fmt::format("required column '{}' of an encoded file is missing", name)});
    return -1;
  };
  age_band_ = position("age_band");
  scheme_ = position(encode::kSchemeColumn);
  fingerprint_ = position(encode::kFingerprintColumn);
  clk_ = position(encode::kClkColumn);
  for (const auto& t : encode::kTokenColumns) tokens_.emplace_back(position(t.column), std::string(t.column));
  if (issues.total() && std::find(header.begin(), header.end(), encode::kClkColumn) != header.end())
    issues.add({file_, 1, "header",
                fmt::format("an encoded file without all of {}'s token columns is likely one an earlier joindots "
                            "encoded: encode the agency's file again with this joindots and the same secret",
                            encode::kSchemeName)});
  issues.throw_if_any();
  // Throws for the plaintext columns' own header problems.
  plain_.emplace(file_, header, areas, std::nullopt, encoded_columns());
}

std::optional<EncodedRowReader::Row> EncodedRowReader::validate(const std::vector<std::string>& fields,
                                                                std::int64_t line, IssueCollector& issues,
                                                                IssueCollector* warnings) {
  const std::size_t before = issues.total();
  auto record = plain_->validate(fields, line, issues, warnings);
  auto problem = [&](std::string field, std::string message) {
    issues.add({file_, line, std::move(field), std::move(message)});
  };
  auto cell = [&](int pos) -> const std::string& { return fields[static_cast<std::size_t>(pos)]; };
  Row row;
  row.encoding.scheme = cell(scheme_);
  row.encoding.key_fingerprint = cell(fingerprint_);
  const std::size_t bits = scheme_bits(row.encoding.scheme);
  const bool other_version =
      row.encoding.scheme.starts_with("joindots-clk-") && !row.encoding.scheme.starts_with(encode::kSchemeName);
  if (!bits && other_version)
    problem("clk_scheme", fmt::format("'{}' is an encoding of another joindots version (this one reads {}): encode "
                                      "the agency's file again with this joindots and the same secret",
                                      row.encoding.scheme, encode::kSchemeName));
  else if (!bits)
    problem("clk_scheme",
            fmt::format(
                "'{}' is not an encoding this joindots reads ({}/<bits>[+salt-sex|+salt-birth-year][+fold][+flip-P], "
                "bits a power of two from 256 to 4096)",
                row.encoding.scheme, encode::kSchemeName));
  else if (first_ && row.encoding.scheme != first_->scheme)
    problem("clk_scheme",
            fmt::format("'{}' differs from the file's first row ('{}')", row.encoding.scheme, first_->scheme));
  if (!is_fingerprint(row.encoding.key_fingerprint))
    problem("key_fingerprint", fmt::format("'{}' is not a key fingerprint (32 lower-case hex digits)",
                                           row.encoding.key_fingerprint));
  else if (first_ && row.encoding.key_fingerprint != first_->key_fingerprint)
    problem("key_fingerprint", fmt::format("{} differs from the file's first row ({}): the file mixes two secrets",
                                           row.encoding.key_fingerprint, first_->key_fingerprint));
  if (bits) {
    row.encoded.clk.resize(bits / 8);
    if (!encode::from_base64(cell(clk_), row.encoded.clk.data(), row.encoded.clk.size()))
      problem("clk", fmt::format("not a {}-bit filter in URL-safe base64 without padding ({} characters; this one "
                                 "has {})", bits, (bits / 8 * 4 + 2) / 3, cell(clk_).size()));
  }
  row.encoded.age_band = cell(age_band_);
  if (std::find(kAgeBands.begin(), kAgeBands.end(), row.encoded.age_band) == kAgeBands.end())
    problem("age_band", fmt::format("'{}' is not an age band (0-9, 10-12, 13-15, 16-17, 18+ or unknown)",
                                    row.encoded.age_band));
  nlohmann::json tokens = nlohmann::json::object();
  for (const auto& [pos, column] : tokens_) {
    if (cell(pos).empty()) continue;
    if (auto why = token_cell_problem(cell(pos)); !why.empty()) problem(column, why);
    else tokens[column] = cell(pos);
  }
  if (!record || issues.total() != before) return std::nullopt;
  if (!first_) first_ = row.encoding;
  for (std::size_t i = 0; i < row.encoded.clk.size(); ++i)
    row.encoded.clk_weight += __builtin_popcount(row.encoded.clk[i]);
  row.encoded.tokens_json = tokens.dump();
  row.record = std::move(*record);
  if (warnings && row.record.role == Role::victim && row.encoded.age_band == "18+")
    warnings->add(
        {file_, line, "age_band",
         fmt::format("victim aged 18 or more on event_date {}: not a child (accepted)", row.record.event_date.str())});
  return row;
}

}  // namespace joindots
