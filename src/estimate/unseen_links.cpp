#include "estimate/unseen_links.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace joindots::estimate {

namespace {

double binomial_coefficient(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
  return c;
}

void check(std::size_t cells, double r) {
  if (!(r > 0 && r <= 1)) throw std::invalid_argument(fmt::format("unseen links: recall {} not in (0, 1]", r));
  if (cells < 2 || !std::has_single_bit(cells))
    throw std::invalid_argument("unseen links: the table's size is not a power of 2");
}

/// P(t | s) for t, s = 0..k, with C(t, r) computed once.
std::vector<std::vector<double>> piece_table(int k, double r) {
  std::vector<std::vector<double>> p(k + 1, std::vector<double>(k + 1, 0.0));
  for (int s = 1; s <= k; ++s)
    for (int t = 1; t <= s; ++t) p[t][s] = piece_probability(t, s, r);
  return p;
}

}  // namespace

double connected_probability(int n, double r) {
  if (n <= 1) return 1.0;
  const double q = 1.0 - r;
  std::vector<double> c(n + 1, 1.0);
  for (int t = 2; t <= n; ++t) {
    double disconnected = 0;
    // The piece holding a given record has k records, the rest none of its links.
    for (int k = 1; k < t; ++k) disconnected += binomial_coefficient(t - 1, k - 1) * c[k] * std::pow(q, k * (t - k));
    c[t] = std::clamp(1.0 - disconnected, 0.0, 1.0);
  }
  return c[n];
}

double piece_probability(int t, int s, double r) {
  if (t < 1 || t > s) return 0.0;
  return connected_probability(t, r) * std::pow(1.0 - r, t * (s - t));
}

std::vector<double> split_expected(const std::vector<double>& true_counts, double r) {
  check(true_counts.size(), r);
  const auto cells = static_cast<std::uint32_t>(true_counts.size());
  const int k = std::bit_width(cells) - 1;
  const auto p = piece_table(k, r);
  std::vector<double> expected(cells, 0.0);
  for (std::uint32_t t = 1; t < cells; ++t) {
    const std::uint32_t rest = (cells - 1) & ~t;
    const int size = std::popcount(t);
    // Every S containing T: T plus each subset of the other lists.
    for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
      const std::uint32_t s = t | sub;
      expected[t] += p[size][std::popcount(s)] * true_counts[s];
      if (sub == 0) break;
    }
  }
  return expected;
}

std::vector<double> unseen_links_inverse(const std::vector<double>& observed, double r, bool clamp) {
  check(observed.size(), r);
  const auto cells = static_cast<std::uint32_t>(observed.size());
  const int k = std::bit_width(cells) - 1;
  const auto p = piece_table(k, r);
  std::vector<std::uint32_t> order;
  for (std::uint32_t t = 1; t < cells; ++t) order.push_back(t);
  std::stable_sort(order.begin(), order.end(),
                   [](std::uint32_t a, std::uint32_t b) { return std::popcount(a) > std::popcount(b); });
  std::vector<double> solved(cells, 0.0);
  for (std::uint32_t t : order) {
    const std::uint32_t rest = (cells - 1) & ~t;
    const int size = std::popcount(t);
    double from_larger = 0;
    for (std::uint32_t sub = rest; sub != 0; sub = (sub - 1) & rest)
      from_larger += p[size][std::popcount(t | sub)] * solved[t | sub];
    solved[t] = (observed[t] - from_larger) / p[size][size];
    if (clamp) solved[t] = std::max(0.0, solved[t]);
  }
  return solved;
}

UnseenLinksCorrection correct_for_unseen_links(const CaptureTable& observed, double recall, std::int64_t sample) {
  UnseenLinksCorrection c;
  c.recall = recall;
  c.sample = sample;
  c.table = observed;
  c.persons_before = c.persons_after = observed.observed();
  if (!(recall >= 0)) {
    c.reason = "the link did not estimate its blocking recall";
  } else if (sample < kMinUnseenLinksSample) {
    c.reason =
        fmt::format("the blocking recall rests on {} sample pairs, fewer than {}", sample, kMinUnseenLinksSample);
  } else if (recall >= 1) {
    c.reason = "the estimated blocking recall is 1";
  }
  if (!c.reason.empty()) return c;
  const double r = std::max(recall, 1.0 / static_cast<double>(sample));
  std::vector<double> counts(observed.counts.begin(), observed.counts.end());
  const auto solved = unseen_links_inverse(counts, r, true);
  std::vector<std::int64_t> rounded(solved.size(), 0);
  for (std::size_t i = 1; i < solved.size(); ++i) rounded[i] = std::llround(solved[i]);
  c.table = CaptureTable::from_counts(observed.lists, std::move(rounded));
  c.persons_after = c.table.observed();
  c.applied = true;
  return c;
}

double draw_recall(double recall, std::int64_t sample, Rng& rng) {
  if (sample <= 0 || !(recall >= 0)) return recall;
  const double n = static_cast<double>(sample);
  const auto covered = rng.binomial(sample, std::clamp(recall, 0.0, 1.0));
  return std::max(static_cast<double>(covered), 1.0) / n;
}

}  // namespace joindots::estimate
