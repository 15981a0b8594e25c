#pragma once
// Normalisation of the identifying fields before blocking and comparison (METHODS.md §1):
// Unicode NFKC, case folding, accents stripped (utf8proc), punctuation removed, spaces
// collapsed; titles dropped and name particles joined; given names mapped to their formal
// forms through the nickname table; partial dates; UK postcodes split into their parts.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace joindots::link {

/// NFKC + case fold + accents stripped; letters and digits kept, apostrophes dropped
/// ("O'Brien" -> "obrien"), every other character a space; runs of spaces collapsed and
/// trimmed. "  José  Ñúñez-Smith " -> "jose nunez smith". Invalid UTF-8 falls back to ASCII
/// lower-casing of the bytes.
std::string normalise_text(std::string_view s);

/// A name: normalise_text, then leading titles (mr, mrs, miss, ms, dr, sir, ...) dropped and
/// particles joined to the next word ("Van der Berg" -> "vanderberg", "Mc Donald" ->
/// "mcdonald"). Tokens stay space-separated ("smith jones").
std::string normalise_name(std::string_view s);

/// The space-separated tokens of a normalised string.
std::vector<std::string> tokens(std::string_view normalised);

/// Formal forms a normalised given name can stand for ("bob" -> {"robert"}, "alex" ->
/// {"alexander", "alexandra"}), from the nickname table shared with the simulator; empty
/// when the name is not a known nickname.
std::vector<std::string> formal_given_names(std::string_view normalised);

/// A date of birth with partial precision: month and day are 0 when unknown. Values are not
/// range-checked beyond their digit counts: recorded dates with typos (month 13) still
/// compare digit by digit.
struct LinkDate {
  int year = 0, month = 0, day = 0;
  /// "YYYYMMDD", "YYYYMM" or "YYYY".
  std::string digits() const;
  bool operator==(const LinkDate&) const = default;
};

/// Parses YYYY-MM-DD, YYYY-MM, YYYY, YYYYMMDD, YYYY/MM/DD and DD/MM/YYYY; nullopt otherwise.
std::optional<LinkDate> parse_link_date(std::string_view s);

/// A date from separate year, month and day columns (month and day may be empty).
std::optional<LinkDate> date_from_parts(std::string_view year, std::string_view month, std::string_view day);

/// A postcode split into its parts. UK postcodes "TQ13 8DF" give area "TQ", district
/// "TQ13", sector "TQ138", unit "TQ138DF"; partial ones fill what they hold. Anything else
/// (an Australian "4011") is not UK: its upper-cased alphanumerics are the unit and the
/// district, the other parts empty.
struct PostcodeParts {
  std::string area, district, sector, unit;
  bool uk = false;
  bool empty() const { return unit.empty() && district.empty() && area.empty(); }
};
PostcodeParts split_postcode(std::string_view s);

/// An identifier (NHS number, UPN, PNC id, any id): upper-cased letters and digits only.
std::string normalise_identifier(std::string_view s);

/// Sex to "f", "m" or "" (unknown): accepts F/M/female/male/woman/man/girl/boy, any case.
std::string normalise_sex(std::string_view s);

}  // namespace joindots::link
