#pragma once
// Phonetic codes of names, for blocking: names that sound alike share a code.
//  - Soundex (Russell & Odell, US patents 1918/1922; the American Soundex of the US
//    National Archives): first letter + three digits, e.g. Robert, Rupert -> R163.
//  - NYSIIS (Taft 1970, New York State Identification and Intelligence System), which
//    keeps more of a name's shape than Soundex: e.g. Knight -> NAGT, Mitchell -> MATCAL.
// Both read ASCII letters and ignore everything else; the empty string maps to "".
#include <string>
#include <string_view>

namespace joindots::link {

std::string soundex(std::string_view name);

/// NYSIIS, untruncated (the original truncates to 6 characters; pass max_len = 6 for that).
std::string nysiis(std::string_view name, std::size_t max_len = 0);

}  // namespace joindots::link
