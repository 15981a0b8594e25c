#pragma once
// Perturbed linkage benchmarks (issue 12): from clean persons (e.g. the `-org` records of a
// FEBRL file), builds sets of CSV files with known truth whose structure the shipped
// configs were never tuned on: place fields fully correlated (suburb determined by a
// postcode drawn from a few), no within-file duplicates in some files and many in others,
// 30-60% of dates missing or mistyped, heavy name typos, nicknames, given and family names
// swapped, several parties with partial overlap. Deterministic by seed.
//
// Columns use spellings a new user's extract might (givenname, lastname, birth_date, zip,
// suburb, record_id, entity_id as truth) so that the config-free start is what is tested.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace joindots::link {

/// One clean person.
struct CleanPerson {
  std::string entity, given, family, dob /* YYYYMMDD or empty */, postcode, suburb;
};

/// Reads the `-org` records of a FEBRL-layout CSV (rec_id, given_name, surname,
/// date_of_birth, postcode, suburb); every record when none is marked `-org`.
std::vector<CleanPerson> read_febrl_persons(const std::filesystem::path& file);

struct CorruptionSpec {
  std::string name;
  int files = 2;                       // parties
  double presence = 0.6;               // chance a person is in a given file
  std::vector<double> duplicates;      // per file: mean extra records per person present (0 = one each)
  int places = 0;                      // > 0: postcodes drawn from this many, suburb a function of postcode
  bool with_dob = true;
  double dob_missing = 0.0;            // share of records whose date is blank
  double dob_mistyped = 0.0;           // share with one digit changed or day/month swapped
  double name_typo = 0.1;              // chance of a typo per name per record
  double nickname = 0.0;               // chance a given name is replaced by a nickname
  double swap_names = 0.0;             // chance given and family names are swapped
  double family_missing = 0.0;         // chance the family name is blank
  double place_missing = 0.0;          // chance postcode and suburb are blank
};

/// The standard variants the robustness suite runs (bench/link_robustness.sh).
std::vector<CorruptionSpec> standard_corruptions();

struct CorruptRecord {
  std::string record_id, entity, given, family, dob, postcode, suburb;
};

/// Builds the files of one variant from `persons` (files[i] = the records of party i).
std::vector<std::vector<CorruptRecord>> corrupt(const std::vector<CleanPerson>& persons, const CorruptionSpec& spec,
                                                std::uint64_t seed);

/// Writes party_<i>.csv files into `dir` (created); columns record_id, entity_id,
/// givenname, lastname, [birth_date,] zip, suburb.
void write_corrupt_files(const std::filesystem::path& dir, const std::vector<std::vector<CorruptRecord>>& files,
                         bool with_dob);

}  // namespace joindots::link
