#pragma once
// The linked persons the four questions count, as rows: read from a link run, or made from
// any partition of its records (a linkage draw), summarised the same way, so that a draw
// that reproduces the link gives the same rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/date.hpp"
#include "core/record.hpp"
#include "estimate/capture_table.hpp"
#include "store/store.hpp"

namespace joindots::questions {

struct PersonRow {
  std::uint32_t pattern = 0;  // bitmask over the capture table's lists
  std::string lad_cd, age_band, sex;
  Date first_date, last_date;
  std::optional<Date> dob;
  std::int64_t offences = 0;
};

/// The persons of a link run of `role`, and the source types they were seen by, in the
/// schema's order (the capture table's lists). Throws UsageError with fewer than two.
struct LinkedPersons {
  std::vector<std::string> lists;
  std::vector<PersonRow> persons;
};
LinkedPersons read_linked_persons(Store& store, std::int64_t run_id, Role role);

/// The persons of a partition of `records` (cluster id per record), summarised as the link
/// summarises its persons (link/persons.hpp) and with the date of birth the store gives a
/// linked person (the most precise, then the most frequent, then the first in text order).
std::vector<PersonRow> persons_of_partition(const std::vector<Record>& records,
                                            const std::vector<std::uint32_t>& cluster,
                                            const std::vector<std::string>& lists);

/// Age in whole years on `on`: from the date of birth (a partial one taken at its middle),
/// else from the age band at the first record plus the years since; nullopt if neither.
std::optional<double> age_on_date(const PersonRow& p, const Date& on);

/// Still involved on `reference`: latest record in the 12 months before it and under 18 on
/// it. A recent person whose age cannot be told is counted apart.
enum class Involvement { no, yes, age_unknown };
Involvement still_involved(const PersonRow& p, const Date& reference);

estimate::CaptureTable table_of(const std::vector<const PersonRow*>& persons,
                                const std::vector<std::string>& lists);

/// A person's value of a stratum dimension (region, pfa, year, age_band, sex), or "" when
/// not recorded.
std::string stratum_of(const PersonRow& p, const std::string& dim, const AreaTable& areas);

}  // namespace joindots::questions
