#pragma once
// Reading plain CSV files for `joindots link --input A.csv [B.csv]`: columns are mapped to
// fields by the config's [columns] table, or, when it maps no field, by name, compared in
// lower case without punctuation: a column named like a field (given_name, family_name,
// dob, ...) or a common spelling (givenname, first_name, fname, forename -> given_name;
// surname, lastname, lname -> family_name; dob, birth_date -> dob; zip, postal_code ->
// postcode; suburb, city, town -> locality; gender -> sex; by/bm/bd, birth_year... -> date
// parts; csv_input.cpp lists them all). The id column defaults to the first column spelt
// record_id, rec_id, unique_id, id or row_id, else the row number. Columns left unused are
// listed per file. Inputs are labelled by file name, or by path when two share a name.
#include <bitset>
#include <filesystem>
#include <string>
#include <vector>

#include "link/config.hpp"
#include "records/fields.hpp"

namespace joindots::link {

struct CsvLinkInput {
  std::vector<LinkRecord> records;
  std::vector<std::string> truth;         // per record; empty when no truth column
  std::vector<std::string> source_names;  // labels, one per input file (unique)
  std::vector<std::vector<std::string>> unused_columns;  // per file, columns mapped to nothing
  std::bitset<kFieldCount> available;     // fields mapped to a column
  CsvMapping mapping;                     // as resolved against the headers
};

/// Reads and normalises every row of `files` (file i is source i). `truth_column`, when
/// not empty, overrides the config's. Throws UsageError (FILE:1: header: ...) when a mapped
/// column is absent: the mapping does not fit the file.
CsvLinkInput read_link_csv(const std::vector<std::filesystem::path>& files, CsvMapping mapping,
                           const std::string& truth_column, bool quiet);

}  // namespace joindots::link
