#include "core/nicknames.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace joindots {

TEST(SimulateNicknames, LooksUpNicknamesAndFormalNamesIgnoringCase) {
  const auto becky = nicknames_of("rebecca");
  EXPECT_NE(std::find(becky.begin(), becky.end(), "Becky"), becky.end());
  EXPECT_NE(std::find(becky.begin(), becky.end(), "Becca"), becky.end());
  const auto alex = formal_names_of("ALEX");
  EXPECT_NE(std::find(alex.begin(), alex.end(), "Alexander"), alex.end());
  EXPECT_NE(std::find(alex.begin(), alex.end(), "Alexandra"), alex.end());
  EXPECT_TRUE(nicknames_of("Qwerty").empty());
  EXPECT_TRUE(nickname_equivalent("Jess", "JESSICA"));
  EXPECT_TRUE(nickname_equivalent("Sam", "Samantha"));
  EXPECT_TRUE(nickname_equivalent("Becky", "Becca"));  // both stand for Rebecca
  EXPECT_FALSE(nickname_equivalent("Becky", "Jessica"));
}

TEST(SimulateNicknames, TableHasAboutAHundredDistinctFormalNames) {
  std::set<std::string_view> formal;
  for (const auto& e : nickname_table()) {
    EXPECT_TRUE(formal.insert(e.formal).second) << e.formal;
    EXPECT_FALSE(e.nicknames.empty());
  }
  EXPECT_GE(formal.size(), 100u);
}

}  // namespace joindots
