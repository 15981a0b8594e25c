#include "simulate/noise.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/identifiers.hpp"

namespace joindots::simulate {

namespace {

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions).
int osa_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

TEST(SimulateNoise, TypoIsOneEditAndKeepsTheFirstLetter) {
  Rng rng(3);
  for (const std::string name : {"Rebecca", "Li", "O'Brien", "Smith-Jones", "AISHA", "Zoe"}) {
    for (int k = 0; k < 500; ++k) {
      const auto t = typo(name, rng);
      EXPECT_NE(t, name);
      EXPECT_EQ(osa_distance(name, t), 1) << name << " -> " << t;
      EXPECT_EQ(t[0], name[0]) << name << " -> " << t;
    }
  }
}

TEST(SimulateNoise, KeyboardNeighboursAreLetters) {
  Rng rng(4);
  for (char c = 'a'; c <= 'z'; ++c) {
    const char n = keyboard_neighbour(c, rng);
    EXPECT_TRUE(n >= 'a' && n <= 'z');
    EXPECT_NE(n, c);
  }
}

TEST(SimulateNoise, DateErrorsStayValidDates) {
  EXPECT_EQ(swap_day_month(Date{2010, 3, 7}).str(), "2010-07-03");
  EXPECT_EQ(swap_day_month(Date{2010, 3, 17}).str(), "2010-03-17");  // cannot swap
  EXPECT_EQ(swap_day_month(Date{2010, 5, 5}).str(), "2010-05-05");
  Rng rng(5);
  for (int k = 0; k < 1000; ++k) {
    const Date d = Date::from_days(14000 + k * 3);
    const Date m = mistype_day(d, rng);
    EXPECT_TRUE(Date::parse_full(m.str()).has_value()) << m.str();
    EXPECT_NE(m, d);
    const Date p = partial_date(d, rng);
    EXPECT_FALSE(p.is_full());
    EXPECT_EQ(p.year, d.year);
  }
}

TEST(SimulateNoise, PartialPostcodesAreValidDistrictsOrSectors) {
  Rng rng(6);
  for (int k = 0; k < 100; ++k) {
    const auto p = partial_postcode("QB12 3XY", rng);
    EXPECT_TRUE(p == "QB12" || p == "QB12 3") << p;
    EXPECT_TRUE(normalise_postcode(p).has_value()) << p;
  }
}

}  // namespace joindots::simulate
