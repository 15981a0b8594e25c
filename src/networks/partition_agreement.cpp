#include "networks/partition_agreement.hpp"

#include <map>
#include <stdexcept>
#include <utility>

namespace joindots::networks {

namespace {
double choose2(double x) { return x * (x - 1) / 2; }
}  // namespace

PartitionAgreement compare_partitions(const std::vector<std::int64_t>& found, const std::vector<std::int64_t>& truth) {
  if (found.size() != truth.size())
    throw std::invalid_argument("compare_partitions: found and truth label different numbers of items");
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> cells;
  std::map<std::int64_t, std::int64_t> rows, cols;
  for (std::size_t i = 0; i < found.size(); ++i) {
    ++cells[{found[i], truth[i]}];
    ++rows[found[i]];
    ++cols[truth[i]];
  }
  PartitionAgreement a;
  a.items = static_cast<std::int64_t>(found.size());
  for (const auto& [_, n] : cells) a.together_both += choose2(static_cast<double>(n));
  for (const auto& [_, n] : rows) a.together_found += choose2(static_cast<double>(n));
  for (const auto& [_, n] : cols) a.together_true += choose2(static_cast<double>(n));
  const double all = choose2(static_cast<double>(a.items));
  const double expected = all > 0 ? a.together_found * a.together_true / all : 0;
  const double denom = (a.together_found + a.together_true) / 2 - expected;
  if (denom == 0) a.ari = rows.size() == cells.size() && cols.size() == cells.size() ? 1.0 : 0.0;
  else a.ari = (a.together_both - expected) / denom;
  a.precision = a.together_found > 0 ? a.together_both / a.together_found : 0;
  a.recall = a.together_true > 0 ? a.together_both / a.together_true : 0;
  a.f1 = a.precision + a.recall > 0 ? 2 * a.precision * a.recall / (a.precision + a.recall) : 0;
  return a;
}

}  // namespace joindots::networks
