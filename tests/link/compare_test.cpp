#include "link/compare.hpp"

#include <gtest/gtest.h>

namespace joindots::link {
namespace {

LinkRecord person(const char* given, const char* family, const char* dob = "", const char* postcode = "") {
  RawRecord raw;
  raw.value[static_cast<std::size_t>(Field::given_name)] = given;
  raw.value[static_cast<std::size_t>(Field::family_name)] = family;
  raw.value[static_cast<std::size_t>(Field::dob)] = dob;
  raw.value[static_cast<std::size_t>(Field::postcode)] = postcode;
  return normalise_record(raw);
}

// Levels of the date comparator: 0 missing, 1 else, 2 within a year, 3 same year-month,
// 4 day/month swapped or one typo, 5 exact.
TEST(LinkCompare, DateLevels) {
  struct Case {
    const char *a, *b;
    int level;
  } cases[] = {
      {"2009-03-14", "2009-03-14", 5}, {"2009-03-04", "2009-04-03", 4}, {"2009-03-14", "2009-03-15", 4},
      {"2009-03-14", "2009-03-28", 3}, {"2009-03-14", "2009-11-02", 2}, {"2009-03-14", "2010-01-30", 2},
      {"2009-03-14", "2012-07-21", 1}, {"2009-03", "2009-03-14", 3},    {"2009", "2009-03-14", 2},
      {"2009-03-14", "2019-03-14", 4},  // one digit
  };
  for (const auto& c : cases)
    EXPECT_EQ(compare_dates(*parse_link_date(c.a), *parse_link_date(c.b)), c.level) << c.a << " " << c.b;
}

// Postcode levels: 0 missing, 1 else, 2 area, 3 district, 4 sector (or one typo when not
// UK), 5 exact.
TEST(LinkCompare, PostcodeLevels) {
  struct Case {
    const char *a, *b;
    int level;
  } cases[] = {
      {"TQ13 8DF", "TQ13 8DF", 5}, {"TQ13 8DF", "TQ13 8XY", 4}, {"TQ13 8DF", "TQ13 9AB", 3},
      {"TQ13 8DF", "TQ1 1AA", 2},  {"TQ13 8DF", "LS6 2AB", 1},  {"TQ13", "TQ13 8DF", 3},
      {"4011", "4011", 5},         {"4011", "4101", 4},         {"4011", "2600", 1},
  };
  for (const auto& c : cases)
    EXPECT_EQ(compare_postcodes(split_postcode(c.a), split_postcode(c.b)), c.level) << c.a << " " << c.b;
}

TEST(LinkCompare, NameLevelsAndMissing) {
  const Comparison given{Field::given_name, Comparator::name};
  const Comparison family{Field::family_name, Comparator::name};
  EXPECT_EQ(compare_field(person("Robert", "Smith"), person("robert", "SMITH"), given), 5);
  EXPECT_EQ(compare_field(person("Bob", "Smith"), person("Robert", "Smith"), given), 4);  // nickname
  EXPECT_EQ(compare_field(person("Martha", "Smith"), person("Marhta", "Smith"), given), 3);
  EXPECT_EQ(compare_field(person("Dwayne", "Smith"), person("Duane", "Smith"), given), 2);
  EXPECT_EQ(compare_field(person("Anna", "Smith"), person("Zoe", "Smith"), given), 1);
  EXPECT_EQ(compare_field(person("", "Smith"), person("Zoe", "Smith"), given), 0);
  EXPECT_EQ(compare_field(person("Ann", "Smith-Jones"), person("Ann", "Jones"), family), 4);  // token
}

TEST(LinkCompare, PatternPacksLevelsAndHandlesSwappedNames) {
  const std::vector<Comparison> cs = {{Field::given_name, Comparator::name},
                                      {Field::family_name, Comparator::name},
                                      {Field::dob, Comparator::date}};
  const Pattern p = compare_pair(person("Ann", "Lee", "2009-03-14"), person("Ann", "Leigh", ""), cs);
  EXPECT_EQ(level_of(p, 0), 5);
  EXPECT_EQ(level_of(p, 2), 0);
  const Pattern swapped = compare_pair(person("Jordan", "George"), person("George", "Jordan"), cs);
  EXPECT_EQ(level_of(swapped, 0), 3);
  EXPECT_EQ(level_of(swapped, 1), 3);
}

}  // namespace
}  // namespace joindots::link
