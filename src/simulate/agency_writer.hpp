#pragma once
// The agencies' files: one CSV per recording organisation, named
// `<source_type>_<source_org>.csv`, columns in kRecordColumns order, rows sorted by
// (event_date, record_id) as an extract from a case system would be, so neither row order
// nor record ids reveal how the simulator generated them.
//
// Rows are streamed to an unsorted scratch file per organisation while the country is
// generated; finish() sorts one file at a time (memory: the largest single file) and moves
// each finished file into place.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace joindots::simulate {

/// One agency record as text, columns in kRecordColumns order.
using RecordRow = std::array<std::string, kRecordColumns.size()>;

/// Column positions of a RecordRow (kRecordColumns order).
enum RecordCol : std::size_t {
  kId, kType, kOrg, kRole, kRecordType, kEvent, kLast, kCaseRef, kOffenceCount, kLad, kGiven, kFamily,
  kOther, kDob, kSex, kPostcode, kNhs, kUpn, kPnc
};

class AgencyWriters {
 public:
  AgencyWriters(std::filesystem::path dir, std::uint64_t seed);
  ~AgencyWriters();
  AgencyWriters(const AgencyWriters&) = delete;
  AgencyWriters& operator=(const AgencyWriters&) = delete;

  /// Assigns the next record id of (source_type, source_org) to row[0] (and fills
  /// source_type and source_org), writes the row and returns the id.
  const std::string& write(SourceType type, const std::string& org, RecordRow& row);

  /// Sorts and moves every file into place; returns the paths written, sorted.
  std::vector<std::filesystem::path> finish();
  std::int64_t records() const { return records_; }

 private:
  struct Org {
    std::FILE* file = nullptr;
    std::filesystem::path final_path, scratch_path;
    std::string prefix;
    std::uint64_t key = 0, counter = 0;
  };
  Org& open(SourceType type, const std::string& org);

  std::filesystem::path dir_;
  std::uint64_t seed_;
  std::map<std::string, Org> orgs_;
  std::string line_;
  std::int64_t records_ = 0;
};

/// The one-letter id prefix of a source type (police P, children_services C, health H,
/// nrm N, charity V for voluntary sector, education E, youth_justice Y).
char source_prefix(SourceType type);

}  // namespace joindots::simulate
