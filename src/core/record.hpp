#pragma once
// One agency record, and the enumerations of the input schema (docs/schema.md).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.hpp"

namespace joindots {

enum class SourceType { police, children_services, health, nrm, charity, education, youth_justice };
enum class Role { victim, suspect, associate };
enum class RecordType { crime, assessment, referral, attendance, nrm_referral, casework };
enum class Sex { F, M, other, unknown };

inline constexpr std::array<std::string_view, 7> kSourceTypeNames = {
    "police", "children_services", "health", "nrm", "charity", "education", "youth_justice"};
inline constexpr std::array<std::string_view, 3> kRoleNames = {"victim", "suspect", "associate"};
inline constexpr std::array<std::string_view, 6> kRecordTypeNames = {
    "crime", "assessment", "referral", "attendance", "nrm_referral", "casework"};
inline constexpr std::array<std::string_view, 4> kSexNames = {"F", "M", "other", "unknown"};

template <typename Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

inline std::string_view to_string(SourceType v) { return kSourceTypeNames[static_cast<std::size_t>(v)]; }
inline std::string_view to_string(Role v) { return kRoleNames[static_cast<std::size_t>(v)]; }
inline std::string_view to_string(RecordType v) { return kRecordTypeNames[static_cast<std::size_t>(v)]; }
inline std::string_view to_string(Sex v) { return kSexNames[static_cast<std::size_t>(v)]; }

/// "a, b or c" for error messages that list the valid names.
template <std::size_t N>
std::string list_names(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += i + 1 == N ? " or " : ", ";
    out += names[i];
  }
  return out;
}

struct Record {
  std::string record_id;
  SourceType source_type = SourceType::police;
  std::string source_org;
  Role role = Role::victim;
  RecordType record_type = RecordType::crime;
  Date event_date;
  std::optional<Date> last_date;
  std::string case_ref;
  std::optional<std::int64_t> offence_count;
  std::string lad_cd;
  std::string given_name, family_name, other_names;
  std::optional<Date> dob;
  Sex sex = Sex::unknown;
  std::string postcode, nhs_number, upn, pnc_id;
  std::vector<std::pair<std::string, std::string>> attrs;  // attr_* columns, name without prefix
  std::int64_t line = 0;                                    // where it was read from
};

/// The columns of the plaintext input schema, in the order the simulator writes them.
/// Declared once; ingest validation, the simulator and docs/schema.md follow this list.
struct ColumnSpec {
  std::string_view name;
  bool required;
  std::string_view rule;  // one line for --help and docs
};

inline constexpr std::array<ColumnSpec, 19> kRecordColumns = {{
    {"record_id", true, "non-empty; unique within its source_org"},
    {"source_type", true, "police, children_services, health, nrm, charity, education or youth_justice"},
    {"source_org", true, "non-empty code of the recording organisation"},
    {"role", true, "victim, suspect or associate"},
    {"record_type", true, "crime, assessment, referral, attendance, nrm_referral or casework"},
    {"event_date", true, "YYYY-MM-DD: first concern in this source"},
    {"last_date", false, "YYYY-MM-DD, not before event_date: latest contact"},
    {"case_ref", false, "links records of one case within a source"},
    {"offence_count", false, "whole number >= 0"},
    {"lad_cd", false, "GSS code of a 2023 local authority district in England or Wales"},
    {"given_name", false, "free text"},
    {"family_name", false, "free text"},
    {"other_names", false, "aliases and nicknames, |-separated"},
    {"dob", false, "YYYY-MM-DD, YYYY-MM or YYYY; not after event_date"},
    {"sex", false, "F, M, other or unknown (empty = unknown)"},
    {"postcode", false, "UK postcode: full, sector, district or area"},
    {"nhs_number", false, "10 digits with a valid modulus-11 check digit"},
    {"upn", false, "Unique Pupil Number with a valid check letter"},
    {"pnc_id", false, "Police National Computer id, YY/NNNNNNNL"},
}};

}  // namespace joindots
