// Fuzz target: a capture-history CSV through read_capture_table (estimate/capture_table).
// Contract: a table that keeps its invariants (2 to 15 lists, 2^K cells, the unobserved cell
// 0, counts >= 0 summing to observed() without overflow) or BadInputError naming FILE:LINE:
// field for every problem. Nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate/capture_table.hpp"
#include "fuzz_support.hpp"

using namespace joindots;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = fuzz::scratch_path(".csv");
  fuzz::write_bytes(path, data, size);
  const std::string file = path.string();
  try {
    const auto table = estimate::read_capture_table(path);
    if (table.k() < 2 || table.k() > estimate::kMaxLists)
      fuzz::fail("a table with K outside [2, 15]");
    if (table.counts.size() != table.cells()) fuzz::fail("cells and counts disagree");
    if (table.counts[0] != 0) fuzz::fail("the unobserved cell is not 0");
    std::int64_t sum = 0;
    for (const auto c : table.counts) {
      if (c < 0) fuzz::fail("a negative count");
      if (__builtin_add_overflow(sum, c, &sum)) fuzz::fail("the counts overflow 64 bits");
    }
    if (sum != table.observed() || sum <= 0) fuzz::fail("observed() disagrees with the counts");
    for (int j = 0; j < table.k(); ++j)
      if (table.list_total(j) < 0 || table.list_total(j) > sum)
        fuzz::fail("a list total out of range");
  } catch (const BadInputError& e) {
    fuzz::check_bad_input(e, file);
  } catch (...) {
    fuzz::fail_on_unexpected_exception();
  }
  return 0;
}
