// Fuzz target: a capture-history CSV with covariates through detect_covariate_columns and
// read_covariate_capture_table (estimate/covariate_table), the covariates found by the reader
// itself. Contract: a table whose strata, cells and totals agree (the collapsed table holds
// the same people) or BadInputError naming FILE:LINE: field. Nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate/covariate_table.hpp"
#include "fuzz_support.hpp"

using namespace joindots;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = fuzz::scratch_path(".csv");
  fuzz::write_bytes(path, data, size);
  const std::string file = path.string();
  try {
    const auto detected = estimate::detect_covariate_columns(path);
    const auto table = estimate::read_covariate_capture_table(path);
    if (table.covariates.size() != detected.size())
      fuzz::fail("the reader found other covariates than detect");
    if (table.k() < 2 || table.k() > estimate::kMaxLists)
      fuzz::fail("a table with K outside [2, 15]");
    if (table.counts.size() != table.cells()) fuzz::fail("cells and counts disagree");
    std::int64_t sum = 0;
    for (std::size_t s = 0; s < table.strata(); ++s) {
      if (table.counts[s * table.patterns()] != 0) fuzz::fail("an unobserved cell is not 0");
      // Labels of the first strata only: a table may have a million.
      if (s < 100 && table.stratum_label(s).empty()) fuzz::fail("a stratum without a label");
      const auto in_stratum = table.observed_in(s);
      if (in_stratum < 0 || __builtin_add_overflow(sum, in_stratum, &sum))
        fuzz::fail("stratum totals overflow");
    }
    if (sum != table.observed() || sum <= 0) fuzz::fail("observed() disagrees with the strata");
    if (table.collapsed().observed() != sum) fuzz::fail("the collapsed table holds other people");
  } catch (const BadInputError& e) {
    fuzz::check_bad_input(e, file);
  } catch (...) {
    fuzz::fail_on_unexpected_exception();
  }
  return 0;
}
