#pragma once
// The SQLite store's ingest of one file: its records in one transaction, and the files
// table's row read as FileInfo (shared with SqliteStore's file queries).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

namespace joindots {

/// The files table's columns that read_file_row reads, in its order.
inline constexpr std::string_view kFileColumns = "file_id, path, sha256, bytes, rows, ingested_at";
FileInfo read_file_row(sqlite::Statement& st);

/// Store::begin_ingest on a SQLite database: the batch holds the write transaction from
/// here to its commit (or its destruction, which rolls back).
std::unique_ptr<IngestBatch> begin_sqlite_ingest(sqlite::Database& db, const std::string& path,
                                                 const std::string& sha256, std::int64_t bytes, FileInfo& existing);

}  // namespace joindots
