#include "disclose/lp_audit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.hpp"

namespace joindots::disclose {

namespace {
PublishedCell pub(std::int64_t v) { return {CellStatus::Published, round_to_base(v, 5)}; }
const PublishedCell kPrimary{CellStatus::Primary, 0};
const PublishedCell kSecondary{CellStatus::Secondary, 0};
}  // namespace

// Three small cells, each pair of them with a published total: x1 = (T12 - T23 + T13) / 2.
// No single relation bounds x1 tightly, so interval propagation misses it; the LP combines
// all three and pins each cell to within 4 values.
TEST(LpAudit, FindsALeakThatNeedsSeveralRelationsAtOnce) {
  // True values x1 = 2, x2 = 8, x3 = 9; totals 10, 17, 11 (published 10, 15, 10).
  const std::vector<PublishedCell> cells = {kPrimary, kPrimary, kPrimary, pub(10), pub(17), pub(11)};
  const std::vector<Relation> relations = {{3, {0, 1}}, {4, {1, 2}}, {5, {0, 2}}};
  const auto propagation = audit(cells, relations);
  EXPECT_TRUE(propagation.safe()) << "interval propagation was expected to miss this leak";
  const auto lp = lp_audit(cells, relations);
  ASSERT_TRUE(lp.feasible);
  EXPECT_FALSE(lp.safe());
  ASSERT_EQ(lp.leaks.size(), 3u);
  EXPECT_EQ(lp.ranges[0].lo, 2);  // (10 - 17 + 10) / 2 = 1.5, rounded up
  EXPECT_EQ(lp.ranges[0].hi, 5);  // (12 - 13 + 12) / 2 = 5.5, rounded down
  EXPECT_EQ(lp.ranges[1].lo, 6);
  EXPECT_EQ(lp.ranges[1].hi, 9);
}

// A secondary cell known to within its rounding interval reveals no more than publishing it.
TEST(LpAudit, ASecondaryCellNeedsOnlyTheRoundingIntervalsWidth) {
  // Three secondary cells 20, 30, 40 with their pairwise sums 50, 70, 60 published: each is
  // known to +-3, wider than the 4 of a published count.
  const std::vector<PublishedCell> cells = {kSecondary, kSecondary, kSecondary, pub(50), pub(70), pub(60)};
  const auto lp = lp_audit(cells, {{3, {0, 1}}, {4, {1, 2}}, {5, {0, 2}}});
  EXPECT_TRUE(lp.safe());
  EXPECT_EQ(lp.ranges[0].lo, 17);
  EXPECT_EQ(lp.ranges[0].hi, 23);
  // But 20 = 10 + x, with x >= 10 by its label, leaves x in 10-12: narrower than rounding.
  const std::vector<PublishedCell> pinned = {kSecondary, pub(10), pub(20)};
  const auto narrow = lp_audit(pinned, {{2, {0, 1}}});
  EXPECT_FALSE(narrow.safe());
  EXPECT_EQ(narrow.ranges[0].lo, 10);
  EXPECT_EQ(narrow.ranges[0].hi, 12);
}

TEST(LpAudit, APrimaryCellBesideItsTotalLeaks) {
  // Total 12 (published 10), one part 10 (published 10): the primary cell is 2, and the LP
  // narrows it to [1, 2] of its band [1, 9].
  const std::vector<PublishedCell> cells = {kPrimary, pub(10), pub(12)};
  const auto lp = lp_audit(cells, {{2, {0, 1}}});
  ASSERT_EQ(lp.leaks, std::vector<std::size_t>{0});
  EXPECT_EQ(lp.ranges[0].lo, 1);
  EXPECT_EQ(lp.ranges[0].hi, 2);
}

TEST(LpAudit, TwoSmallCellsAmongRoundedNeighboursAreSafe) {
  // 45 + 40 + 7 + 8 = 100: the two small cells share 9 to 21, so each can be anything 1-9.
  const std::vector<PublishedCell> cells = {pub(45), pub(40), kPrimary, kPrimary, pub(100)};
  const auto lp = lp_audit(cells, {{4, {0, 1, 2, 3}}});
  EXPECT_TRUE(lp.safe());
  EXPECT_EQ(lp.ranges[2].lo, 1);
  EXPECT_EQ(lp.ranges[2].hi, 9);
}

TEST(LpAudit, ASecondaryCellHidingAPrimaryOneIsSafe) {
  // 8 + 95 = 103 (published 105), with both parts suppressed: each only known in a range.
  const std::vector<PublishedCell> cells = {kPrimary, kSecondary, pub(103)};
  const auto lp = lp_audit(cells, {{2, {0, 1}}});
  EXPECT_TRUE(lp.safe());
  EXPECT_EQ(lp.ranges[0].lo, 1);
  EXPECT_EQ(lp.ranges[0].hi, 9);
  EXPECT_EQ(lp.ranges[1].lo, 94);   // 103 - 9
  EXPECT_EQ(lp.ranges[1].hi, 106);  // 107 - 1
}

TEST(LpAudit, ProtectedOneWayAndTwoWayTablesPass) {
  Release r;
  const auto small = r.add(3), a = r.add(12), total = r.add(15);
  r.relations.push_back({total, {small, a}});
  const auto one_way = lp_audit(protect(r), r.relations);
  EXPECT_TRUE(one_way.safe());
  // The label "secondary" says a >= 10, so small <= 17 - 10: [1, 7], 7 of the 9 values.
  EXPECT_EQ(one_way.ranges[small].lo, 1);
  EXPECT_EQ(one_way.ranges[small].hi, 7);

  // The two-way table with margins of disclosure_test.cpp.
  const std::int64_t grid[3][3] = {{5, 30, 41}, {22, 18, 60}, {35, 27, 12}};
  Release t;
  std::size_t cell[3][3], row[3], col[3];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) cell[i][j] = t.add(grid[i][j]);
  std::int64_t grand = 0;
  for (int i = 0; i < 3; ++i) {
    row[i] = t.add(grid[i][0] + grid[i][1] + grid[i][2]);
    grand += t.values[row[i]];
    t.relations.push_back({row[i], {cell[i][0], cell[i][1], cell[i][2]}});
  }
  for (int j = 0; j < 3; ++j) {
    col[j] = t.add(grid[0][j] + grid[1][j] + grid[2][j]);
    t.relations.push_back({col[j], {cell[0][j], cell[1][j], cell[2][j]}});
  }
  const auto g = t.add(grand);
  t.relations.push_back({g, {row[0], row[1], row[2]}});
  t.relations.push_back({g, {col[0], col[1], col[2]}});
  const auto p = protect(t);
  const auto lp = lp_audit(p, t.relations);
  EXPECT_TRUE(lp.safe());
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_LE(lp.ranges[i].lo, static_cast<double>(t.values[i]));
    EXPECT_GE(lp.ranges[i].hi, static_cast<double>(t.values[i]));
  }
}

