#pragma once
// The truth behind the agencies' files, in DIR/truth: which person each record belongs to
// (records.csv), every victim (victims.csv), offence (offences.csv) and person's true
// identity (persons.csv), streamed while the country is generated; then the offenders,
// the groups and summary.json once it is done. docs/simulator.md describes the columns.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.hpp"
#include "core/date.hpp"
#include "core/record.hpp"
#include "io/csv_writer.hpp"
#include "simulate/population.hpp"
#include "simulate/tally.hpp"
#include "simulate/world.hpp"

namespace joindots::simulate {

inline std::string day_str(std::int64_t day) { return Date::from_days(day).str(); }
/// "V0000001" for victim 0, "O0000001" for offender 0.
std::string person_id(char prefix, std::uint64_t index);
std::string group_id(std::uint32_t g);

class TruthWriter {
 public:
  TruthWriter(const std::filesystem::path& truth_dir, const AreaTable& areas);

  /// records.csv: the person behind an agency record.
  void record(std::string_view org, std::string_view record_id, std::string_view pid, Role role);
  /// offences.csv: victim `victim_index`'s offence k (0-based), its offenders as "O..|O..".
  void offence(std::uint64_t victim_index, std::size_t k, std::string_view pid, std::string_view offender_ids,
               const Offence& o);
  /// victims.csv: a victim with their capture mask (SourceType bits) and record count.
  void victim(std::string_view pid, const Victim& v, std::uint8_t mask, std::int64_t n_records, bool still_involved);
  /// persons.csv: a person's true identity.
  void person(std::string_view pid, std::string_view role, const Identity& id);
  /// Closes the four streamed files (moving each into place).
  void close();

  /// offenders.csv, once every group is done (offenders are re-made from their streams).
  void write_offenders(const std::vector<Group>& groups, const PopulationMaker& people,
                       const std::vector<OffenderStats>& stats) const;
  /// groups.csv, with each group's count of victims it shares with another group.
  void write_groups(const std::vector<Group>& groups, const ForceIndex& forces,
                    const std::vector<std::uint32_t>& second_victims, const Geography& geo) const;
  /// summary.json, written whole or not at all.
  void write_summary(const nlohmann::ordered_json& summary) const;

  /// The files this writes, in the order the summary lists them.
  std::vector<std::filesystem::path> files() const;

 private:
  std::filesystem::path dir_;
  const AreaTable& areas_;
  CsvWriter records_, victims_, offences_, persons_;
};

}  // namespace joindots::simulate
