#pragma once
// Nicknames and diminutives of English given names (Rebecca -> Becky, Becca, Bex), a
// hand-written table of about a hundred formal names. The simulator uses it to put
// nicknames on records; the linker can use the same table to compare given names.
// Lookups ignore case.
#include <span>
#include <string_view>
#include <vector>

namespace joindots {

struct NicknameEntry {
  std::string_view formal;
  std::string_view nicknames;  // '|'-separated, most common first
};

/// The whole table, formal names in alphabetical order.
std::span<const NicknameEntry> nickname_table();

/// Nicknames of a formal given name, most common first; empty when it has none.
std::vector<std::string_view> nicknames_of(std::string_view given_name);

/// Formal names a nickname can stand for ("Alex" -> Alexander, Alexandra); empty if none.
std::vector<std::string_view> formal_names_of(std::string_view nickname);

/// True when the names are equal, one is a nickname of the other, or both are nicknames of
/// one formal name (case-insensitive).
bool nickname_equivalent(std::string_view a, std::string_view b);

}  // namespace joindots
