#pragma once
// The typed values of the Store interface as the SQLite store keeps them in text columns
// (dates YYYY-MM-DD, enums by name, capture histories as "police|health"), and back. A
// stored text that does not parse is a damaged store: InternalError naming the database.
// `Db` is either store's connection (sqlite::Database, pg::Connection): anything with fail().
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "core/record.hpp"
#include "store/sqlite/sqlite.hpp"

namespace joindots::stored {

template <typename Enum, std::size_t N, typename Db>
Enum enum_value(const Db& db, const std::array<std::string_view, N>& names, std::string_view text,
                std::string_view what) {
  const auto value = parse_enum<Enum>(names, text);
  if (!value) db.fail("stored " + std::string(what) + " '" + std::string(text) + "' is not a " + std::string(what));
  return *value;
}

template <typename Db>
Date date_value(const Db& db, std::string_view text) {
  const auto d = Date::parse(text);
  if (!d) db.fail("stored date '" + std::string(text) + "' is not a date");
  return *d;
}

/// "police|health": the source types' names in the given order, '|'-separated.
inline std::string capture_history_text(const std::vector<SourceType>& sources) {
  std::string out;
  for (const auto s : sources) out += (out.empty() ? "" : "|") + std::string(to_string(s));
  return out;
}

template <typename Db>
std::vector<SourceType> capture_history_value(const Db& db, std::string_view text) {
  std::vector<SourceType> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t end = std::min(text.find('|', start), text.size());
    out.push_back(enum_value<SourceType>(db, kSourceTypeNames, text.substr(start, end - start), "source type"));
    start = end + 1;
  }
  return out;
}

}  // namespace joindots::stored
