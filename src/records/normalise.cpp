#include "records/normalise.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

#include "core/nicknames.hpp"

namespace joindots::link {

namespace {

// Letters that NFKD does not decompose into a base letter and a mark.
std::string_view fold_special(utf8proc_int32_t cp) {
  switch (cp) {
    case 0xF8: return "o";   // ø
    case 0xE6: return "ae";  // æ
    case 0x153: return "oe"; // œ
    case 0x142: return "l";  // ł
    case 0x111: return "d";  // đ
    case 0xF0: return "d";   // ð
    case 0xFE: return "th";  // þ
    case 0x131: return "i";  // dotless i
    default: return {};
  }
}

bool is_apostrophe(utf8proc_int32_t cp) { return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x60; }

std::string ascii_fallback(std::string_view s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(std::tolower(c));
    } else if (c != '\'') {
      space = true;
    }
  }
  return out;
}

constexpr std::array<std::string_view, 14> kTitles = {"mr",   "mrs", "miss", "ms",   "mx",  "dr",    "prof",
                                                      "sir",  "dame", "lady", "lord", "rev", "master", "mstr"};
constexpr std::array<std::string_view, 16> kParticles = {"van", "von", "der", "den", "de", "da",  "di", "del",
                                                         "la",  "le",  "du",  "mc",  "mac", "st", "o", "al"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

int to_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return (ec == std::errc() && p == s.data() + s.size()) ? v : -1;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string normalise_text(std::string_view s) {
  if (s.empty()) return {};
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                                      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                          static_cast<utf8proc_ssize_t>(s.size()), &mapped, options);
  if (n < 0) return ascii_fallback(s);
  std::string out;
  out.reserve(static_cast<std::size_t>(n));
  bool pending_space = false;
  utf8proc_ssize_t pos = 0;
  while (pos < n) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(mapped + pos, n - pos, &cp);
    if (len <= 0) break;
    pos += len;
    const auto cat = utf8proc_category(cp);
    const bool alnum = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                       (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    if (is_apostrophe(cp)) continue;
    if (!alnum) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    if (auto special = fold_special(cp); !special.empty()) {
      out += special;
    } else {
      utf8proc_uint8_t buf[4];
      const auto w = utf8proc_encode_char(cp, buf);
      out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(w));
    }
  }
  std::free(mapped);
  return out;
}

