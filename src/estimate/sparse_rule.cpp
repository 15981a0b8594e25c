#include "estimate/sparse_rule.hpp"

#include <algorithm>

namespace joindots::estimate {

TableSparsity table_sparsity(const CaptureTable& table) {
  TableSparsity s;
  const std::uint32_t cells = table.cells();
  s.cells = static_cast<int>(cells) - 1;
  for (std::uint32_t c = 1; c < cells; ++c) s.empty_cells += table.counts[c] == 0;
  const int k = table.k();
  for (int i = 0; i < k; ++i)
    for (int j = i + 1; j < k; ++j) {
      const std::uint32_t both = (1u << i) | (1u << j);
      std::int64_t overlap = 0;
      for (std::uint32_t c = 1; c < cells; ++c)
        if ((c & both) == both) overlap += table.counts[c];
      ++s.pairs;
      s.pairs_never_overlapping += overlap == 0;
    }
  return s;
}

bool is_sparse(const CaptureTable& table) {
  return table_sparsity(table).empty_cell_share() >= kSparseEmptyCellShare;
}

double heterogeneity_charge_for(const CaptureTable& table, double configured) {
  const double e = table_sparsity(table).empty_cell_share();
  return std::max(configured, std::clamp(2.0 * e - 0.5, 0.0, 1.0));
}

}  // namespace joindots::estimate
