#include "simulate/noise.hpp"

#include <array>
#include <cctype>

namespace joindots::simulate {

namespace {

// QWERTY neighbours of each lower-case letter (same row and adjacent rows).
constexpr std::array<std::string_view, 26> kNeighbours = {
    "qwsz",    // a
    "vghn",    // b
    "xdfv",    // c
    "serfcx",  // d
    "wsdr",    // e
    "drtgvc",  // f
    "ftyhbv",  // g
    "gyujnb",  // h
    "ujko",    // i
    "huikmn",  // j
    "jiolm",   // k
    "kop",     // l
    "njk",     // m
    "bhjm",    // n
    "iklp",    // o
    "ol",      // p
    "wa",      // q
    "edft",    // r
    "awedxz",  // s
    "rfgy",    // t
    "yhji",    // u
    "cfgb",    // v
    "qase",    // w
    "zsdc",    // x
    "tghu",    // y
    "asx",     // z
};

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

char match_case(char like, char c) {
  return std::isupper(static_cast<unsigned char>(like)) ? static_cast<char>(std::toupper(c)) : c;
}

}  // namespace

char keyboard_neighbour(char c, Rng& rng) {
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower < 'a' || lower > 'z') return c;
  const auto n = kNeighbours[static_cast<std::size_t>(lower - 'a')];
  return n[rng.below(n.size())];
}

std::string typo(std::string_view name, Rng& rng) {
  std::string s(name);
  std::size_t letters = 0;
  for (char c : s) letters += is_letter(c);
  if (letters < 2) return s;
  // Position: a letter, not the first (first letters are rarely mistyped; Christen 2012).
  auto pick_letter = [&]() {
    for (;;) {
      const std::size_t i = 1 + rng.below(s.size() - 1);
      if (is_letter(s[i])) return i;
    }
  };
  const auto kind = static_cast<TypoKind>(rng.below(4));
  switch (kind) {
    case TypoKind::Insert: {
      const std::size_t i = pick_letter();
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(i), match_case(s[i], keyboard_neighbour(s[i], rng)));
      break;
    }
    case TypoKind::Delete: {
      if (s.size() <= 2) break;
      s.erase(pick_letter(), 1);
      break;
    }
    case TypoKind::Substitute: {
      const std::size_t i = pick_letter();
      s[i] = match_case(s[i], keyboard_neighbour(s[i], rng));
      break;
    }
    case TypoKind::Transpose: {
      const std::size_t i = pick_letter();
      const std::size_t j = i + 1 < s.size() && is_letter(s[i + 1]) ? i + 1 : i - 1;
      if (j == 0 || !is_letter(s[j])) {
        s[i] = match_case(s[i], keyboard_neighbour(s[i], rng));
        break;
      }
      const char a = s[i], b = s[j];
      if (std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))) {
        s[i] = match_case(a, keyboard_neighbour(a, rng));  // swapping equal letters is no error
      } else {
        std::swap(s[i], s[j]);
      }
      break;
    }
  }
  if (s == name) s = std::string(name) + static_cast<char>(keyboard_neighbour(name.back(), rng));
  return s;
}

Date swap_day_month(const Date& d) {
  if (!d.is_full() || d.day > 12 || d.day == d.month) return d;
  return Date{d.year, d.day, d.month};
}

Date mistype_day(const Date& d, Rng& rng) {
  if (!d.is_full()) return d;
  Date out = d;
  const int dim = days_in_month(d.year, d.month);
  for (int tries = 0; tries < 10 && out == d; ++tries) {
    const int shift = static_cast<int>(rng.between(1, 3)) * (rng.bernoulli(0.5) ? 1 : -1);
    const int day = d.day + shift;
    if (day >= 1 && day <= dim) out.day = day;
  }
  return out;
}

Date partial_date(const Date& d, Rng& rng) {
  if (rng.bernoulli(0.6)) return Date{d.year, d.month, 0};
  return Date{d.year, 0, 0};
}

std::string partial_postcode(std::string_view full, Rng& rng) {
  const auto space = full.find(' ');
  if (space == std::string_view::npos) return std::string(full);
  if (rng.bernoulli(0.5)) return std::string(full.substr(0, space));
  return std::string(full.substr(0, space + 2));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace joindots::simulate
