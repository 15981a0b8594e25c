#include "simulate/names.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>
#include <string>

namespace joindots::simulate {

namespace {
double share_of_top(NameTable t, std::size_t k) {
  const auto w = name_weights(t);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  return std::accumulate(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(std::min(k, w.size())), 0.0) / total;
}
}  // namespace

TEST(SimulateNames, TablesAreLargeAndWithoutDuplicates) {
  for (const auto table : {female_given_names(), male_given_names(), family_names(), street_names()}) {
    std::set<std::string_view> seen;
    for (auto n : table) EXPECT_TRUE(seen.insert(n).second) << n;
  }
  EXPECT_GE(female_given_names().size(), 2000u);
  EXPECT_GE(male_given_names().size(), 2000u);
  EXPECT_GE(family_names().size(), 15000u);  // tens of thousands with the head, as in England
  EXPECT_EQ(head_size(NameTable::family), 287u);
  EXPECT_EQ(family_names()[0], "Smith");  // the hand-written head comes first, in order
}

TEST(SimulateNames, TailNamesArePlainWordsAndTheSexesDoNotShareThem) {
  std::set<std::string> female;
  for (std::size_t i = head_size(NameTable::female); i < female_given_names().size(); ++i)
    female.insert(std::string(female_given_names()[i]));
  for (std::size_t i = head_size(NameTable::male); i < male_given_names().size(); ++i)
    EXPECT_FALSE(female.count(std::string(male_given_names()[i]))) << male_given_names()[i];
  for (const auto table : {female_given_names(), male_given_names(), family_names()})
    for (auto n : table) {
      ASSERT_GE(n.size(), 2u);
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(n[0]))) << n;
    }
}

TEST(SimulateNames, SharesFollowTheCalibration) {
  // Surnames: Smith about 1.2% (UK electoral register 1996), top 100 about a quarter, top
  // 1,000 a bit over half, and a long tail (docs/simulator.md, "Name tables").
  EXPECT_NEAR(share_of_top(NameTable::family, 1), 0.012, 0.003);
  EXPECT_NEAR(share_of_top(NameTable::family, 100), 0.235, 0.04);
  EXPECT_NEAR(share_of_top(NameTable::family, 1000), 0.58, 0.06);
  EXPECT_LT(share_of_top(NameTable::family, 10000), 0.97);
  // Given names: top 1 about 2%, top 100 about half.
  for (auto t : {NameTable::female, NameTable::male}) {
    EXPECT_NEAR(share_of_top(t, 1), 0.02, 0.006);
    EXPECT_NEAR(share_of_top(t, 100), 0.53, 0.06);
  }
}

TEST(SimulateNames, DrawsAreSkewedLikeARealRegister) {
  NameSampler sampler;
  Rng rng(9);
  std::map<std::string_view, int> counts;
  const int n = 100000;
  for (int i = 0; i < n; ++i) counts[sampler.family(rng)]++;
  // The most common name is common but not dominant; most names are rare.
  EXPECT_GT(counts["Smith"], n / 150);
  EXPECT_LT(counts["Smith"], n / 50);
  EXPECT_GT(counts.size(), 8000u);
  int once = 0;
  for (const auto& [name, c] : counts) once += c == 1;
  EXPECT_GT(once, 1000);  // many names seen once, as in a register
}

TEST(SimulateNames, SameSeedSameDraws) {
  NameSampler a, b;
  Rng ra(5), rb(5);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.family(ra), b.family(rb));
    ASSERT_EQ(a.given(ra, i % 2), b.given(rb, i % 2));
  }
}

}  // namespace joindots::simulate
