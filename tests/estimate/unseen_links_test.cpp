#include "estimate/unseen_links.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <numeric>

#include "core/rng.hpp"
#include "estimate/chapman.hpp"

namespace joindots::estimate {
namespace {

TEST(UnseenLinks, ConnectedProbabilityAgainstCountsOfConnectedGraphs) {
  const double r = 0.7, q = 0.3;
  EXPECT_DOUBLE_EQ(connected_probability(1, r), 1.0);
  EXPECT_NEAR(connected_probability(2, r), r, 1e-12);
  EXPECT_NEAR(connected_probability(3, r), 3 * r * r - 2 * r * r * r, 1e-12);
  // Connected labelled graphs on 4 vertices by edges: 16 with 3, 15 with 4, 6 with 5, 1 with 6.
  const double c4 =
      16 * std::pow(r, 3) * std::pow(q, 3) + 15 * std::pow(r, 4) * q * q + 6 * std::pow(r, 5) * q + std::pow(r, 6);
  EXPECT_NEAR(connected_probability(4, r), c4, 1e-12);
  EXPECT_NEAR(connected_probability(5, 1.0), 1.0, 1e-12);
}

TEST(UnseenLinksIdentity, EveryRecordLandsInExactlyOnePiece) {
  for (double r : {0.2, 0.6, 0.95})
    for (int s = 1; s <= 8; ++s) {
      double records = 0;
      for (int t = 1; t <= s; ++t) {
        double choose = 1;
        for (int i = 1; i <= t; ++i) choose = choose * (s - t + i) / i;
        records += choose * t * piece_probability(t, s, r);
      }
      EXPECT_NEAR(records, s, 1e-9) << "s = " << s << ", r = " << r;
    }
}

/// A four-list table with a pattern of every size.
std::vector<double> true_table() {
  std::vector<double> t(16, 0.0);
  for (std::uint32_t p = 1; p < 16; ++p) t[p] = 40.0 + 13.0 * p - 6.0 * std::popcount(p);
  return t;
}

TEST(UnseenLinks, TheInverseOfTheExpectedSplitIsTheTrueTable) {
  const auto truth = true_table();
  for (double r : {0.5, 0.8, 0.97}) {
    const auto observed = split_expected(truth, r);
    // Records are kept: every record is in one observed person.
    double true_records = 0, observed_records = 0;
    for (std::uint32_t p = 1; p < 16; ++p) {
      true_records += std::popcount(p) * truth[p];
      observed_records += std::popcount(p) * observed[p];
    }
    EXPECT_NEAR(observed_records, true_records, 1e-9);
    const auto back = unseen_links_inverse(observed, r, false);
    for (std::uint32_t p = 1; p < 16; ++p) EXPECT_NEAR(back[p], truth[p], 1e-9) << "pattern " << p << ", r " << r;
  }
}

TEST(UnseenLinks, RecallOneLeavesTheTableUnchanged) {
  const auto truth = true_table();
  const auto same = split_expected(truth, 1.0);
  const auto back = unseen_links_inverse(truth, 1.0);
  for (std::uint32_t p = 1; p < 16; ++p) {
    EXPECT_DOUBLE_EQ(same[p], truth[p]);
    EXPECT_DOUBLE_EQ(back[p], truth[p]);
  }
  const auto table = CaptureTable::from_counts({"A", "B", "C"}, {0, 50, 40, 10, 30, 8, 6, 3});
  const auto c = correct_for_unseen_links(table, 1.0, 500);
  EXPECT_FALSE(c.applied);
  EXPECT_EQ(c.table.counts, table.counts);
  EXPECT_EQ(c.persons_merged(), 0);
}

TEST(UnseenLinks, SmallOrMissingSamplesGiveNoCorrection) {
  const auto table = CaptureTable::from_counts({"A", "B", "C"}, {0, 50, 40, 10, 30, 8, 6, 3});
  const auto small = correct_for_unseen_links(table, 0.8, kMinUnseenLinksSample - 1);
  EXPECT_FALSE(small.applied);
  EXPECT_NE(small.reason.find("fewer than 100"), std::string::npos) << small.reason;
  EXPECT_EQ(small.table.counts, table.counts);
  const auto none = correct_for_unseen_links(table, -1, 0);
  EXPECT_FALSE(none.applied);
  EXPECT_EQ(none.table.counts, table.counts);
  const auto enough = correct_for_unseen_links(table, 0.8, kMinUnseenLinksSample);
  EXPECT_TRUE(enough.applied);
  EXPECT_TRUE(enough.reason.empty());
  EXPECT_GT(enough.persons_merged(), 0);
}

TEST(UnseenLinks, NegativeCellsAreClampedBeforeTheSmallerPatterns) {
  // Too few one-list persons for the pieces the three-list persons would leave.
  const std::vector<double> observed = {0, 1, 1, 50, 1, 40, 40, 100};
  const auto exact = unseen_links_inverse(observed, 0.6, false);
  const auto clamped = unseen_links_inverse(observed, 0.6, true);
  EXPECT_LT(*std::min_element(exact.begin() + 1, exact.end()), 0.0);
  for (double v : clamped) EXPECT_GE(v, 0.0);
}

/// Persons of a true table split by a random graph with recall r, as blocking would.
std::vector<std::int64_t> split_persons(const std::vector<std::int64_t>& truth, double r, Rng& rng) {
  std::vector<std::int64_t> observed(truth.size(), 0);
  for (std::uint32_t s = 1; s < truth.size(); ++s) {
    std::vector<int> lists;
    for (int j = 0; j < 16; ++j)
      if (s >> j & 1u) lists.push_back(j);
    const int n = static_cast<int>(lists.size());
    for (std::int64_t person = 0; person < truth[s]; ++person) {
      std::vector<int> root(n);
      std::iota(root.begin(), root.end(), 0);
      const auto find = [&](int x) {
        while (root[x] != x) x = root[x] = root[root[x]];
        return x;
      };
      for (int a = 0; a < n; ++a)
        for (int b = a + 1; b < n; ++b)
          if (rng.bernoulli(r)) root[find(a)] = find(b);
      std::vector<std::uint32_t> piece(n, 0);
      for (int a = 0; a < n; ++a) piece[find(a)] |= 1u << lists[a];
      for (auto p : piece)
        if (p) ++observed[p];
    }
  }
  return observed;
}

TEST(UnseenLinks, SimulatedSplitsAreUndoneInExpectation) {
  // Two independent lists of a population of 4,000 (p = 0.3, 0.4) and a third (p = 0.25), each
  // person's links missed with probability 0.15; over 40 populations the corrected table's
  // cells average to the true table's and Chapman's figure on lists 1-2 comes back.
  const double r = 0.85;
  Rng rng(11);
  std::vector<double> true_mean(8, 0), corrected_mean(8, 0);
  double chapman_observed = 0, chapman_corrected = 0, chapman_true = 0;
  const int populations = 40;
  for (int pop = 0; pop < populations; ++pop) {
    std::vector<std::int64_t> truth(8, 0);
    for (int i = 0; i < 4000; ++i) {
      const std::uint32_t p =
          (rng.bernoulli(0.3) ? 1u : 0u) | (rng.bernoulli(0.4) ? 2u : 0u) | (rng.bernoulli(0.25) ? 4u : 0u);
      ++truth[p];
    }
    truth[0] = 0;
    const auto observed = split_persons(truth, r, rng);
    const auto c = correct_for_unseen_links(CaptureTable::from_counts({"A", "B", "C"}, observed), r, 400);
    ASSERT_TRUE(c.applied);
    for (std::size_t p = 1; p < 8; ++p) {
      true_mean[p] += static_cast<double>(truth[p]) / populations;
      corrected_mean[p] += static_cast<double>(c.table.counts[p]) / populations;
    }
    const auto ab = [](const std::vector<std::int64_t>& t) {
      return chapman(t[1] + t[5] + t[3] + t[7], t[2] + t[6] + t[3] + t[7], t[3] + t[7]).estimate;
    };
    chapman_true += ab(truth) / populations;
    chapman_observed += ab(observed) / populations;
    chapman_corrected += ab(c.table.counts) / populations;
  }
  for (std::size_t p = 1; p < 8; ++p)
    EXPECT_NEAR(corrected_mean[p], true_mean[p], 0.03 * true_mean[p] + 3) << "pattern " << p;
  EXPECT_GT(chapman_observed, 1.1 * chapman_true);  // the splits' bias, upward
  EXPECT_NEAR(chapman_corrected, chapman_true, 0.02 * chapman_true);
}

TEST(UnseenLinks, DrawnRecallFollowsItsBinomialSamplingDistribution) {
  Rng rng(3);
  const int n = 20000;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double r = draw_recall(0.9, 400, rng);
    sum += r;
    sq += r * r;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.9, 0.001);
  EXPECT_NEAR(std::sqrt(var), std::sqrt(0.9 * 0.1 / 400), 0.001);
  EXPECT_DOUBLE_EQ(draw_recall(1.0, 400, rng), 1.0);
  EXPECT_DOUBLE_EQ(draw_recall(0.7, 0, rng), 0.7);
}

}  // namespace
}  // namespace joindots::estimate
