#pragma once
// Reading plain CSV files for `joindots link --input A.csv [B.csv]`: columns are mapped to
// fields by the config's [columns] table, or, when it maps no field, by name: a column
// named like a field (given_name, family_name, dob, ...) or one of the usual synonyms
// (first_name, forename -> given_name; surname, last_name -> family_name; date_of_birth ->
// dob; suburb, city, town -> locality; gender -> sex). The id column defaults to the first
// of record_id, rec_id, unique_id, id present, else the row number.
#include <bitset>
#include <filesystem>
#include <string>
#include <vector>

#include "link/config.hpp"
#include "link/fields.hpp"

namespace joindots::link {

struct CsvLinkInput {
  std::vector<LinkRecord> records;
  std::vector<std::string> truth;         // per record; empty when no truth column
  std::vector<std::string> source_names;  // file names, one per input file
  std::bitset<kFieldCount> available;     // fields mapped to a column
  CsvMapping mapping;                     // as resolved against the headers
};

/// Reads and normalises every row of `files` (file i is source i). `truth_column`, when
/// not empty, overrides the config's. Throws BadInputError when a mapped column is absent.
CsvLinkInput read_link_csv(const std::vector<std::filesystem::path>& files, CsvMapping mapping,
                           const std::string& truth_column, bool quiet);

}  // namespace joindots::link
