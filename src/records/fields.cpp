#include "records/fields.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace joindots::link {

std::vector<std::string_view> level_names(Comparator c) {
  switch (c) {
    case Comparator::exact: return {"missing", "else", "exact"};
    case Comparator::jaro_winkler: return {"missing", "else", "jw>=0.80", "jw>=0.92", "exact"};
    case Comparator::name: return {"missing", "else", "jw>=0.80", "jw>=0.92", "alias/nickname/token", "exact"};
    case Comparator::damerau_levenshtein: return {"missing", "else", "dl<=2", "dl<=1", "exact"};
    case Comparator::date:
      return {"missing", "else", "within a year", "same year-month", "day/month swapped or one typo", "exact"};
    case Comparator::postcode: return {"missing", "else", "area", "district", "sector or one typo", "exact"};
    case Comparator::identifier: return {"missing", "else", "one typo", "exact"};
  }
  return {};
}

Comparator default_comparator(Field f) {
  switch (f) {
    case Field::given_name:
    case Field::family_name: return Comparator::name;
    case Field::dob: return Comparator::date;
    case Field::sex: return Comparator::exact;
    case Field::postcode: return Comparator::postcode;
    case Field::locality:
    case Field::address:
    case Field::birth_place:
    case Field::occupation:
    case Field::email: return Comparator::jaro_winkler;
    case Field::nhs_number:
    case Field::upn:
    case Field::pnc_id:
    case Field::identifier: return Comparator::identifier;
  }
  return Comparator::exact;
}

namespace {
template <std::size_t N>
std::string join_names(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += i + 1 == N ? " or " : ", ";
    out += names[i];
  }
  return out;
}
}  // namespace

std::string valid_field_names() { return join_names(kFieldNames); }
std::string valid_comparator_names() { return join_names(kComparatorNames); }

Field field_by_name(std::string_view name, std::string_view what) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (kFieldNames[i] == name) return static_cast<Field>(i);
  throw UsageError(std::string(what) + ": unknown field '" + std::string(name) + "'; valid fields are " +
                   valid_field_names());
}

Comparator comparator_by_name(std::string_view name, std::string_view what) {
  for (std::size_t i = 0; i < kComparatorCount; ++i)
    if (kComparatorNames[i] == name) return static_cast<Comparator>(i);
  throw UsageError(std::string(what) + ": unknown comparator '" + std::string(name) +
                   "'; valid comparators are " + valid_comparator_names());
}

namespace {
void add_unique(std::vector<std::string>& v, std::string s, const std::string& main) {
  if (s.empty() || s == main) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}
}  // namespace

LinkRecord normalise_record(const RawRecord& raw) {
  LinkRecord r;
  r.source = raw.source;
  r.id = raw.id;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<Field>(i);
    const std::string& v = raw.value[i];
    switch (f) {
      case Field::given_name:
      case Field::family_name: r[f] = normalise_name(v); break;
      case Field::dob: break;
      case Field::sex: r[f] = normalise_sex(v); break;
      case Field::postcode:
        r.postcode = split_postcode(v);
        r[f] = !r.postcode.unit.empty() ? r.postcode.unit
               : !r.postcode.sector.empty() ? r.postcode.sector
               : !r.postcode.district.empty() ? r.postcode.district
                                              : r.postcode.area;
        break;
      case Field::nhs_number:
      case Field::upn:
      case Field::pnc_id:
      case Field::identifier: r[f] = normalise_identifier(v); break;
      default: r[f] = normalise_text(v); break;
    }
  }
  std::optional<LinkDate> dob = parse_link_date(raw.value[static_cast<std::size_t>(Field::dob)]);
  if (!dob && !raw.dob_year.empty()) dob = date_from_parts(raw.dob_year, raw.dob_month, raw.dob_day);
  if (dob) {
    r.dob = *dob;
    r[Field::dob] = dob->digits();
  }
  // Given-name alternatives: tokens, aliases, and the formal names of each.
  const std::string& given = r[Field::given_name];
  std::vector<std::string> forms;
  if (!given.empty()) {
    const auto toks = tokens(given);
    if (toks.size() > 1) forms.insert(forms.end(), toks.begin(), toks.end());
  }
  std::string_view others = raw.other_names;
  while (!others.empty()) {
    const auto bar = others.find('|');
    const std::string alias = normalise_name(others.substr(0, bar));
    if (!alias.empty()) forms.push_back(alias);
    if (bar == std::string_view::npos) break;
    others.remove_prefix(bar + 1);
  }
  if (given.empty() && !forms.empty()) {
    r[Field::given_name] = forms.front();  // an alias is better than nothing
    forms.erase(forms.begin());
  }
  for (auto& f : forms) add_unique(r.given_alts, f, r[Field::given_name]);
  std::vector<std::string> base = r.given_alts;
  base.push_back(r[Field::given_name]);
  for (const auto& b : base)
    for (auto& formal : formal_given_names(b)) add_unique(r.given_alts, std::move(formal), r[Field::given_name]);
  const auto fam = tokens(r[Field::family_name]);
  if (fam.size() > 1)
    for (const auto& t : fam) add_unique(r.family_alts, t, r[Field::family_name]);
  return r;
}

namespace {
void set(RawRecord& raw, Field f, std::string v) { raw.value[static_cast<std::size_t>(f)] = std::move(v); }
}  // namespace

RawRecord raw_from_record(const Record& r) {
  RawRecord raw;
  raw.id = r.record_id;
  set(raw, Field::given_name, r.given_name);
  set(raw, Field::family_name, r.family_name);
  raw.other_names = r.other_names;
  if (r.dob) set(raw, Field::dob, r.dob->str());
  if (r.sex == Sex::F || r.sex == Sex::M) set(raw, Field::sex, std::string(to_string(r.sex)));
  set(raw, Field::postcode, r.postcode);
  set(raw, Field::nhs_number, r.nhs_number);
  set(raw, Field::upn, r.upn);
  set(raw, Field::pnc_id, r.pnc_id);
  return raw;
}

}  // namespace joindots::link