std::vector<std::string> tokens(std::string_view normalised) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < normalised.size()) {
    std::size_t end = normalised.find(' ', start);
    if (end == std::string_view::npos) end = normalised.size();
    if (end > start) out.emplace_back(normalised.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string normalise_name(std::string_view s) {
  const std::vector<std::string> words = tokens(normalise_text(s));
  std::size_t first = 0;
  while (first + 1 < words.size() && in(kTitles, words[first])) ++first;
  std::string out, carry;
  for (std::size_t i = first; i < words.size(); ++i) {
    if (i + 1 < words.size() && in(kParticles, words[i])) {
      carry += words[i];
      continue;
    }
    if (!out.empty()) out += ' ';
    out += carry;
    out += words[i];
    carry.clear();
  }
  return out;
}

std::vector<std::string> formal_given_names(std::string_view normalised) {
  std::vector<std::string> out;
  for (std::string_view formal : formal_names_of(normalised)) out.push_back(normalise_text(formal));
  return out;
}

std::string LinkDate::digits() const {
  char buf[16];
  if (day) std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
  else if (month) std::snprintf(buf, sizeof buf, "%04d%02d", year, month);
  else std::snprintf(buf, sizeof buf, "%04d", year);
  return buf;
}

std::optional<LinkDate> parse_link_date(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  LinkDate d;
  if (all_digits(s)) {
    if (s.size() == 8) {
      d = {to_int(s.substr(0, 4)), to_int(s.substr(4, 2)), to_int(s.substr(6, 2))};
    } else if (s.size() == 6) {
      d = {to_int(s.substr(0, 4)), to_int(s.substr(4, 2)), 0};
    } else if (s.size() == 4) {
      d = {to_int(s), 0, 0};
    } else {
      return std::nullopt;
    }
  } else {
    // Split on '-', '/' or '.'.
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '-' || s[i] == '/' || s[i] == '.') {
        parts.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    for (auto p : parts)
      if (!all_digits(p)) return std::nullopt;
    if (parts.size() == 3 && parts[0].size() == 4) d = {to_int(parts[0]), to_int(parts[1]), to_int(parts[2])};
    else if (parts.size() == 3 && parts[2].size() == 4) d = {to_int(parts[2]), to_int(parts[1]), to_int(parts[0])};
    else if (parts.size() == 2 && parts[0].size() == 4) d = {to_int(parts[0]), to_int(parts[1]), 0};
    else return std::nullopt;
  }
  if (d.year <= 0 || d.month < 0 || d.month > 99 || d.day < 0 || d.day > 99) return std::nullopt;
  if (d.month == 0) d.day = 0;
  return d;
}

std::optional<LinkDate> date_from_parts(std::string_view year, std::string_view month, std::string_view day) {
  const int y = to_int(year);
  if (y <= 0) return std::nullopt;
  LinkDate d{y, 0, 0};
  const int m = month.empty() ? 0 : to_int(month);
  if (m > 0 && m <= 99) {
    d.month = m;
    const int dd = day.empty() ? 0 : to_int(day);
    if (dd > 0 && dd <= 99) d.day = dd;
  }
  return d;
}

std::string normalise_identifier(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    if (std::isalnum(c)) out += static_cast<char>(std::toupper(c));
  return out;
}

PostcodeParts split_postcode(std::string_view s) {
  PostcodeParts p;
  // Outward and inward codes, split on the first space when there is one.
  std::string raw;
  for (unsigned char c : s) raw += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : (c == ' ' ? ' ' : '\0');
  std::erase(raw, '\0');
  const std::string compact = normalise_identifier(raw);
  if (compact.empty()) return p;
  auto is_alpha = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  // The outward code: 1-2 letters, a digit, then an optional letter or digit.
  auto outward_ok = [&](std::string_view o) {
    std::size_t i = 0;
    while (i < o.size() && i < 2 && is_alpha(o[i])) ++i;
    if (i == 0 || i >= o.size() || !is_digit(o[i])) return false;
    ++i;
    if (i < o.size() && (is_alpha(o[i]) || is_digit(o[i]))) ++i;
    return i == o.size();
  };
  std::string outward, inward;
  const auto space = raw.find(' ');
  if (space != std::string::npos) {
    outward = normalise_identifier(raw.substr(0, space));
    inward = normalise_identifier(raw.substr(space + 1));
  } else if (compact.size() >= 5 && is_digit(compact[compact.size() - 3]) && is_alpha(compact[compact.size() - 2]) &&
             is_alpha(compact.back())) {
    outward = compact.substr(0, compact.size() - 3);
    inward = compact.substr(compact.size() - 3);
  } else {
    outward = compact;
  }
  const bool inward_ok = inward.empty() || (is_digit(inward[0]) && inward.size() <= 3 &&
                                            std::all_of(inward.begin() + 1, inward.end(), is_alpha));
  if (!outward_ok(outward) || !inward_ok) {
    p.unit = compact;
    p.district = compact;
    return p;
  }
  p.uk = true;
  std::size_t letters = 0;
  while (letters < outward.size() && is_alpha(outward[letters])) ++letters;
  p.area = outward.substr(0, letters);
  p.district = outward;
  if (!inward.empty()) p.sector = outward + inward[0];
  if (inward.size() == 3) p.unit = outward + inward;
  return p;
}

std::string normalise_sex(std::string_view s) {
  const std::string t = normalise_text(s);
  if (t == "f" || t == "female" || t == "woman" || t == "girl" || t == "w") return "f";
  if (t == "m" || t == "male" || t == "man" || t == "boy") return "m";
  return {};
}

}  // namespace joindots::link
