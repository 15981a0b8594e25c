#pragma once
// Identifier noise: the errors and variations of real agency records. Each function applies
// one kind of error and never produces an invalid identifier (identifiers with check digits
// are dropped, not mistyped). Christen & Pudjijono (2009), "Accurate synthetic generation of
// realistic personal information" (PAKDD), describe the typo model used here: one edit of
// insert, delete, substitute (with a QWERTY keyboard neighbour) or transpose.
#include <string>
#include <string_view>

#include "core/date.hpp"
#include "core/rng.hpp"

namespace joindots::simulate {

enum class TypoKind { Insert, Delete, Substitute, Transpose };

/// One typing error in `name` (letters only are edited; the case of the neighbour follows
/// the replaced letter). Names shorter than 2 letters are returned unchanged.
std::string typo(std::string_view name, Rng& rng);

/// A QWERTY neighbour of a letter (lower case in, lower case out).
char keyboard_neighbour(char c, Rng& rng);

/// Day and month swapped (only when the day is <= 12 and differs from the month; otherwise
/// the date is returned unchanged).
Date swap_day_month(const Date& d);

/// The day moved by 1-3 (or a digit of the day mistyped), staying a valid date.
Date mistype_day(const Date& d, Rng& rng);

/// The date reduced to YYYY-MM (60%) or YYYY (40%).
Date partial_date(const Date& d, Rng& rng);

/// The postcode reduced to its district ("QB5") or sector ("QB5 3").
std::string partial_postcode(std::string_view full_postcode, Rng& rng);

/// Upper-cases ASCII letters.
std::string upper(std::string_view s);

}  // namespace joindots::simulate
