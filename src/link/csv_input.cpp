#include "link/csv_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/csv_reader.hpp"

namespace joindots::link {

namespace {

/// A column name as compared with the spellings below: lower case, letters and digits only
/// ("First Name", "first_name" and "FIRSTNAME" are all "firstname").
std::string spelling(std::string_view column) {
  std::string out;
  for (unsigned char c : column)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

/// Common spellings of each field in extracts (compared after spelling()).
const std::map<std::string, Field>& synonyms() {
  static const std::map<std::string, Field> s = [] {
    std::map<std::string, Field> m;
    auto add = [&](Field f, std::initializer_list<const char*> names) {
      for (const char* n : names) m.emplace(n, f);
    };
    for (std::size_t i = 0; i < kFieldCount; ++i) m.emplace(spelling(kFieldNames[i]), static_cast<Field>(i));
    add(Field::given_name, {"givenname", "firstname", "first", "fname", "fnamec1", "forename", "forenames", "given",
                            "christianname", "name1", "firstnames"});
    add(Field::family_name, {"surname", "lastname", "last", "lname", "lnamec1", "familyname", "family", "sname"});
    add(Field::dob, {"dob", "dateofbirth", "birthdate", "birthday", "bdate", "datebirth"});
    add(Field::sex, {"gender", "sex"});
    add(Field::postcode, {"zip", "zipcode", "postcode", "postalcode", "postcodefake", "pcode", "plz"});
    add(Field::locality, {"suburb", "city", "town", "locality", "place", "village", "municipality"});
    add(Field::address, {"address", "address1", "street", "streetaddress", "addressline1"});
    add(Field::birth_place, {"birthplace", "placeofbirth", "pob"});
    add(Field::email, {"email", "emailaddress", "mail"});
    add(Field::identifier, {"socsecid", "ssn", "nationalid", "nino", "nin"});
    return m;
  }();
  return s;
}

bool in(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// Maps columns by name when the config maps no field; picks the id column; lists the
/// columns left unused.
CsvMapping auto_mapping(const std::vector<std::string>& header, CsvMapping m, std::vector<std::string>& unused) {
  bool any = false;
  for (const auto& c : m.column) any = any || !c.empty();
  any = any || !m.dob_year_column.empty();
  if (m.id_column.empty())
    for (const auto& col : header)
      if (in(spelling(col), {"recordid", "recid", "uniqueid", "id", "rowid", "record"})) {
        m.id_column = col;
        break;
      }
  if (!any) {
    for (const auto& col : header) {
      const std::string name = spelling(col);
      auto it = synonyms().find(name);
      if (it != synonyms().end() && m.column[static_cast<std::size_t>(it->second)].empty())
        m.column[static_cast<std::size_t>(it->second)] = col;
      else if (name == "othernames" && m.other_names_column.empty()) m.other_names_column = col;
      else if (in(name, {"by", "yob", "birthyear", "dobyear", "yearofbirth"}) && m.dob_year_column.empty())
        m.dob_year_column = col;
      else if (in(name, {"bm", "birthmonth", "dobmonth", "monthofbirth"}) && m.dob_month_column.empty())
        m.dob_month_column = col;
      else if (in(name, {"bd", "birthday", "dobday", "dayofbirth"}) && m.dob_day_column.empty())
        m.dob_day_column = col;
    }
    if (!m.column[static_cast<std::size_t>(Field::dob)].empty())
      m.dob_year_column = m.dob_month_column = m.dob_day_column = "";
  }
  for (const auto& col : header) {
    bool used = col == m.id_column || col == m.truth_column || col == m.other_names_column ||
                col == m.dob_year_column || col == m.dob_month_column || col == m.dob_day_column;
    for (const auto& c : m.column) used = used || c == col;
    if (!used) unused.push_back(col);
  }
  return m;
}

/// Labels of the inputs: file names, or the paths as given when two files share a name
/// (and a counter when the same path is given twice), so outputs name inputs unambiguously.
std::vector<std::string> source_labels(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> labels;
  std::map<std::string, int> names, seen;
  for (const auto& f : files) ++names[f.filename().string()];
  for (const auto& f : files) {
    std::string label = names[f.filename().string()] > 1 ? f.lexically_normal().string() : f.filename().string();
    if (const int n = ++seen[label]; n > 1) label += fmt::format("#{}", n);
    labels.push_back(label);
  }
  return labels;
}

}  // namespace

CsvLinkInput read_link_csv(const std::vector<std::filesystem::path>& files, CsvMapping mapping,
                           const std::string& truth_column, bool quiet) {
  CsvLinkInput out;
  out.source_names = source_labels(files);
  if (!truth_column.empty()) mapping.truth_column = truth_column;
  Progress progress("reading", "records", 0, quiet);
  for (std::size_t file = 0; file < files.size(); ++file) {
    CsvReader in(files[file]);
    const auto& header = in.header();
    std::vector<std::string> unused;
    const CsvMapping m = auto_mapping(header, mapping, unused);
    if (file == 0) out.mapping = m;
    out.unused_columns.push_back(std::move(unused));
    auto col = [&](const std::string& name, std::string_view role) -> std::ptrdiff_t {
      if (name.empty()) return -1;
      auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) {
        std::string cols;
        for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
        // The file is fine; the mapping does not fit it: a configuration error (exit 1).
        throw UsageError(fmt::format("{}:1: header: no column '{}' (mapped to {}); the columns are {}",
                                     files[file].string(), name, role, cols));
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
