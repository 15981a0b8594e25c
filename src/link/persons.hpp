#pragma once
// Persons from clusters: what estimation needs of each linked person (ARCHITECTURE.md):
// the capture history (the set of source types that recorded them), home area (the modal
// lad_cd, the one seen earliest on ties), first and last dates, age band at first event,
// sex, and offence count.
#include <cstdint>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "records/age_band.hpp"

namespace joindots::link {

struct Person {
  std::uint32_t cluster = 0;
  Role role = Role::victim;
  std::vector<SourceType> sources;  // capture history, sorted, distinct
  std::string lad_cd;
  Date first_date, last_date;
  std::string age_band;
  Sex sex = Sex::unknown;
  std::int64_t offence_count = 0;
  std::int64_t records = 0;

  /// "children_services|police"
  std::string capture_history() const;
};

/// One person per cluster id (0..clusters-1), in cluster order. Offences are de-duplicated
/// across the records of a person: records of one case (same source_org and case_ref)
/// count their largest offence_count once; records without a case_ref count their own.
/// The person's dob is the most precise among their records (the earliest-recorded on
/// ties), sex the most frequent known one.
std::vector<Person> summarise_persons(const std::vector<Record>& records, const std::vector<std::uint32_t>& cluster,
                                      std::size_t clusters);

}  // namespace joindots::link
