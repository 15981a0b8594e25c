#pragma once
// Tables for the estimate tests: the published ones in ../shared/data/mse/, and tables
// simulated with the project's portable Rng.
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "estimate/capture_table.hpp"
#include "test_support.hpp"

namespace joindots::estimate::testing {

inline CaptureTable mse_table(const std::string& name) {
  return read_capture_table(joindots::testing::test_data_dir() / "mse" / name);
}

/// N people, each on list j independently with probability p[j] (a closed population with
/// independent lists). Optionally a two-class mixture: with probability `share` a person's
/// capture probabilities are multiplied by `boost` (heterogeneity, hence list dependence).
inline CaptureTable simulate_table(std::int64_t n, const std::vector<double>& p, std::uint64_t seed,
                                   double share = 0.0, double boost = 1.0) {
  const int k = static_cast<int>(p.size());
  std::vector<std::int64_t> counts(std::size_t{1} << k, 0);
  Rng rng(seed, "simulate_table");
  for (std::int64_t i = 0; i < n; ++i) {
    const double f = rng.bernoulli(share) ? boost : 1.0;
    std::uint32_t c = 0;
    for (int j = 0; j < k; ++j)
      if (rng.bernoulli(std::min(1.0, p[static_cast<std::size_t>(j)] * f))) c |= 1u << j;
    ++counts[c];
  }
  counts[0] = 0;
  std::vector<std::string> lists;
  for (int j = 0; j < k; ++j) lists.push_back(std::string(1, static_cast<char>('A' + j)));
  return CaptureTable::from_counts(lists, counts);
}

}  // namespace joindots::estimate::testing