TEST(LpAudit, PublishedValuesThatContradictTheRelationsAreReported) {
  const std::vector<PublishedCell> cells = {pub(100), pub(20), pub(20)};
  EXPECT_FALSE(lp_audit(cells, {{0, {1, 2}}}).feasible);
}

// On random one-way and two-level tables: the LP ranges hold the true values (the audit is
// sound) and lie within interval propagation's (it is at least as sharp).
TEST(LpAudit, SoundAndNoWeakerThanPropagationOnRandomTables) {
  Rng rng(77);
  int leaks_propagation_missed = 0;
  for (int trial = 0; trial < 200; ++trial) {
    Release r;
    std::vector<std::size_t> subtotals;
    std::int64_t grand = 0;
    const int groups = 1 + static_cast<int>(rng.below(3));
    for (int g = 0; g < groups; ++g) {
      const int n = 2 + static_cast<int>(rng.below(5));
      std::vector<std::size_t> parts;
      std::int64_t sum = 0;
      for (int i = 0; i < n; ++i) {
        const std::int64_t v = rng.bernoulli(0.3) ? rng.between(1, 9) : rng.between(10, 120);
        parts.push_back(r.add(v));
        sum += v;
      }
      subtotals.push_back(r.add(sum));
      r.relations.push_back({subtotals.back(), parts});
      grand += sum;
    }
    if (groups > 1) r.relations.push_back({r.add(grand), subtotals});
    const auto p = protect(r);
    const auto lp = lp_audit(p, r.relations);
    const auto prop = audit(p, r.relations);
    ASSERT_TRUE(lp.feasible) << "trial " << trial;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto v = static_cast<double>(r.values[i]);
      EXPECT_LE(lp.ranges[i].lo, v) << "trial " << trial << " cell " << i;
      EXPECT_GE(lp.ranges[i].hi, v) << "trial " << trial << " cell " << i;
      EXPECT_GE(lp.ranges[i].lo, std::floor(prop.bounds[i].lo) - 1e-9);
      EXPECT_LE(lp.ranges[i].hi, std::ceil(prop.bounds[i].hi) + 1e-9);
    }
    leaks_propagation_missed += !lp.safe();
  }
  RecordProperty("lp_leaks_after_protect", leaks_propagation_missed);
}

}  // namespace joindots::disclose
