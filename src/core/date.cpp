#include "core/date.hpp"

#include <fmt/format.h>

#include <charconv>

namespace joindots {

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date Date::from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

static bool parse_digits(std::string_view s, std::size_t n, int& out) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}

std::optional<Date> Date::parse(std::string_view text, std::string* why) {
  auto fail = [&](std::string message) -> std::optional<Date> {
    if (why) *why = std::move(message);
    return std::nullopt;
  };
  Date d;
  const std::string_view shape = "expected YYYY-MM-DD, YYYY-MM or YYYY";
  if (text.size() != 4 && text.size() != 7 && text.size() != 10)
    return fail(fmt::format("'{}' is not a date ({})", text, shape));
  if (!parse_digits(text.substr(0, 4), 4, d.year))
    return fail(fmt::format("'{}' is not a date ({})", text, shape));
  if (d.year < 1900 || d.year > 2100)
    return fail(fmt::format("year {} out of range 1900-2100", d.year));
  if (text.size() >= 7) {
    if (text[4] != '-' || !parse_digits(text.substr(5, 2), 2, d.month))
      return fail(fmt::format("'{}' is not a date ({})", text, shape));
    if (d.month < 1 || d.month > 12) return fail(fmt::format("month {} out of range in '{}'", d.month, text));
  }
  if (text.size() == 10) {
    if (text[7] != '-' || !parse_digits(text.substr(8, 2), 2, d.day))
      return fail(fmt::format("'{}' is not a date ({})", text, shape));
    if (d.day < 1 || d.day > days_in_month(d.year, d.month))
      return fail(fmt::format("day {} does not exist in {:04}-{:02}", d.day, d.year, d.month));
  }
  return d;
}

std::optional<Date> Date::parse_full(std::string_view text, std::string* why) {
  auto d = parse(text, why);
  if (d && !d->is_full()) {
    if (why) *why = fmt::format("'{}' is a partial date; a full date YYYY-MM-DD is required", text);
    return std::nullopt;
  }
  return d;
}

std::int64_t Date::first_day() const {
  return days_from_civil(year, month ? month : 1, day ? day : 1);
}

std::int64_t Date::last_day() const {
  const int m = month ? month : 12;
  return days_from_civil(year, m, day ? day : days_in_month(year, m));
}

std::string Date::str() const {
  switch (precision()) {
    case DatePrecision::Year: return fmt::format("{:04}", year);
    case DatePrecision::Month: return fmt::format("{:04}-{:02}", year, month);
    case DatePrecision::Day: break;
  }
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

int age_on(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

}  // namespace joindots
