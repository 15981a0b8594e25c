#include "link/compare.hpp"

#include <algorithm>
#include <cstdlib>

#include "link/damerau_levenshtein.hpp"
#include "link/jaro_winkler.hpp"

namespace joindots::link {

namespace {

constexpr int kMissing = 0, kElse = 1;

int jw_level(const std::string& a, const std::string& b, int top) {
  if (a == b) return top;
  const double s = jaro_winkler(a, b);
  return s >= 0.92 ? 3 : (s >= 0.80 ? 2 : kElse);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool alt_match(const std::string& a, const std::vector<std::string>& a_alts, const std::string& b,
               const std::vector<std::string>& b_alts) {
  if (contains(b_alts, a) || contains(a_alts, b)) return true;
  for (const auto& x : a_alts)
    if (contains(b_alts, x)) return true;
  return false;
}

int name_level(const LinkRecord& a, const LinkRecord& b, Field f) {
  const std::string& x = a[f];
  const std::string& y = b[f];
  if (x == y) return 5;
  const auto& xa = f == Field::given_name ? a.given_alts : a.family_alts;
  const auto& ya = f == Field::given_name ? b.given_alts : b.family_alts;
  if (alt_match(x, xa, y, ya)) return 4;
  // Best Jaro-Winkler over the main forms and single-token alternatives.
  double best = jaro_winkler(x, y);
  if (best < 0.92 && (!xa.empty() || !ya.empty())) {
    for (const auto& s : xa) best = std::max(best, jaro_winkler(s, y));
    for (const auto& s : ya) best = std::max(best, jaro_winkler(x, s));
  }
  return best >= 0.92 ? 3 : (best >= 0.80 ? 2 : kElse);
}

/// YYYYMMDD of a full date into `buf` without formatting (this runs per candidate pair);
/// dates outside 4-digit years take LinkDate::digits().
std::string_view date_digits(const LinkDate& d, char (&buf)[8], std::string& fallback) {
  if (d.year < 0 || d.year > 9999 || d.month < 0 || d.month > 99 || d.day < 0 || d.day > 99) {
    fallback = d.digits();
    return fallback;
  }
  const int parts[3] = {d.year, d.month, d.day};
  buf[0] = static_cast<char>('0' + parts[0] / 1000);
  buf[1] = static_cast<char>('0' + parts[0] / 100 % 10);
  buf[2] = static_cast<char>('0' + parts[0] / 10 % 10);
  buf[3] = static_cast<char>('0' + parts[0] % 10);
  buf[4] = static_cast<char>('0' + parts[1] / 10);
  buf[5] = static_cast<char>('0' + parts[1] % 10);
  buf[6] = static_cast<char>('0' + parts[2] / 10);
  buf[7] = static_cast<char>('0' + parts[2] % 10);
  return {buf, 8};
}

int dl_level(const std::string& a, const std::string& b) {
  if (a == b) return 4;
  const std::size_t d = damerau_levenshtein(a, b, 2);
  return d <= 1 ? 3 : (d <= 2 ? 2 : kElse);
}

}  // namespace

int compare_dates(const LinkDate& a, const LinkDate& b) {
  // Compare at the coarser of the two precisions.
  const bool days = a.day && b.day, months = a.month && b.month;
  if (a.year == b.year && (!months || a.month == b.month) && (!days || a.day == b.day)) {
    if (days) return 5;
    return months ? 3 : 2;  // equal as far as both go: year-month, or year only
  }
  if (days) {
    if (a.year == b.year && a.month == b.day && a.day == b.month) return 4;
    char da[8], db[8];
    std::string fa, fb;
    if (damerau_levenshtein(date_digits(a, da, fa), date_digits(b, db, fb), 1) <= 1) return 4;
  }
  if (months && a.year == b.year && a.month == b.month) return 3;
  const int am = a.year * 12 + (a.month ? a.month : 6), bm = b.year * 12 + (b.month ? b.month : 6);
  if (std::abs(am - bm) <= 12) return 2;
  return kElse;
}

int compare_postcodes(const PostcodeParts& a, const PostcodeParts& b) {
  if (!a.uk || !b.uk) {
    if (a.unit.empty() || b.unit.empty()) return kMissing;
    if (a.unit == b.unit) return 5;
    return damerau_levenshtein(a.unit, b.unit, 1) <= 1 ? 4 : kElse;
  }
  // Compare at the finest part both hold.
  if (!a.unit.empty() && !b.unit.empty()) {
    if (a.unit == b.unit) return 5;
  }
  if (!a.sector.empty() && !b.sector.empty() && a.sector == b.sector) return 4;
  if (a.district == b.district) return 3;
  if (a.area == b.area) return 2;
  return kElse;
}

int compare_field(const LinkRecord& a, const LinkRecord& b, const Comparison& c) {
  const std::string& x = a[c.field];
  const std::string& y = b[c.field];
  if (x.empty() || y.empty()) return kMissing;
  switch (c.comparator) {
    case Comparator::exact:
      return x == y ? 2 : kElse;
    case Comparator::jaro_winkler:
      return jw_level(x, y, 4);
    case Comparator::name:
      return name_level(a, b, c.field);
    case Comparator::damerau_levenshtein:
      return dl_level(x, y);
    case Comparator::date:
      if (c.field == Field::dob) return compare_dates(a.dob, b.dob);
      {
        auto da = parse_link_date(x), db = parse_link_date(y);
        return da && db ? compare_dates(*da, *db) : (x == y ? 5 : kElse);
      }
    case Comparator::postcode:
      if (c.field == Field::postcode) return compare_postcodes(a.postcode, b.postcode);
      return compare_postcodes(split_postcode(x), split_postcode(y));
    case Comparator::identifier:
      if (x == y) return 3;
      return damerau_levenshtein(x, y, 1) <= 1 ? 2 : kElse;
  }
  return kElse;
}

Pattern compare_pair(const LinkRecord& a, const LinkRecord& b,
                     const std::vector<Comparison>& comparisons) {
  Pattern p = 0;
  int given_k = -1, family_k = -1, given_level = 0, family_level = 0;
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    const int level = compare_field(a, b, comparisons[k]);
    p |= static_cast<Pattern>(level) << (4 * k);
    if (comparisons[k].comparator == Comparator::name) {
      if (comparisons[k].field == Field::given_name)
        given_k = static_cast<int>(k), given_level = level;
      if (comparisons[k].field == Field::family_name)
        family_k = static_cast<int>(k), family_level = level;
    }
  }
  // Given and family names swapped (a common recording error): when both disagree as
  // recorded but agree crosswise, score them as close (Jaro-Winkler >= 0.92) agreement.
  if (given_k >= 0 && family_k >= 0 && given_level == kElse && family_level == kElse) {
    const std::string& ag = a[Field::given_name];
    const std::string& af = a[Field::family_name];
    const std::string& bg = b[Field::given_name];
    const std::string& bf = b[Field::family_name];
    const double s1 = ag == bf ? 1.0 : jaro_winkler(ag, bf);
    const double s2 = af == bg ? 1.0 : jaro_winkler(af, bg);
    auto lvl = [](double s) { return s >= 0.92 ? 3 : (s >= 0.80 ? 2 : kElse); };
    if (std::min(s1, s2) >= 0.80) {
      p &= ~((Pattern{0xF} << (4 * given_k)) | (Pattern{0xF} << (4 * family_k)));
      p |= static_cast<Pattern>(lvl(s1)) << (4 * given_k);
      p |= static_cast<Pattern>(lvl(s2)) << (4 * family_k);
    }
  }
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    const int j = comparisons[k].absorbed_by;
    if (j >= 0 && level_of(p, static_cast<std::size_t>(j)) == comparisons[k].absorber_top)
      p &= ~(Pattern{0xF} << (4 * k));
  }
  return p;
}

}  // namespace joindots::link
