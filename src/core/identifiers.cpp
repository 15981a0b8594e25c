#include "core/identifiers.hpp"

#include <fmt/format.h>

#include <cctype>

namespace joindots {

namespace {

std::string compact(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '-') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

bool all_alpha(std::string_view s) {
  for (char c : s)
    if (c < 'A' || c > 'Z') return false;
  return !s.empty();
}

std::optional<std::string> fail(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

int nhs_check_digit(std::string_view nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[static_cast<std::size_t>(i)] - '0') * (10 - i);
  const int check = 11 - sum % 11;
  if (check == 11) return 0;
  if (check == 10) return -1;
  return check;
}

std::optional<std::string> normalise_nhs_number(std::string_view text, std::string* why) {
  const std::string s = compact(text);
  if (s.size() != 10 || !all_digits(s))
    return fail(why, fmt::format("'{}' is not an NHS number (10 digits)", text));
  const int check = nhs_check_digit(std::string_view(s).substr(0, 9));
  if (check < 0 || check != s[9] - '0')
    return fail(why, fmt::format("'{}' fails the NHS number check digit", text));
  return s;
}

char upn_check_letter(std::string_view twelve) {
  static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";
  int sum = 0;
  for (std::size_t i = 0; i < 12; ++i) {
    const char c = twelve[i];
    int value;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else {
      const auto pos = kLetters.find(c);  // letters count by their place in the list
      value = pos == std::string_view::npos ? 0 : static_cast<int>(pos);
    }
    sum += value * static_cast<int>(i + 2);
  }
  return kLetters[static_cast<std::size_t>(sum % 23)];
}

std::optional<std::string> normalise_upn(std::string_view text, std::string* why) {
  const std::string s = compact(text);
  if (s.size() != 13 || !all_alpha(s.substr(0, 1)) || !all_digits(s.substr(1, 11)) ||
      !(std::isdigit(static_cast<unsigned char>(s[12])) || std::isupper(static_cast<unsigned char>(s[12]))))
    return fail(why, fmt::format("'{}' is not a UPN (a letter and 12 characters)", text));
  if (upn_check_letter(std::string_view(s).substr(1)) != s[0])
    return fail(why, fmt::format("'{}' fails the UPN check letter", text));
  return s;
}

std::optional<std::string> normalise_pnc_id(std::string_view text, std::string* why) {
  std::string s;
  for (char c : text)
    if (c != ' ') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto slash = s.find('/');
  if (slash != 2 || !all_digits(s.substr(0, 2)) || s.size() < 5 || s.size() > 11 ||
      !all_digits(s.substr(3, s.size() - 4)) || !all_alpha(s.substr(s.size() - 1)))
    return fail(why, fmt::format("'{}' is not a PNC id (YY/NNNNNNNL)", text));
  return s;
}

std::optional<std::string> normalise_postcode(std::string_view text, std::string* why) {
  std::string s;
  for (char c : text)
    if (c != ' ') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto bad = [&] { return fail(why, fmt::format("'{}' is not a UK postcode (full, sector, district or area)", text)); };
  // Area: 1-2 letters. District: area + digit + optional digit or letter.
  std::size_t i = 0;
  while (i < s.size() && i < 2 && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return bad();
  if (i == s.size()) return s;  // area only
  if (!std::isdigit(static_cast<unsigned char>(s[i]))) return bad();
  // Outward code is everything before the last 3 chars for a full code, last 1 for a sector.
  auto valid_outward = [](std::string_view out) {
    std::size_t j = 0;
    while (j < out.size() && j < 2 && std::isalpha(static_cast<unsigned char>(out[j]))) ++j;
    if (j == 0 || j >= out.size() || !std::isdigit(static_cast<unsigned char>(out[j]))) return false;
    ++j;
    if (j < out.size()) {
      if (!std::isalnum(static_cast<unsigned char>(out[j]))) return false;
      ++j;
    }
    return j == out.size();
  };
  auto inward_full = [](std::string_view in) {
    return in.size() == 3 && std::isdigit(static_cast<unsigned char>(in[0])) &&
           std::isalpha(static_cast<unsigned char>(in[1])) && std::isalpha(static_cast<unsigned char>(in[2]));
  };
  if (s.size() >= 5 && inward_full(std::string_view(s).substr(s.size() - 3)) &&
      valid_outward(std::string_view(s).substr(0, s.size() - 3)))
    return s.substr(0, s.size() - 3) + " " + s.substr(s.size() - 3);
  const bool had_space = text.find(' ') != std::string_view::npos;
  if (had_space && s.size() >= 3 && std::isdigit(static_cast<unsigned char>(s.back())) &&
      valid_outward(std::string_view(s).substr(0, s.size() - 1)))
    return s.substr(0, s.size() - 1) + " " + s.substr(s.size() - 1);  // sector
  if (valid_outward(s)) return s;  // district
  return bad();
}

}  // namespace joindots
