#include "estimate/covariate_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/csv_reader.hpp"

namespace joindots::estimate {

std::size_t CovariateCaptureTable::strata() const {
  std::size_t s = 1;
  for (const auto& c : covariates) s *= c.levels.size();
  return s;
}

std::size_t CovariateCaptureTable::level_of(std::size_t s, std::size_t c) const {
  for (std::size_t i = 0; i < c; ++i) s /= covariates[i].levels.size();
  return s % covariates[c].levels.size();
}

std::string CovariateCaptureTable::stratum_label(std::size_t s) const {
  if (covariates.empty()) return "all";
  std::string out;
  for (std::size_t c = 0; c < covariates.size(); ++c) {
    if (c > 0) out += ", ";
    out += covariates[c].name + "=" + covariates[c].levels[level_of(s, c)];
  }
  return out;
}

std::int64_t CovariateCaptureTable::observed_in(std::size_t s) const {
  std::int64_t n = 0;
  for (std::uint32_t p = 1; p < patterns(); ++p) n += counts[s * patterns() + p];
  return n;
}

std::int64_t CovariateCaptureTable::observed() const {
  std::int64_t n = 0;
  for (std::size_t s = 0; s < strata(); ++s) n += observed_in(s);
  return n;
}

CaptureTable CovariateCaptureTable::collapsed() const {
  std::vector<std::int64_t> c(patterns(), 0);
  for (std::size_t s = 0; s < strata(); ++s)
    for (std::uint32_t p = 1; p < patterns(); ++p) c[p] += counts[s * patterns() + p];
  return CaptureTable::from_counts(lists, std::move(c));
}

CovariateCaptureTable CovariateCaptureTable::from_table(const CaptureTable& table) {
  CovariateCaptureTable t;
  t.lists = table.lists;
  t.counts = table.counts;
  return t;
}

namespace {

bool has_letter(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char ch) { return std::isalpha(ch) != 0; });
}

// How many trailing columns before `count` have a letter in every value, leaving at least
// two list columns.
int trailing_word_columns(int columns, const std::vector<CsvRow>& rows) {
  int c = 0;
  while (c < columns - 2) {
    const auto col = static_cast<std::size_t>(columns - 1 - c);
    const bool words = !rows.empty() && std::all_of(rows.begin(), rows.end(), [&](const CsvRow& r) {
      return col < r.fields.size() && has_letter(r.fields[col]);
    });
    if (!words) break;
    ++c;
  }
  return c;
}

}  // namespace

std::vector<std::string> detect_covariate_columns(const std::filesystem::path& path) {
  try {
    IssueCollector ignored;
    CsvReader reader(path, &ignored);
    const std::vector<std::string> header = reader.header();
    if (header.size() < 2 || header.back() != "count") return {};
    std::vector<CsvRow> rows;
    CsvRow row;
    while (reader.next(row)) rows.push_back(row);
    const int columns = static_cast<int>(header.size()) - 1;
    const int c = trailing_word_columns(columns, rows);
    return {header.begin() + (columns - c), header.end() - 1};
  } catch (const Error&) {
    return {};
  }
}

