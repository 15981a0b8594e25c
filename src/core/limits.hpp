#pragma once
// Input limits and plausibility checks, declared once beside the schema (record.hpp) and
// documented in docs/schema.md ("Limits and plausibility"). Ingest validation applies them;
// estimation relies on them (the reference date never passes the delivery date).
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

#include "core/date.hpp"

namespace joindots::limits {

/// Any CSV field the reader will hold, whatever the file: past this the row is reported and
/// skipped without buffering the rest of the field.
inline constexpr std::size_t kMaxCsvFieldBytes = 64 * 1024;

/// Longest value (bytes of UTF-8, after trimming) of each free-text column; the coded
/// columns (dates, enumerations, identifiers) are checked by their own rules.
struct FieldCap {
  std::string_view column;
  std::size_t max_bytes;
};
inline constexpr std::array<FieldCap, 7> kFieldCaps = {{
    {"record_id", 128},
    {"source_org", 64},
    {"case_ref", 128},
    {"given_name", 200},
    {"family_name", 200},
    {"other_names", 1000},
    {"attr_*", 1000},  // every attr_<name> value
}};

/// The cap of `column` (an attr_ column takes the "attr_*" cap), or nullopt when uncapped.
inline std::optional<std::size_t> field_cap(std::string_view column) {
  if (column.substr(0, 5) == "attr_") column = "attr_*";
  for (const auto& c : kFieldCaps)
    if (c.column == column) return c.max_bytes;
  return std::nullopt;
}

/// A control character in a value: U+0000-U+001F (NUL, tab, CR, LF ...), U+007F and the C1
/// controls U+0080-U+009F. No column may hold one (a tab around a value is trimmed first).
/// Returns the byte offset of the first one, or nullopt. `text` must be valid UTF-8.
inline std::optional<std::size_t> first_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return i;
    // C1 controls are U+0080-U+009F, encoded 0xC2 0x80-0x9F.
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F)
      return i;
  }
  return std::nullopt;
}

/// Dates: Date::parse already rejects years before 1900 (and after 2100). A date after the
/// delivery date is rejected. A file carries no delivery date of its own, so the delivery
/// date is the day it is ingested (UTC), plus one day of grace for agencies ahead of UTC.
inline constexpr int kDeliveryGraceDays = 1;

/// Today's date in UTC: the delivery date of a file ingested now.
inline Date today_utc() {
  return Date::from_days(static_cast<std::int64_t>(std::time(nullptr)) / 86400);
}

/// Capture-history tables: the most people a table's counts may add up to. Past it a count
/// is an input error (it would overflow the sums, or lose precision as a double).
inline constexpr std::int64_t kMaxCaptureTotal = 1'000'000'000'000'000;  // 10^15

/// Capture-history tables with covariates: the most cells (strata x 2^K patterns) a table may
/// have. The strata multiply, so a few covariates with many levels would otherwise ask for more
/// memory than the machine has, and 64 two-level covariates wrap the count to 0.
inline constexpr std::size_t kMaxCaptureCells = std::size_t{1} << 22;  // 4,194,304

/// Plausible but odd: accepted, with a warning that `status` counts.
inline constexpr int kVictimAgeWarn = 18;               // a victim aged this or more on event_date
inline constexpr std::int64_t kOffenceCountWarn = 500;  // more offences than this on one record
inline constexpr int kOldEventYearsWarn = 30;  // an event_date this many years before delivery

}  // namespace joindots::limits
