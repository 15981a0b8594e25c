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

/// How an ingest names its file: in problems and the result (`shown`), in the store
/// (`stored`); `org`, for a delivery, the only source_org its rows may carry.
struct Naming {
  std::string shown, stored;
  const std::string* org = nullptr;
};

/// The problems found while a file's rows go in.
struct Problems {
  IssueCollector issues, warnings, foreign;
};

/// A delivery whose content is already stored: harmless for the organisation whose file it is,
/// refused for another (the stored file holds records of other organisations).
void check_stored_orgs(Store& store, const FileInfo& file, const Naming& naming) {
  if (!naming.org || file.rows == 0) return;
  for (const auto& d : store.deliveries(*naming.org))
    if (d.file.file_id == file.file_id && d.orgs == std::vector<std::string>{*naming.org}) return;
  throw ForeignOrgError(InputIssue{naming.shown, 0, "source_org",
                                   fmt::format("this content is already stored, with records of other "
                                               "organisations than {}",
                                               *naming.org)});
}

/// One valid row into the batch, or its problem (its record_id taken, its organisation not the
/// delivery's).
void add_row(IngestBatch& batch, const Record& record, const EncodedColumns* encoded, std::int64_t line,
             const Naming& naming, IngestResult& result, Problems& problems) {
  if (naming.org && record.source_org != *naming.org)
    problems.foreign.add({naming.shown, line, "source_org",
                          fmt::format("'{}' is not the organisation of this account ({})", record.source_org,
                                      *naming.org)});
  const auto origin = encoded ? batch.add_encoded(record, *encoded) : batch.add(record);
  // Rows keep going in after an error too: the store's unique index then finds every
  // duplicated record_id, and the rollback discards them all.
  if (origin)
    problems.issues.add({naming.shown, line, "record_id",
                         fmt::format("'{}' is already used in source_org '{}' ({}:{})", record.record_id,
                                     record.source_org, origin->path, origin->line)});
  else
    ++result.rows_by_role[std::string(to_string(record.role))];
}

/// Reads every row of `reader` into `batch`, validated as its header says.
void read_rows(CsvReader& reader, const AreaTable& areas, IngestBatch& batch, const Naming& naming,
               IngestResult& result, Problems& problems, Progress* progress, std::int64_t bytes) {
  // An encoded file (one with a clk column, docs/schema.md "Encoded mode") is read by its
  // own reader, which validates the plaintext columns with the same RecordValidator.
  const bool encoded = is_encoded_header(reader.header());
  std::optional<RecordValidator> validator;
  std::optional<EncodedRowReader> encoded_reader;
  if (encoded) encoded_reader.emplace(naming.shown, reader.header(), areas);
  else validator.emplace(naming.shown, reader.header(), areas);
  if (auto why = batch.set_mode(encoded); !why.empty()) throw BadInputError(InputIssue{naming.shown, 0, "", why});

  const std::int64_t pause_at = pause_after_rows();
  CsvRow row;
  std::int64_t last_bytes = 0;
  bool encoding_checked = false;
  while (reader.next(row)) {
    if (encoded) {
      if (auto e = encoded_reader->validate(row.fields, row.line, problems.issues, &problems.warnings)) {
        // The store's key and scheme are checked once, at the first valid row; the reader
        // holds every later row to that row's.
        if (!std::exchange(encoding_checked, true)) {
          if (auto why = batch.use_encoding(e->encoding); !why.empty())
            throw BadInputError(InputIssue{naming.shown, row.line,
                                           why.rfind("key fingerprint", 0) == 0 ? "key_fingerprint" : "clk_scheme",
                                           why});
        }
        add_row(batch, e->record, &e->encoded, row.line, naming, result, problems);
      }
    } else if (auto record = validator->validate(row.fields, row.line, problems.issues, &problems.warnings)) {
      add_row(batch, *record, nullptr, row.line, naming, result, problems);
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
}

IngestResult ingest(Store& store, const AreaTable& areas, const std::filesystem::path& path, Progress* progress,
                    const Naming& naming) {
  const auto start = std::chrono::steady_clock::now();
  IngestResult result;
  result.path = naming.shown;
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
  const auto already_present = [&](const FileInfo& existing) {
    check_stored_orgs(store, existing, naming);
    result.already_present = true;
    result.file = existing;
    if (progress) progress->advance(bytes);
    return result;
  };

  // Cheap check before the header is even read; repeated under the write lock below.
  if (auto existing = store.find_file(sha)) return already_present(*existing);

  store.ensure_areas(areas);  // records reference the districts
  Problems problems;
  CsvReader reader(path, &problems.issues);
  FileInfo existing;
  auto batch = store.begin_ingest(naming.stored, sha, bytes, existing);
  if (!batch) return already_present(existing);
  read_rows(reader, areas, *batch, naming, result, problems, progress, bytes);
  // The batch is destroyed unwinding: rolled back.
  if (!problems.foreign.empty()) throw ForeignOrgError(problems.foreign.kept(), problems.foreign.total());
  problems.issues.throw_if_any();
  result.warnings = static_cast<std::int64_t>(problems.warnings.total());
  result.warnings_kept = problems.warnings.kept();
  result.file = batch->commit(result.rows, result.warnings, result.warnings_kept);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

/// The issues of `e` with the spooled file's path replaced by the delivered file's name
/// (the CSV reader names the file it reads).
std::vector<InputIssue> renamed(const BadInputError& e, const std::string& spooled, const std::string& name) {
  auto issues = e.issues();
  for (auto& issue : issues)
    if (issue.file == spooled) issue.file = name;
  return issues;
}

}  // namespace

IngestResult ingest_file(Store& store, const AreaTable& areas, const std::filesystem::path& path,
                         Progress* progress) {
  return ingest(store, areas, path, progress,
                {path.string(), std::filesystem::absolute(path).lexically_normal().string(), nullptr});
}

IngestResult ingest_delivery(Store& store, const AreaTable& areas, const std::filesystem::path& spooled,
                             const DeliveredAs& as) {
  try {
    return ingest(store, areas, spooled, nullptr, {as.name, as.name, &as.org});
  } catch (const ForeignOrgError& e) {
    throw ForeignOrgError(renamed(e, spooled.string(), as.name), e.total());
  } catch (const BadInputError& e) {
    throw BadInputError(renamed(e, spooled.string(), as.name), e.total());
  }
}

}  // namespace joindots
