#pragma once
// Check digits and shapes of the identifiers agencies hold.
#include <optional>
#include <string>
#include <string_view>

namespace joindots {

/// NHS number: 10 digits (spaces or hyphens allowed in input), the tenth a modulus-11 check
/// digit: weights 10..2 on the first nine digits, check = 11 - (sum mod 11), 11 -> 0, and
/// 10 makes the number invalid (NHS Data Dictionary, "NHS Number").
std::optional<std::string> normalise_nhs_number(std::string_view text, std::string* why = nullptr);
/// The check digit for nine digits, or -1 when no valid number has this stem.
int nhs_check_digit(std::string_view nine_digits);

/// Unique Pupil Number: a check letter then 12 characters (11 digits and a final digit or
/// letter for temporary UPNs). Check letter = "ABCDEFGHJKLMNPQRTUVWXYZ"[sum mod 23] with
/// weights 2..13 on characters 2..13 (DfE, "Unique Pupil Numbers (UPN)", 2023).
std::optional<std::string> normalise_upn(std::string_view text, std::string* why = nullptr);
char upn_check_letter(std::string_view twelve_chars);

/// Police National Computer id: YY/NNNNNN followed by a letter, e.g. 09/123456X
/// (year of first entry, serial of up to 7 digits, check letter).
std::optional<std::string> normalise_pnc_id(std::string_view text, std::string* why = nullptr);

/// UK postcode, full ("SW1A 1AA"), sector ("SW1A 1"), district ("SW1A") or area ("SW").
/// Returns the upper-cased form with one space between outward and inward parts.
std::optional<std::string> normalise_postcode(std::string_view text, std::string* why = nullptr);

}  // namespace joindots
