#include "core/date.hpp"

#include <gtest/gtest.h>

namespace joindots {

TEST(Date, ParsesFullAndPartialDates) {
  auto full = Date::parse("2014-02-28");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->precision(), DatePrecision::Day);
  EXPECT_EQ(full->str(), "2014-02-28");
  auto month = Date::parse("2009-07");
  ASSERT_TRUE(month);
  EXPECT_EQ(month->precision(), DatePrecision::Month);
  EXPECT_EQ(month->str(), "2009-07");
  auto year = Date::parse("2010");
  ASSERT_TRUE(year);
  EXPECT_EQ(year->precision(), DatePrecision::Year);
}

struct BadDate {
  const char* text;
  const char* why_contains;
};

class DateRejects : public ::testing::TestWithParam<BadDate> {};

TEST_P(DateRejects, WithAReason) {
  std::string why;
  EXPECT_FALSE(Date::parse(GetParam().text, &why));
  EXPECT_NE(why.find(GetParam().why_contains), std::string::npos) << why;
}

INSTANTIATE_TEST_SUITE_P(Table, DateRejects,
                         ::testing::Values(BadDate{"2023-02-29", "day 29 does not exist"},
                                           BadDate{"2024-13-01", "month 13"}, BadDate{"1899-01-01", "out of range"},
                                           BadDate{"12/03/2010", "not a date"}, BadDate{"2010-1-05", "not a date"},
                                           BadDate{"", "not a date"}, BadDate{"2010-01-0a", "not a date"}),
                         [](const ::testing::TestParamInfo<BadDate>& info) {
                           return "case" + std::to_string(info.index);
                         });

TEST(Date, LeapYearsFollowTheGregorianRule) {
  EXPECT_TRUE(Date::parse("2024-02-29"));
  EXPECT_TRUE(Date::parse("2000-02-29"));
  EXPECT_FALSE(Date::parse("2100-02-29"));
}

TEST(Date, FullDateRequiredWhereAsked) {
  std::string why;
  EXPECT_FALSE(Date::parse_full("2020-05", &why));
  EXPECT_NE(why.find("partial"), std::string::npos);
}

TEST(Date, DayCountsRoundTrip) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  for (std::int64_t d = -1000; d < 40000; d += 37) EXPECT_EQ(Date::from_days(d).days(), d);
}

TEST(Date, PartialDatesSpanTheirPeriod) {
  const Date y = *Date::parse("2012");
  EXPECT_EQ(Date::from_days(y.first_day()).str(), "2012-01-01");
  EXPECT_EQ(Date::from_days(y.last_day()).str(), "2012-12-31");
  const Date m = *Date::parse("2012-02");
  EXPECT_EQ(Date::from_days(m.last_day()).str(), "2012-02-29");
}

TEST(Date, AgeOnADay) {
  const Date birth = *Date::parse("2008-06-15");
  EXPECT_EQ(age_on(birth, *Date::parse("2022-06-14")), 13);
  EXPECT_EQ(age_on(birth, *Date::parse("2022-06-15")), 14);
}

}  // namespace joindots
