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

/// A file an organisation delivered to the hub (serve's POST /api/v1/deliveries, docs/hub.md).
struct DeliveredAs {
  std::string name;  // the file's name in its problems and in the store (not where it was spooled)
  std::string org;   // the delivering account's organisation: every row's source_org must be it
};

/// Some row of a delivered file is another organisation's (or the file, already stored,
/// holds another's records): nothing was written. Its issues name the rows.
class ForeignOrgError : public BadInputError {
 public:
  using BadInputError::BadInputError;
};

/// Ingests a delivered file from `spooled` exactly as ingest_file does, all-or-nothing, under
/// `as.name`: its problems name that file, the store keeps that name. Throws ForeignOrgError
/// when any valid row's source_org is not `as.org` (or, for content already stored, when the
/// stored file holds other organisations' records), BadInputError for the rest; a file
/// already stored is `already_present`.
IngestResult ingest_delivery(Store& store, const AreaTable& areas, const std::filesystem::path& spooled,
                             const DeliveredAs& as);

}  // namespace joindots
