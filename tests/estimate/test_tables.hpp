#pragma once
// Tables for the estimate tests: the published ones in ../shared/data/mse/, and tables
// simulated with the project's portable Rng.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "estimate/capture_table.hpp"
#include "test_support.hpp"

namespace joindots::estimate::testing {

inline CaptureTable mse_table(const std::string& name) {
  return read_capture_table(joindots::testing::test_data_dir() / "mse" / name);
}

/// A table from counts by pattern (size 2^K; the unseen cell is zeroed) with lists named
/// L1, L2, ...
inline CaptureTable numbered_lists_table(std::vector<std::int64_t> counts) {
  int k = 0;
  while ((std::size_t{1} << k) < counts.size()) ++k;
  counts[0] = 0;
  std::vector<std::string> names;
  for (int j = 0; j < k; ++j) names.push_back("L" + std::to_string(j + 1));
  return CaptureTable::from_counts(names, counts);
}

/// Five-list tables that models of heterogeneity find hard, for "never NaN" tests: a list that
/// saw nobody, a list that saw everyone, one cell holding everyone, nobody on two lists (no
/// overlap: nothing bounds the unseen), tiny counts (one on two lists).
inline std::vector<CaptureTable> odd_five_list_tables() {
  auto table_of = [](std::vector<std::int64_t> counts) {
    return CaptureTable::from_counts({"A", "B", "C", "D", "E"}, std::move(counts));
  };
  std::vector<CaptureTable> tables;
  std::vector<std::int64_t> c(32, 0);
  for (std::uint32_t cell = 1; cell < 32; ++cell) c[cell] = (cell & 16u) ? 0 : 5 + cell;  // E saw nobody
  tables.push_back(table_of(c));
  for (std::uint32_t cell = 1; cell < 32; ++cell) c[cell] = (cell & 1u) ? 40 : 0;  // A saw everyone
  tables.push_back(table_of(c));
  std::fill(c.begin(), c.end(), 0);
  c[3] = 200;  // everyone on A and B only
  tables.push_back(table_of(c));
  std::fill(c.begin(), c.end(), 0);
  c[1] = 30, c[2] = 20, c[4] = 25, c[8] = 10, c[16] = 5;  // nobody on two lists
  tables.push_back(table_of(c));
  std::fill(c.begin(), c.end(), 0);
  c[1] = 1, c[2] = 1, c[4] = 1, c[8] = 1, c[16] = 1, c[6] = 1;  // tiny counts
  tables.push_back(table_of(c));
  return tables;
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

/// An interaction of the logit-normal model (logit_normal.hpp) between two or more lists.
struct Interaction {
  std::uint32_t lists;  // a mask of two or more lists
  double gamma;
};

/// P(c | z) of the logit-normal model with interactions, over the 2^K cells.
inline std::vector<double> given_z(const std::vector<double>& a, double sigma, const std::vector<Interaction>& inter,
                                   double z) {
  const int k = static_cast<int>(a.size());
  std::vector<double> p(std::size_t{1} << k);
  double total = 0;
  for (std::uint32_t c = 0; c < p.size(); ++c) {
    double eta = 0;
    for (int j = 0; j < k; ++j)
      if (c >> j & 1u) eta += a[j] + sigma * z;
    for (const auto& t : inter)
      if ((c & t.lists) == t.lists) eta += t.gamma;
    total += (p[c] = std::exp(eta));
  }
  for (double& v : p) v /= total;
  return p;
}

/// A logit-normal visibility (sd `sigma`, list j with intercept a[j]) with interactions given z:
/// the expected table of N children (rounded counts; the expectation over z by Simpson's rule
/// on 4,001 nodes, not the fit's trapezoid), or one population drawn from the model.
inline CaptureTable logit_normal_table(double n, const std::vector<double>& a, double sigma,
                                       const std::vector<Interaction>& inter = {}, std::uint64_t seed = 0) {
  const int k = static_cast<int>(a.size());
  std::vector<std::int64_t> counts(std::size_t{1} << k, 0);
  if (seed == 0) {
    constexpr int kIntervals = 4000;
    constexpr double kLow = -10, kHigh = 10, kStep = (kHigh - kLow) / kIntervals;
    std::vector<double> mass(counts.size(), 0.0);
    for (int i = 0; i <= kIntervals; ++i) {
      const double z = kLow + i * kStep;
      const double weight = (i == 0 || i == kIntervals ? 1
                             : i % 2                   ? 4
                                                       : 2) *
                            kStep / 3 * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
      const auto p = given_z(a, sigma, inter, z);
      for (std::size_t c = 0; c < p.size(); ++c) mass[c] += weight * p[c];
    }
    for (std::size_t c = 1; c < counts.size(); ++c) counts[c] = std::llround(n * mass[c]);
  } else {
    Rng rng(seed, "logit_normal_test", 0);
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
      const auto p = given_z(a, sigma, inter, rng.normal());
      double u = rng.uniform();
      std::size_t c = 0;
      while (c + 1 < p.size() && u >= p[c]) u -= p[c], ++c;
      ++counts[c];
    }
  }
  return numbered_lists_table(std::move(counts));
}

}  // namespace joindots::estimate::testing
