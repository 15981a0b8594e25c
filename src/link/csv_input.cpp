#include "link/csv_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/csv_reader.hpp"

namespace joindots::link {

namespace {

const std::map<std::string, Field>& synonyms() {
  static const std::map<std::string, Field> s = {
      {"first_name", Field::given_name}, {"firstname", Field::given_name}, {"forename", Field::given_name},
      {"given", Field::given_name},      {"surname", Field::family_name},  {"last_name", Field::family_name},
      {"lastname", Field::family_name},  {"date_of_birth", Field::dob},    {"birth_date", Field::dob},
      {"suburb", Field::locality},       {"city", Field::locality},        {"town", Field::locality},
      {"gender", Field::sex},            {"zip", Field::postcode},         {"postal_code", Field::postcode},
  };
  return s;
}

CsvMapping auto_mapping(const std::vector<std::string>& header, CsvMapping m) {
  bool any = false;
  for (const auto& c : m.column) any = any || !c.empty();
  any = any || !m.dob_year_column.empty();
  if (!any) {
    for (const auto& col : header) {
      std::string lower = col;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      std::optional<Field> f;
      for (std::size_t i = 0; i < kFieldCount; ++i)
        if (kFieldNames[i] == lower) f = static_cast<Field>(i);
      if (!f) {
        auto it = synonyms().find(lower);
        if (it != synonyms().end()) f = it->second;
      }
      if (f && m.column[static_cast<std::size_t>(*f)].empty()) m.column[static_cast<std::size_t>(*f)] = col;
      if (lower == "other_names" && m.other_names_column.empty()) m.other_names_column = col;
    }
  }
  if (m.id_column.empty())
    for (const char* name : {"record_id", "rec_id", "unique_id", "id"})
      if (std::find(header.begin(), header.end(), name) != header.end()) {
        m.id_column = name;
        break;
      }
  return m;
}

}  // namespace

CsvLinkInput read_link_csv(const std::vector<std::filesystem::path>& files, CsvMapping mapping,
                           const std::string& truth_column, bool quiet) {
  CsvLinkInput out;
  if (!truth_column.empty()) mapping.truth_column = truth_column;
  Progress progress("reading", "records", 0, quiet);
  for (std::size_t file = 0; file < files.size(); ++file) {
    CsvReader in(files[file]);
    const auto& header = in.header();
    const CsvMapping m = auto_mapping(header, mapping);
    if (file == 0) out.mapping = m;
    auto col = [&](const std::string& name, std::string_view role) -> std::ptrdiff_t {
      if (name.empty()) return -1;
      auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) {
        std::string cols;
        for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
        throw BadInputError(InputIssue{files[file].string(), 1, "header",
                                       fmt::format("no column '{}' (mapped to {}); the columns are {}", name, role, cols)});
      }
      return it - header.begin();
    };
    std::array<std::ptrdiff_t, kFieldCount> field_col;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      field_col[i] = col(m.column[i], kFieldNames[i]);
      if (field_col[i] >= 0) out.available.set(i);
    }
    const auto id_col = col(m.id_column, "id");
    const auto truth_col = col(m.truth_column, "truth");
    const auto other_col = col(m.other_names_column, "other_names");
    const auto y_col = col(m.dob_year_column, "dob_year"), mo_col = col(m.dob_month_column, "dob_month"),
               d_col = col(m.dob_day_column, "dob_day");
    if (y_col >= 0) out.available.set(static_cast<std::size_t>(Field::dob));
    out.source_names.push_back(files[file].filename().string());
    CsvRow row;
    std::int64_t n = 0;
    auto get = [&](std::ptrdiff_t c) -> std::string { return c >= 0 ? row.fields[static_cast<std::size_t>(c)] : ""; };
    while (in.next(row)) {
      RawRecord raw;
      raw.source = static_cast<std::uint32_t>(file);
      raw.id = id_col >= 0 ? get(id_col) : std::to_string(n + 1);
      for (std::size_t i = 0; i < kFieldCount; ++i) raw.value[i] = get(field_col[i]);
      raw.other_names = get(other_col);
      raw.dob_year = get(y_col);
      raw.dob_month = get(mo_col);
      raw.dob_day = get(d_col);
      out.records.push_back(normalise_record(raw));
      if (truth_col >= 0) out.truth.push_back(get(truth_col));
      ++n;
      progress.advance();
    }
  }
  progress.finish();
  return out;
}

}  // namespace joindots::link
