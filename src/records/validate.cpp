#include "records/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <bitset>
#include <set>

#include "core/identifiers.hpp"
#include "core/limits.hpp"

namespace joindots {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_attr_name(std::string_view name) {
  if (name.size() <= 5 || name.substr(0, 5) != "attr_") return false;
  return std::all_of(name.begin() + 5, name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

/// What is wrong with a value whatever its column (core/limits.hpp): a control character,
/// or more bytes than the column's cap. Empty when nothing is.
std::string generic_problem(std::string_view column, std::string_view value) {
  if (auto at = limits::first_control_character(value)) {
    const auto c = static_cast<unsigned char>(value[*at]);
    const unsigned code = c == 0xC2 ? static_cast<unsigned char>(value[*at + 1]) : c;
    const char* name = code == 0 ? " (NUL)" : code == '\t' ? " (tab)" : code == '\n' ? " (line feed)"
                                              : code == '\r' ? " (carriage return)" : "";
    return fmt::format("control character U+{:04X}{} at byte {}; a value may not hold control characters", code,
                       name, *at + 1);
  }
  if (auto cap = limits::field_cap(column); cap && value.size() > *cap)
    return fmt::format("value is {} bytes long; at most {} allowed", value.size(), *cap);
  return {};
}

std::string valid_column_list() {
  std::string out;
  for (const auto& c : kRecordColumns) out += std::string(out.empty() ? "" : ", ") + std::string(c.name);
  return out + ", attr_<name>";
}

}  // namespace

RecordValidator::RecordValidator(const std::string& file, const std::vector<std::string>& header,
                                 const AreaTable& areas, std::optional<Date> delivery_date,
                                 const std::set<std::string>& set_aside)
    : file_(file), areas_(areas), delivery_date_(delivery_date.value_or(limits::today_utc())),
      index_(kRecordColumns.size(), -1) {
  IssueCollector issues;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    if (!seen.insert(name).second) {
      issues.add({file_, 1, "header", fmt::format("column '{}' appears more than once", name)});
      continue;
    }
    auto it =
        std::find_if(kRecordColumns.begin(), kRecordColumns.end(), [&](const ColumnSpec& c) { return c.name == name; });
    if (set_aside.count(name)) {
      continue;
    } else if (it != kRecordColumns.end()) {
      index_[static_cast<std::size_t>(it - kRecordColumns.begin())] = static_cast<int>(i);
    } else if (valid_attr_name(name)) {
      attrs_.emplace_back(static_cast<int>(i), name.substr(5));
    } else {
      issues.add({file_, 1, "header",
                  fmt::format("unknown column '{}' (valid columns: {})", name, valid_column_list())});
    }
  }
  for (std::size_t k = 0; k < kRecordColumns.size(); ++k) {
    if (kRecordColumns[k].required && index_[k] < 0)
      issues.add({file_, 1, "header", fmt::format("required column '{}' is missing", kRecordColumns[k].name)});
  }
  issues.throw_if_any();
}

namespace {

// Indices into kRecordColumns, in its declared order.
enum : std::size_t {
  kRecordId, kSourceType, kSourceOrg, kRole, kRecordType, kEventDate, kLastDate, kCaseRef, kOffenceCount,
  kLadCd, kGivenName, kFamilyName, kOtherNames, kDob, kSex, kPostcode, kNhsNumber, kUpn, kPncId
};

// One row as the column checks read it: each cell trimmed, and a cell with a control
// character or over its cap reported once and then read as empty, so that the column's own
// checks do not pile further messages on it. Problems name file, line and column.
class RowCells {
 public:
  RowCells(const std::string& file, std::int64_t line, const std::vector<std::string>& fields,
           const std::vector<int>& index, const Date& delivery_date, IssueCollector& issues)
      : file_(file), line_(line), fields_(fields), index_(index), delivery_date_(delivery_date), issues_(issues) {
    for (std::size_t k = 0; k < kRecordColumns.size(); ++k) {
      if (index_[k] < 0) continue;
      const auto why = generic_problem(kRecordColumns[k].name, trim(fields[static_cast<std::size_t>(index_[k])]));
      if (!why.empty()) {
        problem(k, why);
        rejected_.set(k);
      }
    }
  }
  void problem(std::size_t k, std::string message) {
    issues_.add({file_, line_, std::string(kRecordColumns[k].name), std::move(message)});
  }
  std::string_view get(std::size_t k) const {
    const int i = index_[k];
    return i < 0 || rejected_[k] ? std::string_view() : trim(fields_[static_cast<std::size_t>(i)]);
  }
  std::string_view required(std::size_t k) {
    auto v = get(k);
    if (v.empty() && !rejected_[k]) problem(k, "required value is empty");
    return v;
  }
  // True (and said) when a date is after the delivery date, plus the grace days.
  bool after_delivery(std::size_t k, const Date& d) {
    if (d.first_day() <= delivery_date_.days() + limits::kDeliveryGraceDays) return false;
    problem(k, fmt::format("{} is after the delivery date {} (the day the file is ingested)", d.str(),
                           delivery_date_.str()));
    return true;
  }

