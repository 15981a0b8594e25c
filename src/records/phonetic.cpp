#include "records/phonetic.hpp"

namespace joindots::link {

namespace {

std::string upper_letters(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z') out += c;
  }
  return out;
}

char soundex_digit(char c) {
  switch (c) {
    case 'B': case 'F': case 'P': case 'V': return '1';
    case 'C': case 'G': case 'J': case 'K': case 'Q': case 'S': case 'X': case 'Z': return '2';
    case 'D': case 'T': return '3';
    case 'L': return '4';
    case 'M': case 'N': return '5';
    case 'R': return '6';
    case 'H': case 'W': return 'h';  // transparent: does not separate equal codes
    default: return '0';             // vowels (and Y) separate equal codes
  }
}

bool is_vowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

}  // namespace

std::string soundex(std::string_view name) {
  const std::string s = upper_letters(name);
  if (s.empty()) return {};
  std::string code(1, s[0]);
  char last = soundex_digit(s[0]);
  for (std::size_t i = 1; i < s.size() && code.size() < 4; ++i) {
    const char d = soundex_digit(s[i]);
    if (d == 'h') continue;
    if (d != '0' && d != last) code += d;
    last = d;
  }
  code.resize(4, '0');
  return code;
}

std::string nysiis(std::string_view name, std::size_t max_len) {
  std::string s = upper_letters(name);
  if (s.empty()) return {};
  // 1. Prefixes.
  if (starts_with(s, "MAC")) s.replace(0, 3, "MCC");
  else if (starts_with(s, "KN")) s.replace(0, 2, "NN");
  else if (starts_with(s, "K")) s[0] = 'C';
  else if (starts_with(s, "PH") || starts_with(s, "PF")) s.replace(0, 2, "FF");
  else if (starts_with(s, "SCH")) s.replace(0, 3, "SSS");
  // 2. Suffixes.
  if (ends_with(s, "EE") || ends_with(s, "IE")) s.replace(s.size() - 2, 2, "Y");
  else if (ends_with(s, "DT") || ends_with(s, "RT") || ends_with(s, "RD") || ends_with(s, "NT") ||
           ends_with(s, "ND"))
    s.replace(s.size() - 2, 2, "D");
  // 3. The key starts with the first letter; 4. translate the rest.
  std::string key(1, s[0]);
  const std::size_t n = s.size();
  for (std::size_t i = 1; i < n; ++i) {
    std::string ch(1, s[i]);
    const char c = s[i];
    if (c == 'E' && i + 1 < n && s[i + 1] == 'V') {
      ch = "AF";
      ++i;
    } else if (is_vowel(c)) {
      ch = "A";
    } else if (c == 'Q') {
      ch = "G";
    } else if (c == 'Z') {
      ch = "S";
    } else if (c == 'M') {
      ch = "N";
    } else if (c == 'K') {
      ch = (i + 1 < n && s[i + 1] == 'N') ? "N" : "C";
    } else if (c == 'S' && i + 2 < n && s[i + 1] == 'C' && s[i + 2] == 'H') {
      ch = "SSS";
      i += 2;
    } else if (c == 'P' && i + 1 < n && s[i + 1] == 'H') {
      ch = "FF";
      ++i;
    } else if (c == 'H' && (!is_vowel(s[i - 1]) || i + 1 >= n || !is_vowel(s[i + 1]))) {
      ch = std::string(1, is_vowel(s[i - 1]) ? 'A' : s[i - 1]);
    } else if (c == 'W' && is_vowel(s[i - 1])) {
      ch = "A";
    }
    for (char x : ch)
      if (x != key.back()) key += x;
  }
  // 5. Trailing S, 6. trailing AY -> Y, 7. trailing A.
  if (key.size() > 1 && key.back() == 'S') key.pop_back();
  if (ends_with(key, "AY")) key.replace(key.size() - 2, 2, "Y");
  if (key.size() > 1 && key.back() == 'A') key.pop_back();
  if (max_len && key.size() > max_len) key.resize(max_len);
  return key;
}

}  // namespace joindots::link
