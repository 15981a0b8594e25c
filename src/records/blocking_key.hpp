#pragma once
// Blocking keys: a field and a transform of it ("family_name.soundex", "dob.year"), and
// rules, conjunctions of keys. Plaintext linkage blocks on them (link/block.hpp) and the
// encoder turns the same rules into keyed tokens (encode/encoder.hpp), so they sit below
// both.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "records/fields.hpp"

namespace joindots::link {

enum class KeyTransform : std::uint8_t {
  value,
  soundex,
  nysiis,
  prefix,
  year,
  year_month,
  month_day,
  area,
  district,
  sector
};

struct BlockingKey {
  Field field;
  KeyTransform transform = KeyTransform::value;
  int n = 0;  // prefix length
  std::string text() const;
};

struct BlockingRule {
  std::vector<BlockingKey> keys;
  std::string text() const;  // "family_name.soundex & dob.year"
};

/// Parses one key: "<field>[.<transform>]" with transforms soundex, nysiis, prefixN (N in
/// 1..9), year, year_month, month_day (dob), area, district, sector (postcode). Throws
/// UsageError listing the valid names on a miss.
BlockingKey parse_blocking_key(std::string_view text);
BlockingRule parse_blocking_rule(const std::vector<std::string>& keys);

/// The values of a key for a record (several for names with alternatives; none when the
/// field is missing).
std::vector<std::string> key_values(const LinkRecord& r, const BlockingKey& key);

}  // namespace joindots::link
