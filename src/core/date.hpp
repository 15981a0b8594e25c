#pragma once
// Calendar dates with partial precision (YYYY, YYYY-MM, YYYY-MM-DD), as agencies record
// dates of birth. Day counts use the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil algorithm), with day 0 = 1970-01-01.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace joindots {

enum class DatePrecision { Year = 1, Month = 2, Day = 3 };

struct Date {
  int year = 0;
  int month = 0;  // 0 when precision is Year
  int day = 0;    // 0 when precision is Year or Month

  DatePrecision precision() const {
    return day ? DatePrecision::Day : (month ? DatePrecision::Month : DatePrecision::Year);
  }
  bool is_full() const { return day != 0; }

  /// Parses YYYY-MM-DD, YYYY-MM or YYYY (years 1900-2100). On failure returns nullopt and,
  /// when `why` is given, says what is wrong ("month 13 out of range").
  static std::optional<Date> parse(std::string_view text, std::string* why = nullptr);
  /// Parses a full date only.
  static std::optional<Date> parse_full(std::string_view text, std::string* why = nullptr);
  static Date from_days(std::int64_t days);

  /// Days since 1970-01-01 of the first day the date can denote.
  std::int64_t first_day() const;
  /// Days since 1970-01-01 of the last day the date can denote.
  std::int64_t last_day() const;
  std::int64_t days() const { return first_day(); }

  std::string str() const;
  auto operator<=>(const Date&) const = default;
};

int days_in_month(int year, int month);
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
/// Whole years between a birth date and a day (age on that day).
int age_on(const Date& birth, const Date& on);

}  // namespace joindots
