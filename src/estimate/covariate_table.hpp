#pragma once
// A capture-history table with categorical covariates: K lists and C covariates (for
// example ethnicity, region, sex), the counts cross-classified by capture pattern and by
// covariate level. Each combination of covariate levels (a stratum) has its own unobserved
// cell: the people with those covariate values whom no list recorded.
//
// Cells are indexed by stratum * 2^K + pattern; strata are numbered in mixed radix with
// the first covariate varying fastest, levels in order of first appearance in the file.
// With no covariates there is one stratum and the table is a CaptureTable (`plain()`).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "estimate/capture_table.hpp"

namespace joindots::estimate {

struct Covariate {
  std::string name;
  std::vector<std::string> levels;
};

struct CovariateCaptureTable {
  std::vector<std::string> lists;
  std::vector<Covariate> covariates;
  std::vector<std::int64_t> counts;  // strata() * 2^K; the pattern-0 cell of every stratum is 0

  int k() const { return static_cast<int>(lists.size()); }
  std::uint32_t patterns() const { return std::uint32_t{1} << k(); }
  std::size_t strata() const;
  std::size_t cells() const { return strata() * patterns(); }
  /// The level index of covariate `c` in stratum `s`.
  std::size_t level_of(std::size_t s, std::size_t c) const;
  /// "eth=caucasian" or "Region=GGC, Gender=Male"; "all" with no covariates.
  std::string stratum_label(std::size_t s) const;
  std::int64_t observed() const;
  std::int64_t observed_in(std::size_t s) const;
  /// The table summed over the covariates (what the methods without covariates see).
  CaptureTable collapsed() const;
  /// The same table as a CaptureTable; only when there are no covariates.
  CaptureTable plain() const { return collapsed(); }
  /// A table without covariates, one stratum.
  static CovariateCaptureTable from_table(const CaptureTable& table);
};

/// Reads a capture-history CSV with covariates: the 0/1 list columns, then the covariate
/// columns, then `count`. Every row is one (pattern, covariate levels) cell; a cell not
/// listed has count 0.
///
/// Which columns are covariates: those named in `covariates` when given (they must be the
/// columns just before `count`, in any order given); otherwise the trailing columns before
/// `count` whose every value contains a letter (e.g. `caucasian`, `GGC`), as long as at
/// least two list columns remain. Covariates coded by numbers (age band 1, 2, 3) must be
/// named. A file without covariates reads as by read_capture_table.
///
/// Checks as read_capture_table (0/1 list cells, whole counts >= 0, no all-zero pattern,
/// each cell at most once, someone observed) plus: covariate values are not empty. Throws
/// BadInputError naming FILE:LINE: field for every problem, UsageError for a name in
/// `covariates` that is not a column.
CovariateCaptureTable read_covariate_capture_table(
    const std::filesystem::path& path,
    const std::optional<std::vector<std::string>>& covariates = std::nullopt);

/// The covariate columns read_covariate_capture_table would find on its own (empty when
/// there are none, or the file is unreadable: reading it then reports why).
std::vector<std::string> detect_covariate_columns(const std::filesystem::path& path);

}  // namespace joindots::estimate
