#pragma once
// The identifying fields linkage compares, the comparators that turn a pair of values into
// an agreement level, and the normalised record every stage works on (linkage, and the
// encoder, which hashes a record as linkage normalises it).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "records/normalise.hpp"

namespace joindots::link {

enum class Field : std::uint8_t {
  given_name, family_name, dob, sex, postcode, locality, address, birth_place, occupation, email,
  nhs_number, upn, pnc_id, identifier
};
inline constexpr std::size_t kFieldCount = 14;
inline constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "given_name", "family_name", "dob",   "sex",        "postcode", "locality", "address", "birth_place",
    "occupation", "email",       "nhs_number", "upn", "pnc_id",   "identifier"};

/// Comparators, each with its ordered agreement levels. Level 0 is always "missing" (one
/// side or both lack the value: no evidence either way), level 1 "else" (disagreement);
/// higher levels are closer agreement, the last is exact.
enum class Comparator : std::uint8_t { exact, jaro_winkler, name, damerau_levenshtein, date, postcode, identifier };
inline constexpr std::size_t kComparatorCount = 7;
inline constexpr std::array<std::string_view, kComparatorCount> kComparatorNames = {
    "exact", "jaro_winkler", "name", "damerau_levenshtein", "date", "postcode", "identifier"};

/// Level names of a comparator, level 0 ("missing") first.
std::vector<std::string_view> level_names(Comparator c);
inline std::size_t level_count(Comparator c) { return level_names(c).size(); }

/// The comparator a field gets when the config names none.
Comparator default_comparator(Field f);

/// "given_name, family_name, ... or identifier"
std::string valid_field_names();
std::string valid_comparator_names();
/// Lookup by name; throws UsageError listing the valid names on a miss (`what` says where).
Field field_by_name(std::string_view name, std::string_view what);
Comparator comparator_by_name(std::string_view name, std::string_view what);

inline std::string_view to_string(Field f) { return kFieldNames[static_cast<std::size_t>(f)]; }
inline std::string_view to_string(Comparator c) { return kComparatorNames[static_cast<std::size_t>(c)]; }

/// One record, normalised, as blocking and comparison see it.
struct LinkRecord {
  std::uint32_t source = 0;  // input file (CSV mode) or source type (store mode)
  std::string id;            // id within its source
  /// Normalised values, empty = missing. dob holds LinkDate::digits(); postcode the unit
  /// (or the finest part known); sex "f"/"m".
  std::array<std::string, kFieldCount> value;
  /// Other forms of the given name: its tokens, aliases (other_names) and the formal names
  /// a nickname stands for. Other forms of the family name: its tokens when it has several.
  std::vector<std::string> given_alts, family_alts;
  LinkDate dob;
  PostcodeParts postcode;

  const std::string& operator[](Field f) const { return value[static_cast<std::size_t>(f)]; }
  std::string& operator[](Field f) { return value[static_cast<std::size_t>(f)]; }
};

/// Raw field values of one record, before normalisation.
struct RawRecord {
  std::uint32_t source = 0;
  std::string id;
  std::array<std::string, kFieldCount> value;
  std::string other_names;  // '|'-separated aliases
  std::string dob_year, dob_month, dob_day;  // used when value[dob] is empty
};

/// Normalises one record: names through normalise_name (+ nicknames, aliases, tokens),
/// dates through parse_link_date (an unparseable date is missing), postcodes split,
/// identifiers to upper-case alphanumerics, other text through normalise_text.
LinkRecord normalise_record(const RawRecord& raw);

/// The raw identifying fields of a validated record (names, dob, sex, postcode and the
/// three identifiers): what linkage and the encoder normalise.
RawRecord raw_from_record(const Record& r);

}  // namespace joindots::link
