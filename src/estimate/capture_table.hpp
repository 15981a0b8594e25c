#pragma once
// A capture-history table: K lists (K <= 15) and, for each of the 2^K - 1 observable
// patterns, how many people were recorded on exactly that combination of lists.
//
// Patterns are bitmasks: bit j (0-based) set means "on list j" (the j-th 0/1 column of the
// CSV). Cell 0, the all-zero pattern, is the people no list recorded: the unknown.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace joindots {
class IssueCollector;
}

namespace joindots::estimate {

inline constexpr int kMaxLists = 15;

struct CaptureTable {
  std::vector<std::string> lists;    // list names, in column order (bit j = lists[j])
  std::vector<std::int64_t> counts;  // size 2^K, indexed by pattern; counts[0] is always 0

  int k() const { return static_cast<int>(lists.size()); }
  std::uint32_t cells() const { return std::uint32_t{1} << k(); }
  /// n, the number of people observed on at least one list.
  std::int64_t observed() const;
  /// How many people list j recorded (whatever else recorded them).
  std::int64_t list_total(int j) const;

  /// Builds a table from counts indexed by pattern (size 2^K). Throws std::invalid_argument
  /// when the sizes disagree, K is outside [2, 15], a count is negative or cell 0 is not 0.
  static CaptureTable from_counts(std::vector<std::string> lists, std::vector<std::int64_t> counts);
};

/// Reads a capture-history CSV: one 0/1 column per list (the header names the lists), then
/// a column `count`. Every row is one pattern; a pattern not listed has count 0.
/// Checks: at least 2 and at most 15 lists; the last column is `count`; cells are 0 or 1;
/// no all-zero pattern; each pattern at most once; counts are whole numbers >= 0; at least
/// one person observed. Throws BadInputError naming FILE:LINE: field for every problem.
CaptureTable read_capture_table(const std::filesystem::path& path);

/// Reads a capture table's `count` cell (a whole number >= 0) into `count` and adds it to `total`,
/// which stays at or below limits::kMaxCaptureTotal; otherwise adds the problem to `issues` under
/// FILE:LINE: count and returns false. Shared by the plain and the covariate readers.
bool read_count_cell(const std::string& text, const std::string& file, std::int64_t line,
                     IssueCollector& issues, std::int64_t& total, std::int64_t& count);

/// Renders a pattern as a 0/1 string in list order, e.g. "1010".
std::string pattern_string(std::uint32_t pattern, int k);

}  // namespace joindots::estimate
