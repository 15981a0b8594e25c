#include "ingest/ingest.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <utility>

#include "core/hash.hpp"
#include "ingest/encoded_rows.hpp"
#include "records/validate.hpp"
#include "io/csv_reader.hpp"

namespace joindots {

namespace {

// Fault injection for the crash-consistency test: after this many rows are inserted the
// process announces it on stderr and stops, waiting to be killed mid-transaction.
std::int64_t pause_after_rows() {
  const char* v = std::getenv("JOINDOTS_FAULT_PAUSE_AFTER_ROWS");
  return v && *v ? std::atoll(v) : -1;
}

[[noreturn]] void pause_for_ever(std::int64_t rows) {
  fmt::print(stderr, "joindots: paused after {} rows (JOINDOTS_FAULT_PAUSE_AFTER_ROWS)\n", rows);
  std::fflush(stderr);
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

IngestResult ingest_file(Store& store, const AreaTable& areas, const std::filesystem::path& path,
                         Progress* progress) {
  const auto start = std::chrono::steady_clock::now();
  IngestResult result;
  result.path = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    const bool exists = !ec && std::filesystem::exists(path, ec);
    throw BadInputError(InputIssue{result.path, 0, "",
                                   ec == std::errc::too_many_symbolic_link_levels
                                       ? "cannot be read: a symbolic link loop"
                                   : exists ? "not a regular file"
                                            : "no such file"});
  }
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  const std::string sha = sha256_file(path);

  // Cheap check before the header is even read; repeated under the write lock below.
  if (auto existing = store.find_file(sha)) {
    result.already_present = true;
    result.file = *existing;
    if (progress) progress->advance(bytes);
    return result;
  }

  store.ensure_areas(areas);  // records reference the districts
  IssueCollector issues, warnings;
  CsvReader reader(path, &issues);
  // An encoded file (one with a clk column, docs/schema.md "Encoded mode") is read by its
  // own reader, which validates the plaintext columns with the same RecordValidator.
  const bool encoded = is_encoded_header(reader.header());
  std::optional<RecordValidator> validator;
  std::optional<EncodedRowReader> encoded_reader;
  if (encoded) encoded_reader.emplace(result.path, reader.header(), areas);
  else validator.emplace(result.path, reader.header(), areas);
  FileInfo existing;
  auto batch = store.begin_ingest(std::filesystem::absolute(path).lexically_normal().string(), sha, bytes, existing);
  if (!batch) {
    result.already_present = true;
    result.file = existing;
    if (progress) progress->advance(bytes);
    return result;
  }
  if (auto why = batch->set_mode(encoded); !why.empty()) throw BadInputError(InputIssue{result.path, 0, "", why});

  const std::int64_t pause_at = pause_after_rows();
  CsvRow row;
  std::int64_t last_bytes = 0;
  bool encoding_checked = false;
  while (reader.next(row)) {
    std::optional<Record> record;
    std::optional<RecordOrigin> origin;
    if (encoded) {
      if (auto e = encoded_reader->validate(row.fields, row.line, issues, &warnings)) {
        // The store's key and scheme are checked once, at the first valid row; the reader
        // holds every later row to that row's.
        if (!std::exchange(encoding_checked, true)) {
          if (auto why = batch->use_encoding(e->encoding); !why.empty())
            throw BadInputError(InputIssue{
                result.path, row.line, why.rfind("key fingerprint", 0) == 0 ? "key_fingerprint" : "clk_scheme", why});
        }
        origin = batch->add_encoded(e->record, e->encoded);
        record = std::move(e->record);
      }
    } else if ((record = validator->validate(row.fields, row.line, issues, &warnings))) {
      origin = batch->add(*record);
    }
    if (record) {
      // Rows keep going in after an error too: the store's unique index then finds every
      // duplicated record_id, and the rollback below discards them all.
      if (origin) {
        issues.add({result.path, row.line, "record_id",
                    fmt::format("'{}' is already used in source_org '{}' ({}:{})", record->record_id,
                                record->source_org, origin->path, origin->line)});
      } else {
        ++result.rows_by_role[std::string(to_string(record->role))];
      }
    }
    ++result.rows;
    if (result.rows == pause_at) pause_for_ever(pause_at);
    if (progress && (result.rows & 1023) == 0) {
      progress->advance_secondary(1024);
      progress->advance(reader.bytes_read() - last_bytes);
      last_bytes = reader.bytes_read();
    }
  }
  if (progress) {
    progress->advance_secondary(result.rows & 1023);
    progress->advance(bytes - last_bytes);
  }
  issues.throw_if_any();  // the batch is destroyed unwinding: rolled back
  result.warnings = static_cast<std::int64_t>(warnings.total());
  result.warnings_kept = warnings.kept();
  result.file = batch->commit(result.rows, result.warnings, result.warnings_kept);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace joindots
