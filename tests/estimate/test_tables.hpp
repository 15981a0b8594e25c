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

/// N people with lists that exclude one another: list j records a person with probability
/// p[j] times `factor` to the power of the lists that already recorded them (factor < 1:
/// negative dependence between every pair, fewer people on several lists than independence
/// gives, as when agencies refer people away rather than share them).
inline CaptureTable simulate_exclusive_table(std::int64_t n, const std::vector<double>& p, std::uint64_t seed,
                                             double factor) {
  const int k = static_cast<int>(p.size());
  std::vector<std::int64_t> counts(std::size_t{1} << k, 0);
  Rng rng(seed, "simulate_exclusive_table");
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint32_t c = 0;
    double f = 1.0;
    for (int j = 0; j < k; ++j)
      if (rng.bernoulli(std::min(1.0, p[static_cast<std::size_t>(j)] * f))) {
        c |= 1u << j;
        f *= factor;
      }
    ++counts[c];
  }
  counts[0] = 0;
  std::vector<std::string> lists;
  for (int j = 0; j < k; ++j) lists.push_back(std::string(1, static_cast<char>('A' + j)));
  return CaptureTable::from_counts(lists, counts);
}

/// A sparse table of `lists` lists: `n` people, each on one list (chosen with
/// probabilities proportional to `weight`, the first lists most often) and, with
/// probability `second`, on one more list adjacent to it: most pairs of lists never
/// overlap and most cells are empty (the shape of published 8-list trafficking tables).
inline CaptureTable simulate_sparse_table(std::int64_t n, int lists, std::uint64_t seed, double second = 0.1) {
  std::vector<std::int64_t> counts(std::size_t{1} << lists, 0);
  Rng rng(seed, "simulate_sparse_table");
  std::vector<double> weight(static_cast<std::size_t>(lists));
  double total = 0;
  for (int j = 0; j < lists; ++j) total += (weight[static_cast<std::size_t>(j)] = 1.0 / (1.0 + j));
  for (std::int64_t i = 0; i < n; ++i) {
    double u = rng.uniform() * total;
    int j = 0;
    while (j + 1 < lists && u >= weight[static_cast<std::size_t>(j)]) u -= weight[static_cast<std::size_t>(j++)];
    std::uint32_t c = 1u << j;
    if (rng.bernoulli(second)) c |= 1u << (j + 1 < lists ? j + 1 : j - 1);
    ++counts[c];
  }
  counts[0] = 0;
  std::vector<std::string> names;
  for (int j = 0; j < lists; ++j) names.push_back(std::string(1, static_cast<char>('A' + j)));
  return CaptureTable::from_counts(names, counts);
}

}  // namespace joindots::estimate::testing
