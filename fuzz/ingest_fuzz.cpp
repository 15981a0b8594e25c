// Fuzz target: an agency file's bytes through the ingest path's reader and validator
// (io/csv_reader, records/validate). Contract: every row becomes a record or issues naming
// FILE:LINE: field: message; a file that cannot be read at all throws BadInputError naming
// the file. Nothing else: no other exception, crash, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/areas.hpp"
#include "core/data_dir.hpp"
#include "fuzz_support.hpp"
#include "records/validate.hpp"
#include "io/area_file.hpp"
#include "io/csv_reader.hpp"

using namespace joindots;

namespace {
const AreaTable* g_areas = nullptr;
}

// The districts are read once, before the first input: under ASan reading their boundaries
// takes seconds, which libFuzzer would count against the first input's time limit.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_areas = new AreaTable(load_area_table(data_dir()));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const AreaTable& areas = *g_areas;
  // A fixed delivery date, so that an input means the same on every day it is replayed.
  static const Date delivery{2025, 6, 30};
  static const auto path = fuzz::scratch_path(".csv");
  fuzz::write_bytes(path, data, size);
  const std::string file = path.string();
  try {
    IssueCollector issues, warnings;
    CsvReader reader(path, &issues);
    RecordValidator validator(file, reader.header(), areas, delivery);
    CsvRow row;
    while (reader.next(row)) {
      if (row.line < 1) fuzz::fail("a row without a line number");
      const auto record = validator.validate(row.fields, row.line, issues, &warnings);
      if (record && record->record_id.empty()) fuzz::fail("a record without an id was accepted");
    }
    issues.throw_if_any();
  } catch (const BadInputError& e) {
    fuzz::check_bad_input(e, file);
  } catch (...) {
    fuzz::fail_on_unexpected_exception();
  }
  return 0;
}
