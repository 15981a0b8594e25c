#include "records/blocking_key.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "records/phonetic.hpp"

namespace joindots::link {

namespace {

constexpr std::array<std::string_view, 10> kTransformNames = {
    "value",      "soundex",   "nysiis", "prefix",   "year",
    "year_month", "month_day", "area",   "district", "sector"};

std::string valid_transforms() {
  return "soundex, nysiis, prefix1..prefix9 (names and text), year, year_month, month_day (dob), "
         "area, district, "
         "sector (postcode)";
}

std::vector<std::string> name_forms(const LinkRecord& r, Field f) {
  std::vector<std::string> out;
  if (!r[f].empty()) out.push_back(r[f]);
  if (f == Field::given_name) out.insert(out.end(), r.given_alts.begin(), r.given_alts.end());
  if (f == Field::family_name) out.insert(out.end(), r.family_alts.begin(), r.family_alts.end());
  return out;
}

void add_unique(std::vector<std::string>& v, std::string s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

std::string BlockingKey::text() const {
  std::string t(to_string(field));
  if (transform == KeyTransform::value) return t;
  t += '.';
  t += kTransformNames[static_cast<std::size_t>(transform)];
  if (transform == KeyTransform::prefix) t += std::to_string(n);
  return t;
}

std::string BlockingRule::text() const {
  std::string t;
  for (const auto& k : keys) t += (t.empty() ? "" : " & ") + k.text();
  return t;
}

BlockingKey parse_blocking_key(std::string_view text) {
  const auto dot = text.find('.');
  BlockingKey key{field_by_name(text.substr(0, dot), fmt::format("blocking key '{}'", text))};
  if (dot == std::string_view::npos) return key;
  const std::string_view t = text.substr(dot + 1);
  if (t.size() == 7 && t.substr(0, 6) == "prefix" && t[6] >= '1' && t[6] <= '9') {
    key.transform = KeyTransform::prefix;
    key.n = t[6] - '0';
    return key;
  }
  for (std::size_t i = 1; i < kTransformNames.size(); ++i) {
    if (kTransformNames[i] == t && i != static_cast<std::size_t>(KeyTransform::prefix)) {
      key.transform = static_cast<KeyTransform>(i);
      const bool date_only = key.transform == KeyTransform::year ||
                             key.transform == KeyTransform::year_month ||
                             key.transform == KeyTransform::month_day;
      const bool postcode_only = key.transform == KeyTransform::area ||
                                 key.transform == KeyTransform::district ||
                                 key.transform == KeyTransform::sector;
      if ((date_only && key.field != Field::dob) || (postcode_only && key.field != Field::postcode))
        throw UsageError(fmt::format("blocking key '{}': transform '{}' does not apply to field {}",
                                     text, t, to_string(key.field)));
      return key;
    }
  }
  throw UsageError(fmt::format("blocking key '{}': unknown transform '{}'; valid transforms are {}",
                               text, t, valid_transforms()));
}

BlockingRule parse_blocking_rule(const std::vector<std::string>& keys) {
  if (keys.empty()) throw UsageError("blocking rule with no keys");
  BlockingRule rule;
  for (const auto& k : keys) rule.keys.push_back(parse_blocking_key(k));
  return rule;
}

std::vector<std::string> key_values(const LinkRecord& r, const BlockingKey& key) {
  std::vector<std::string> out;
  const Field f = key.field;
  switch (key.transform) {
    case KeyTransform::value:
      if (f == Field::given_name || f == Field::family_name) return name_forms(r, f);
      // An exact-date key needs a full date: a year-only "2009" would put every child born
      // that year in one block (found at 1 million records).
      if (f == Field::dob && !r.dob.day) return out;
      if (!r[f].empty()) out.push_back(r[f]);
      return out;
    case KeyTransform::soundex:
      for (const auto& s : name_forms(r, f)) add_unique(out, soundex(s));
      return out;
    case KeyTransform::nysiis:
      for (const auto& s : name_forms(r, f)) add_unique(out, nysiis(s));
      return out;
    case KeyTransform::prefix:
      for (const auto& s : name_forms(r, f))
        add_unique(out, s.substr(0, static_cast<std::size_t>(key.n)));
      return out;
    case KeyTransform::year:
      if (!r[Field::dob].empty()) out.push_back(std::to_string(r.dob.year));
      return out;
    case KeyTransform::year_month:
      if (r.dob.month) out.push_back(fmt::format("{}-{}", r.dob.year, r.dob.month));
      return out;
    case KeyTransform::month_day:
      if (r.dob.day) out.push_back(fmt::format("{}-{}", r.dob.month, r.dob.day));
      return out;
    case KeyTransform::area:
      if (!r.postcode.area.empty()) out.push_back(r.postcode.area);
      return out;
    case KeyTransform::district:
      if (!r.postcode.district.empty()) out.push_back(r.postcode.district);
      return out;
    case KeyTransform::sector:
      if (!r.postcode.sector.empty()) out.push_back(r.postcode.sector);
      return out;
  }
  return out;
}

}  // namespace joindots::link
