#include "simulate/names.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace joindots::simulate {

TEST(SimulateNames, TablesAreLargeAndWithoutDuplicates) {
  for (const auto table : {female_given_names(), male_given_names(), family_names(), street_names()}) {
    std::set<std::string_view> seen;
    for (auto n : table) EXPECT_TRUE(seen.insert(n).second) << n;
  }
  EXPECT_GE(female_given_names().size(), 150u);
  EXPECT_GE(male_given_names().size(), 150u);
  EXPECT_GE(family_names().size(), 250u);
}

TEST(SimulateNames, DrawsAreSkewedLikeARealRegister) {
  NameSampler sampler;
  Rng rng(9);
  std::map<std::string_view, int> counts;
  const int n = 100000;
  for (int i = 0; i < n; ++i) counts[sampler.family(rng)]++;
  // The most common name is common but not dominant; most names are rare.
  EXPECT_GT(counts["Smith"], n / 50);
  EXPECT_LT(counts["Smith"], n / 8);
  EXPECT_GT(counts.size(), 250u);
}

}  // namespace joindots::simulate