namespace {

// A header problem: added to `issues`, which then throws (BadInputError naming file:1).
void fail_header(IssueCollector& issues, const std::string& file, const std::string& message) {
  issues.add({file, 1, "header", message});
  issues.throw_if_any();
}

void check_header(const std::vector<std::string>& header, const std::string& file, IssueCollector& issues) {
  if (header.empty() || header.back() != "count")
    fail_header(issues, file,
                "the last column must be `count` (one 0/1 column per list, then any covariates, then "
                "count)");
  const int columns = static_cast<int>(header.size()) - 1;
  for (int j = 0; j < columns; ++j) {
    if (header[static_cast<std::size_t>(j)].empty())
      fail_header(issues, file, fmt::format("column {} has no name", j + 1));
    for (int i = 0; i < j; ++i)
      if (header[static_cast<std::size_t>(i)] == header[static_cast<std::size_t>(j)])
        fail_header(issues, file,
                    fmt::format("column name `{}` appears twice", header[static_cast<std::size_t>(j)]));
  }
}

// How many columns are covariates: the trailing ones before count, `named` or detected.
int covariate_count(const std::optional<std::vector<std::string>>& named, const std::vector<std::string>& header,
                    const std::vector<CsvRow>& rows, const std::string& file, IssueCollector& issues) {
  const int columns = static_cast<int>(header.size()) - 1;
  if (!named) return trailing_word_columns(columns, rows);
  for (const auto& name : *named) {
    const auto it = std::find(header.begin(), header.end() - 1, name);
    if (it == header.end() - 1)
      throw UsageError(fmt::format("--covariates: `{}` is not a column of {} (columns: {})", name, file,
                                   fmt::join(header.begin(), header.end() - 1, ", ")));
  }
  const int c = static_cast<int>(named->size());
  for (int j = columns - c; j < columns; ++j)
    if (std::find(named->begin(), named->end(), header[static_cast<std::size_t>(j)]) == named->end())
      fail_header(issues, file,
                  fmt::format("covariate columns must come last, just before count; `{}` is among them but "
                              "is not named as a covariate",
                              header[static_cast<std::size_t>(j)]));
  return c;
}

// The covariates' levels in order of first appearance, into t.covariates; their indices.
std::vector<std::map<std::string, std::size_t>> read_levels(const std::vector<CsvRow>& rows, int k, int c,
                                                            CovariateCaptureTable& t) {
  std::vector<std::map<std::string, std::size_t>> level_index(static_cast<std::size_t>(c));
  for (const auto& r : rows)
    for (int j = 0; j < c; ++j) {
      const std::string& v = r.fields[static_cast<std::size_t>(k + j)];
      if (v.empty()) continue;
      auto& idx = level_index[static_cast<std::size_t>(j)];
      if (idx.emplace(v, idx.size()).second) t.covariates[static_cast<std::size_t>(j)].levels.push_back(v);
    }
  for (auto& cov : t.covariates)
    if (cov.levels.empty()) cov.levels.push_back("");  // every value empty: reported below
  return level_index;
}

// The rows' counts into t.counts: each row's pattern of k lists and stratum of c covariates,
// every problem named by file, line and column.
void read_counts(const std::vector<CsvRow>& rows, const std::vector<std::string>& header, int k, int c,
                 const std::vector<std::map<std::string, std::size_t>>& level_index, const std::string& file,
                 IssueCollector& issues, CovariateCaptureTable& t) {
  const std::uint32_t patterns = std::uint32_t{1} << k;
  std::vector<std::int64_t> seen_on_line(t.counts.size(), 0);
  std::int64_t total = 0;  // of the counts read so far, kept below limits::kMaxCaptureTotal
  for (const auto& r : rows) {
    bool ok = true;
    std::uint32_t pattern = 0;
    for (int j = 0; j < k; ++j) {
      const std::string& cell = r.fields[static_cast<std::size_t>(j)];
      if (cell == "1") {
        pattern |= std::uint32_t{1} << j;
      } else if (cell != "0") {
        issues.add({file, r.line, header[static_cast<std::size_t>(j)],
                    fmt::format("must be 0 or 1, got `{}`{}", cell,
                                c == 0 && has_letter(cell) ? " (a covariate? name it with --covariates)" : "")});
        ok = false;
      }
    }
    std::size_t stratum = 0, radix = 1;
    for (int j = 0; j < c; ++j) {
      const std::string& v = r.fields[static_cast<std::size_t>(k + j)];
      if (v.empty()) {
        issues.add({file, r.line, header[static_cast<std::size_t>(k + j)], "covariate value is empty"});
        ok = false;
        continue;
      }
      stratum += radix * level_index[static_cast<std::size_t>(j)].at(v);
      radix *= t.covariates[static_cast<std::size_t>(j)].levels.size();
    }
    std::int64_t count = 0;
    if (!read_count_cell(r.fields.back(), file, r.line, issues, total, count)) ok = false;
    if (!ok) continue;
    if (pattern == 0) {
      issues.add(
          {file, r.line, header[0], "the all-zero pattern (people on no list) cannot be observed; drop the row"});
      continue;
    }
    const std::size_t cell = stratum * patterns + pattern;
    if (seen_on_line[cell] != 0) {
      issues.add({file, r.line, header[0],
                  fmt::format("pattern {}{} already given on line {}", pattern_string(pattern, k),
                              c == 0 ? "" : " (" + t.stratum_label(stratum) + ")", seen_on_line[cell])});
      continue;
    }
    seen_on_line[cell] = r.line;
    t.counts[cell] = count;
  }
}

}  // namespace

CovariateCaptureTable read_covariate_capture_table(const std::filesystem::path& path,
                                                   const std::optional<std::vector<std::string>>& named) {
  const std::string file = path.string();
  IssueCollector issues;
  CsvReader reader(path, &issues);
  const std::vector<std::string> header = reader.header();
  check_header(header, file, issues);
  const int columns = static_cast<int>(header.size()) - 1;

  std::vector<CsvRow> rows;
  CsvRow row;
  while (reader.next(row)) rows.push_back(row);

  // Which columns are covariates: the trailing `c` columns before count.
  const int c = covariate_count(named, header, rows, file, issues);
  const int k = columns - c;
  if (k < 2) fail_header(issues, file, fmt::format("need at least 2 list columns, found {}", k));
  if (k > kMaxLists)
    fail_header(issues, file, fmt::format("at most {} lists are supported, found {}", kMaxLists, k));

  CovariateCaptureTable t;
  t.lists.assign(header.begin(), header.begin() + k);
  for (int j = k; j < columns; ++j) t.covariates.push_back({header[static_cast<std::size_t>(j)], {}});
  const auto level_index = read_levels(rows, k, c, t);

  const std::uint32_t patterns = std::uint32_t{1} << k;
  std::size_t cells = patterns;
  for (const auto& cov : t.covariates)
    if (__builtin_mul_overflow(cells, cov.levels.size(), &cells) || cells > limits::kMaxCaptureCells)
      fail_header(issues, file,
                  fmt::format("{} covariates and {} lists make more than {} cells (a cell per stratum and pattern): "
                              "use fewer covariates, or covariates with fewer levels",
                              c, k, limits::kMaxCaptureCells));
  t.counts.assign(t.strata() * patterns, 0);
  read_counts(rows, header, k, c, level_index, file, issues, t);
  issues.throw_if_any();
  if (t.observed() == 0) {
    issues.add({file, 0, "count", "no one is observed: every count is 0"});
    issues.throw_if_any();
  }
  return t;
}

}  // namespace joindots::estimate
