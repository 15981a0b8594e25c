#pragma once
// Valid agency rows for ingest tests, built field by field so a test can break one field.
#include <fmt/format.h>

#include <map>
#include <string>

#include "core/record.hpp"

namespace joindots::testing {

inline std::string sample_header() {
  std::string h;
  for (const auto& c : kRecordColumns) h += (h.empty() ? "" : ",") + std::string(c.name);
  return h;
}

/// A valid victim record; `overrides` replaces named fields (raw CSV text, already quoted).
inline std::string sample_row(int i, const std::map<std::string, std::string>& overrides = {}) {
  std::map<std::string, std::string> v = {
      {"record_id", fmt::format("R{:06}", i)},
      {"source_type", "police"},
      {"source_org", "E23000013"},
      {"role", "victim"},
      {"record_type", "crime"},
      {"event_date", "2021-03-04"},
      {"last_date", "2021-09-30"},
      {"case_ref", "OP-7"},
      {"offence_count", "3"},
      {"lad_cd", "E06000001"},
      {"given_name", "Amelia"},
      {"family_name", "O'Neill"},
      {"other_names", "Millie|Mel"},
      {"dob", "2007-05"},
      {"sex", "F"},
      {"postcode", "TS24 7QS"},
      {"nhs_number", "9434765919"},
      {"upn", ""},
      {"pnc_id", ""},
  };
  for (const auto& [k, val] : overrides) v[k] = val;
  std::string row;
  bool first = true;
  for (const auto& c : kRecordColumns) {
    if (!first) row += ',';
    first = false;
    row += v[std::string(c.name)];
  }
  return row;
}

inline std::string sample_file(int rows, int first = 0) {
  std::string out = sample_header() + "\n";
  for (int i = first; i < first + rows; ++i) out += sample_row(i) + "\n";
  return out;
}

}  // namespace joindots::testing
