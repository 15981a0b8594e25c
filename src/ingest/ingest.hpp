#pragma once
// Ingest: agency CSV files into the store, all-or-nothing per file.
//
// A file is hashed (SHA-256), then read once in a single transaction: every row is validated
// and inserted; if any row is bad the transaction is rolled back and every problem is
// reported (the first 20, then a count). A file whose content is already in the store is
// skipped and said so. A process killed mid-file leaves the file wholly out (SQLite WAL).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "store/store.hpp"

namespace joindots {

struct IngestResult {
  std::string path;
  bool already_present = false;  // same content ingested before: nothing changed
  FileInfo file;                 // the stored entry (the earlier one when already present)
  std::int64_t rows = 0;
  std::map<std::string, std::int64_t> rows_by_role;
  std::int64_t warnings = 0;                 // plausible-but-odd values accepted (core/limits.hpp)
  std::vector<InputIssue> warnings_kept;     // the first of them
  double seconds = 0;
};

/// Ingests one file. Throws BadInputError (the store unchanged) when the file or any row in it
/// is invalid. `progress` (may be null) advances by the bytes read.
IngestResult ingest_file(Store& store, const AreaTable& areas, const std::filesystem::path& path,
                         Progress* progress = nullptr);

}  // namespace joindots