 private:
  const std::string& file_;
  std::int64_t line_;
  const std::vector<std::string>& fields_;
  const std::vector<int>& index_;
  const Date& delivery_date_;
  IssueCollector& issues_;
  std::bitset<kRecordColumns.size()> rejected_;
};

// The record's own columns: id, source, role, type, dates, case, offences. True when the
// event date is valid (the later dates are checked against it).
bool read_event_columns(RowCells& row, Record& r) {
  r.record_id = row.required(kRecordId);
  if (auto v = row.required(kSourceType); !v.empty()) {
    if (auto e = parse_enum<SourceType>(kSourceTypeNames, v)) r.source_type = *e;
    else
      row.problem(kSourceType,
                  fmt::format("'{}' is not a source type (valid: {})", v, list_names(kSourceTypeNames)));
  }
  r.source_org = row.required(kSourceOrg);
  if (auto v = row.required(kRole); !v.empty()) {
    if (auto e = parse_enum<Role>(kRoleNames, v)) r.role = *e;
    else row.problem(kRole, fmt::format("'{}' is not a role (valid: {})", v, list_names(kRoleNames)));
  }
  if (auto v = row.required(kRecordType); !v.empty()) {
    if (auto e = parse_enum<RecordType>(kRecordTypeNames, v)) r.record_type = *e;
    else
      row.problem(kRecordType,
                  fmt::format("'{}' is not a record type (valid: {})", v, list_names(kRecordTypeNames)));
  }
  bool event_ok = false;
  if (auto v = row.required(kEventDate); !v.empty()) {
    std::string why;
    if (auto d = Date::parse_full(v, &why)) {
      r.event_date = *d;
      event_ok = !row.after_delivery(kEventDate, *d);
    } else {
      row.problem(kEventDate, why);
    }
  }
  if (auto v = row.get(kLastDate); !v.empty()) {
    std::string why;
    if (auto d = Date::parse_full(v, &why)) {
      r.last_date = d;
      if (!row.after_delivery(kLastDate, *d) && event_ok && *d < r.event_date)
        row.problem(kLastDate, fmt::format("{} is before event_date {}", d->str(), r.event_date.str()));
    } else {
      row.problem(kLastDate, why);
    }
  }
  r.case_ref = row.get(kCaseRef);
  if (auto v = row.get(kOffenceCount); !v.empty()) {
    std::int64_t n = -1;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n < 0)
      row.problem(kOffenceCount, fmt::format("'{}' is not a whole number >= 0", v));
    else
      r.offence_count = n;
  }
  return event_ok;
}

// The person's columns: names, date of birth (not after the event), sex, postcode and the
// three identifiers, normalised.
void read_person_columns(RowCells& row, bool event_ok, Record& r) {
  r.given_name = row.get(kGivenName);
  r.family_name = row.get(kFamilyName);
  r.other_names = row.get(kOtherNames);
  if (auto v = row.get(kDob); !v.empty()) {
    std::string why;
    if (auto d = Date::parse(v, &why)) {
      r.dob = d;
      if (!row.after_delivery(kDob, *d) && event_ok && d->first_day() > r.event_date.days())
        row.problem(kDob, fmt::format("{} is after event_date {}", d->str(), r.event_date.str()));
    } else {
      row.problem(kDob, why);
    }
  }
  if (auto v = row.get(kSex); !v.empty()) {
    if (auto e = parse_enum<Sex>(kSexNames, v)) r.sex = *e;
    else row.problem(kSex, fmt::format("'{}' is not a sex code (valid: {}, or empty)", v, list_names(kSexNames)));
  }
  std::string why;
  if (auto v = row.get(kPostcode); !v.empty()) {
    if (auto p = normalise_postcode(v, &why)) r.postcode = *p;
    else row.problem(kPostcode, why);
  }
  if (auto v = row.get(kNhsNumber); !v.empty()) {
    if (auto p = normalise_nhs_number(v, &why)) r.nhs_number = *p;
    else row.problem(kNhsNumber, why);
  }
  if (auto v = row.get(kUpn); !v.empty()) {
    if (auto p = normalise_upn(v, &why)) r.upn = *p;
    else row.problem(kUpn, why);
  }
  if (auto v = row.get(kPncId); !v.empty()) {
    if (auto p = normalise_pnc_id(v, &why)) r.pnc_id = *p;
    else row.problem(kPncId, why);
  }
}

}  // namespace

