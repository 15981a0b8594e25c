#include "link/jaro_winkler.hpp"

#include <gtest/gtest.h>

#include "link/damerau_levenshtein.hpp"

namespace joindots::link {
namespace {

struct JwCase {
  const char *a, *b;
  double jaro, jaro_winkler;
};

// Published values: Winkler (1990) and the examples in the Jaro-Winkler literature.
constexpr JwCase kCases[] = {
    {"MARTHA", "MARHTA", 0.944, 0.961},   {"DWAYNE", "DUANE", 0.822, 0.840},
    {"DIXON", "DICKSONX", 0.767, 0.813},  {"JONES", "JOHNSON", 0.790, 0.832},
    {"ABC", "ABC", 1.0, 1.0},             {"ABC", "XYZ", 0.0, 0.0},
    {"", "", 1.0, 1.0},                   {"A", "", 0.0, 0.0},
};

TEST(JaroWinkler, PublishedValues) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.a) + "/" + c.b);
    EXPECT_NEAR(jaro(c.a, c.b), c.jaro, 0.0005);
    EXPECT_NEAR(jaro_winkler(c.a, c.b), c.jaro_winkler, 0.0005);
  }
}

TEST(JaroWinkler, Symmetric) {
  for (const auto& c : kCases) EXPECT_DOUBLE_EQ(jaro_winkler(c.a, c.b), jaro_winkler(c.b, c.a));
}

TEST(JaroWinkler, LongStringsUseTheHeapPath) {
  const std::string a(100, 'x'), b = std::string(99, 'x') + "y";
  EXPECT_GT(jaro_winkler(a, b), 0.99);
}

struct DlCase {
  const char *a, *b;
  std::size_t distance;
};

constexpr DlCase kDl[] = {
    {"kitten", "sitting", 3}, {"ca", "ac", 1},     {"abc", "ca", 3},  // OSA: no substring edited twice
    {"", "abc", 3},           {"abc", "", 3},      {"smith", "smith", 0},
    {"smith", "smyth", 1},    {"martha", "marhta", 1}, {"19810312", "19811203", 4},
};

TEST(DamerauLevenshtein, Table) {
  for (const auto& c : kDl) {
    SCOPED_TRACE(std::string(c.a) + "/" + c.b);
    EXPECT_EQ(damerau_levenshtein(c.a, c.b), c.distance);
    EXPECT_EQ(damerau_levenshtein(c.b, c.a), c.distance);
  }
}

TEST(DamerauLevenshtein, CapStopsEarly) {
  EXPECT_EQ(damerau_levenshtein("kitten", "sitting", 1), 2u);
  EXPECT_EQ(damerau_levenshtein("a", "abcdef", 2), 3u);
  EXPECT_EQ(damerau_levenshtein("smith", "smyth", 1), 1u);
}

}  // namespace
}  // namespace joindots::link
