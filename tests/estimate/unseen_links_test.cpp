#include "estimate/unseen_links.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/rng.hpp"
#include "estimate/chapman.hpp"

namespace joindots::estimate {
namespace {

TEST(UnseenLinks, TwoListsOfOneRecordEachSplitWhenEitherRecordIsIsolated) {
  // A person on A and B with one record on each: one person AB with probability (1 - q)^2,
  // else one person on A and one on B.
  for (double q : {0.05, 0.3}) {
    const auto e = isolation_expected({0, 0, 0, 1000}, q, {});
    EXPECT_NEAR(e[3], 1000 * (1 - q) * (1 - q), 1e-9);
    EXPECT_NEAR(e[1], 1000 * (1 - (1 - q) * (1 - q)), 1e-9);
    EXPECT_NEAR(e[2], e[1], 1e-9);
  }
  EXPECT_NEAR(isolation_of_split_rate(1 - 0.9 * 0.9), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(isolation_of_split_rate(0), 0.0);
}

TEST(UnseenLinks, RecordsPerListCountsEachPersonsRecordsOnEachList) {
  // Persons: 0 = A, A, B (multi-list); 1 = A (alone, one record); 2 = B, B (alone, two records);
  // 3 = A, B (multi-list).
  const std::vector<std::uint32_t> cluster = {0, 0, 0, 1, 2, 2, 3, 3};
  const std::vector<std::uint32_t> list = {0, 0, 1, 0, 1, 1, 0, 1};
  const auto per = records_per_list(cluster, list, 2);
  ASSERT_EQ(per.multi[0].size(), 3u);
  EXPECT_DOUBLE_EQ(per.multi[0][1], 0.5);  // person 3
  EXPECT_DOUBLE_EQ(per.multi[0][2], 0.5);  // person 0
  EXPECT_DOUBLE_EQ(per.multi[1][1], 1.0);
  EXPECT_DOUBLE_EQ(per.single[0][1], 1.0);
  EXPECT_DOUBLE_EQ(per.single[1][2], 1.0);
}

/// A four-list table with a pattern of every size.
std::vector<double> true_table() {
  std::vector<double> t(16, 0.0);
  for (std::uint32_t p = 1; p < 16; ++p) t[p] = 40.0 + 13.0 * p - 6.0 * std::popcount(p);
  return t;
}

/// Records per list of 1 to 3 (lists differ), and persons alone on a list with 1 or 2.
RecordsPerList several_records() {
  RecordsPerList per;
  per.multi = {{0, 0.5, 0.3, 0.2}, {0, 1.0}, {0, 0.2, 0.8}, {0, 0.6, 0.2, 0.2}};
  per.single = {{0, 0.7, 0.3}, {0, 1.0}, {0, 0.5, 0.5}, {0, 0.9, 0.1}};
  return per;
}

TEST(UnseenLinks, TheInverseOfTheExpectedTableIsTheTrueTable) {
  const auto truth = true_table();
  for (const auto& per : {RecordsPerList{}, several_records()})
    for (double q : {0.01, 0.1, 0.3}) {
      const auto observed = isolation_expected(truth, q, per);
      double true_persons = 0, observed_persons = 0;
      for (std::uint32_t p = 1; p < 16; ++p) true_persons += truth[p], observed_persons += observed[p];
      EXPECT_GT(observed_persons, true_persons);  // isolated records become persons of their own
      const auto back = isolation_inverse(observed, q, per, false);
      for (std::uint32_t p = 1; p < 16; ++p) EXPECT_NEAR(back[p], truth[p], 1e-9) << "pattern " << p << ", q " << q;
    }
}

TEST(UnseenLinks, NoIsolationLeavesTheTableUnchanged) {
  const auto truth = true_table();
  const auto same = isolation_expected(truth, 0.0, several_records());
  const auto back = isolation_inverse(truth, 0.0, several_records());
  for (std::uint32_t p = 1; p < 16; ++p) {
    EXPECT_DOUBLE_EQ(same[p], truth[p]);
    EXPECT_DOUBLE_EQ(back[p], truth[p]);
  }
  const auto table = CaptureTable::from_counts({"A", "B", "C"}, {0, 50, 40, 10, 30, 8, 6, 3});
  const auto c = correct_for_unseen_links(table, 0.0, 500, {});
  EXPECT_FALSE(c.applied);
  EXPECT_EQ(c.table.counts, table.counts);
  EXPECT_EQ(c.persons_merged(), 0);
  EXPECT_THROW(isolation_expected(truth, 1.0, {}), std::invalid_argument);
}

TEST(UnseenLinks, SmallOrMissingSamplesGiveNoCorrection) {
  const auto table = CaptureTable::from_counts({"A", "B", "C"}, {0, 50, 40, 10, 30, 8, 6, 3});
  const auto small = correct_for_unseen_links(table, 0.1, kMinUnseenLinksSample - 1, {});
  EXPECT_FALSE(small.applied);
  EXPECT_NE(small.reason.find("fewer than 100"), std::string::npos) << small.reason;
  EXPECT_EQ(small.table.counts, table.counts);
  const auto none = correct_for_unseen_links(table, 0.1, 0, {});
  EXPECT_FALSE(none.applied);
  EXPECT_NE(none.reason.find("link again"), std::string::npos) << none.reason;
  EXPECT_EQ(none.table.counts, table.counts);
  const auto enough = correct_for_unseen_links(table, 0.1, kMinUnseenLinksSample, {});
  EXPECT_TRUE(enough.applied);
  EXPECT_TRUE(enough.reason.empty());
  EXPECT_GT(enough.persons_merged(), 0);
}

TEST(UnseenLinks, NegativeCellsAreClampedBeforeTheSmallerPatterns) {
  // Too few one-list persons for the pieces the three-list persons would leave.
  const std::vector<double> observed = {0, 1, 1, 50, 1, 40, 40, 100};
  const auto exact = isolation_inverse(observed, 0.2, {}, false);
  const auto clamped = isolation_inverse(observed, 0.2, {}, true);
  EXPECT_LT(*std::min_element(exact.begin() + 1, exact.end()), 0.0);
  for (double v : clamped) EXPECT_GE(v, 0.0);
}

TEST(UnseenLinks, SimulatedIsolatedRecordsAreUndoneInExpectation) {
  // Three independent lists of a population of 4,000 (p = 0.3, 0.4, 0.25); a person holds
  // 1 + Poisson(0.8) records on each of its lists; each record of a person with two or more is
  // isolated (a one-record person of its own) with probability q = 0.04. The records per list
  // are read from the observed partition, as estimate --db does; over 40 populations the
  // corrected table's cells average to the true table's and Chapman's figure on lists A-B
  // comes back.
  const double q = 0.04;
  const double split_rate = 1 - (1 - q) * (1 - q);
  Rng rng(11);
  std::vector<double> true_mean(8, 0), corrected_mean(8, 0);
  double chapman_observed = 0, chapman_corrected = 0, chapman_true = 0;
  const int populations = 40;
  for (int pop = 0; pop < populations; ++pop) {
    std::vector<std::int64_t> truth(8, 0);
    std::vector<std::uint32_t> cluster, list;
    std::uint32_t persons = 0;
    for (int i = 0; i < 4000; ++i) {
      const std::uint32_t p =
          (rng.bernoulli(0.3) ? 1u : 0u) | (rng.bernoulli(0.4) ? 2u : 0u) | (rng.bernoulli(0.25) ? 4u : 0u);
      if (p == 0) continue;
      ++truth[p];
      std::vector<std::uint32_t> records;
      for (std::uint32_t j = 0; j < 3; ++j)
        if (p >> j & 1u)
          for (std::int64_t k = 0, n = 1 + rng.poisson(0.8); k < n; ++k) records.push_back(j);
      const std::uint32_t main = persons++;
      for (auto j : records) {
        const bool isolated = records.size() >= 2 && rng.bernoulli(q);
        cluster.push_back(isolated ? persons++ : main);
        list.push_back(j);
      }
    }
    std::vector<std::uint32_t> pattern(persons, 0);
    for (std::size_t r = 0; r < cluster.size(); ++r) pattern[cluster[r]] |= 1u << list[r];
    std::vector<std::int64_t> observed(8, 0);
    for (auto p : pattern)
      if (p) ++observed[p];
    const auto c = correct_for_unseen_links(CaptureTable::from_counts({"A", "B", "C"}, observed), split_rate, 2000,
                                            records_per_list(cluster, list, 3));
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
  EXPECT_GT(chapman_observed, 1.05 * chapman_true);  // the splits' bias, upward
  EXPECT_NEAR(chapman_corrected, chapman_true, 0.02 * chapman_true);
}

TEST(UnseenLinks, DrawnSplitRateFollowsItsBinomialSamplingDistribution) {
  Rng rng(3);
  const int n = 20000;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double s = draw_split_rate(0.02, 2000, rng);
    sum += s;
    sq += s * s;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.02, 0.0002);
  EXPECT_NEAR(std::sqrt(var), std::sqrt(0.02 * 0.98 / 2000), 0.0002);
  EXPECT_DOUBLE_EQ(draw_split_rate(0.0, 2000, rng), 0.0);
  EXPECT_DOUBLE_EQ(draw_split_rate(0.03, 0, rng), 0.03);
}

}  // namespace
}  // namespace joindots::estimate
