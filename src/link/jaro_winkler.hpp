#pragma once
// Jaro (1989) and Jaro-Winkler (Winkler 1990) string similarity.
//
// Jaro: with m matching characters (equal and no further apart than
// floor(max(|a|,|b|)/2) - 1) and t half the number of matched characters out of order,
//   jaro = (m/|a| + m/|b| + (m - t)/m) / 3      (0 when m = 0).
// Winkler's boost for a common prefix of length l (at most 4) with scale p = 0.1:
//   jw = jaro + l * p * (1 - jaro).
// Published values: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
// Works on bytes: callers pass normalised (case-folded, accent-stripped) text.
#include <string_view>

namespace joindots::link {

/// Jaro similarity in [0, 1]; 1 for two empty strings.
double jaro(std::string_view a, std::string_view b);

/// Jaro-Winkler similarity in [0, 1]; `prefix_scale` p must be in [0, 0.25].
double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale = 0.1);

}  // namespace joindots::link