std::optional<Record> RecordValidator::validate(const std::vector<std::string>& fields, std::int64_t line,
                                                IssueCollector& issues, IssueCollector* warnings) const {
  const std::size_t before = issues.total();
  RowCells row(file_, line, fields, index_, delivery_date_, issues);
  Record r;
  r.line = line;
  const bool event_ok = read_event_columns(row, r);
  if (auto v = row.get(kLadCd); !v.empty()) {
    if (areas_.index_of(v) < 0)
      row.problem(kLadCd, fmt::format("'{}' is not a 2023 local authority district code of England or Wales", v));
    else
      r.lad_cd = v;
  }
  read_person_columns(row, event_ok, r);
  for (const auto& [pos, name] : attrs_) {
    auto v = trim(fields[static_cast<std::size_t>(pos)]);
    if (const auto why = generic_problem("attr_" + name, v); !why.empty())
      issues.add({file_, line, "attr_" + name, why});
    else if (!v.empty())
      r.attrs.emplace_back(name, std::string(v));
  }
  if (issues.total() != before) return std::nullopt;
  if (warnings) add_plausibility_warnings(r, *warnings);
  return r;
}

void RecordValidator::add_plausibility_warnings(const Record& r, IssueCollector& warnings) const {
  auto warn = [&](std::string_view field, std::string message) {
    warnings.add({file_, r.line, std::string(field), std::move(message)});
  };
  // The youngest age the (possibly partial) date of birth allows.
  if (r.role == Role::victim && r.dob) {
    const int youngest = age_on(Date::from_days(r.dob->last_day()), r.event_date);
    if (youngest >= limits::kVictimAgeWarn)
      warn("dob", fmt::format("victim aged {} or more on event_date {}: not a child (accepted)", youngest,
                              r.event_date.str()));
  }
  if (r.offence_count && *r.offence_count > limits::kOffenceCountWarn)
    warn("offence_count", fmt::format("{} offences on one record is more than {} (accepted)", *r.offence_count,
                                      limits::kOffenceCountWarn));
  if (r.event_date.year <= delivery_date_.year - limits::kOldEventYearsWarn)
    warn("event_date", fmt::format("{} is {} or more years before the delivery date {} (accepted)", r.event_date.str(),
                                   limits::kOldEventYearsWarn, delivery_date_.str()));
}

}  // namespace joindots
