#include "records/phonetic.hpp"

#include <gtest/gtest.h>

namespace joindots::link {
namespace {

// The US National Archives' Soundex examples.
TEST(Soundex, NationalArchivesExamples) {
  const std::pair<const char*, const char*> cases[] = {
      {"Robert", "R163"},   {"Rupert", "R163"},  {"Rubin", "R150"},    {"Ashcraft", "A261"}, {"Ashcroft", "A261"},
      {"Tymczak", "T522"},  {"Pfister", "P236"}, {"Honeyman", "H555"}, {"Lee", "L000"},      {"", ""},
      {"o'brien", "O165"},
  };
  for (const auto& [name, code] : cases) EXPECT_EQ(soundex(name), code) << name;
}

TEST(Nysiis, SoundAlikesShareACode) {
  const std::pair<const char*, const char*> same[] = {
      {"knight", "night"}, {"macdonald", "mcdonald"}, {"phillips", "filips"}, {"stevens", "stephens"},
  };
  for (const auto& [a, b] : same) EXPECT_EQ(nysiis(a), nysiis(b)) << a << " " << b;
  EXPECT_NE(nysiis("smith"), nysiis("jones"));
}

TEST(Nysiis, KnownCodes) {
  EXPECT_EQ(nysiis("MACINTOSH"), "MCANT");
  EXPECT_EQ(nysiis("KNUTH"), "NAT");
  EXPECT_EQ(nysiis("WORTHY"), "WARTY");
  EXPECT_EQ(nysiis("OGATA"), "OGAT");
  EXPECT_EQ(nysiis("brown", 6), "BRAN");
  EXPECT_EQ(nysiis(""), "");
  EXPECT_LE(nysiis("wolfeschlegelsteinhausen", 6).size(), 6u);
}

}  // namespace
}  // namespace joindots::link
