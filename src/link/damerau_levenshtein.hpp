#pragma once
// Damerau-Levenshtein edit distance (Damerau 1964; Levenshtein 1966) in its "optimal
// string alignment" form: the fewest insertions, deletions, substitutions and transpositions
// of two adjacent characters turning one string into the other, no substring edited twice.
//   d(i,j) = min(d(i-1,j)+1, d(i,j-1)+1, d(i-1,j-1)+[a_i != b_j],
//                d(i-2,j-2)+1 if a_i = b_{j-1} and a_{i-1} = b_j)
// Works on bytes (callers pass normalised text).
#include <cstddef>
#include <string_view>

namespace joindots::link {

/// The edit distance; when it exceeds `cap` returns cap + 1 early (cap 0 = no cap).
std::size_t damerau_levenshtein(std::string_view a, std::string_view b, std::size_t cap = 0);

}  // namespace joindots::link
