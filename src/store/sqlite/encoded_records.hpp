#pragma once
// Encoded mode in the SQLite store (schema version 7): the checks that keep one store to
// one mode and one key, and the encoded columns of records.
#include <functional>
#include <optional>
#include <string>

#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

namespace joindots::encoded_store {

/// Why a file of one mode cannot join a store holding `other` files of the other mode
/// (every store's wording).
std::string mixed_modes_refusal(bool encoded, std::int64_t other);
/// Why a file encoded as `file` cannot join a store encoded as `store` (set by the file at
/// path `first`); empty when it can.
std::string encoding_refusal(const StoreEncoding& file, const StoreEncoding& store, const std::string& first);

/// Marks file `file_id` encoded or plaintext; returns why it cannot join the store's other
/// files (empty when it can). Call inside the file's transaction.
std::string set_file_mode(sqlite::Database& db, std::int64_t file_id, bool encoded);
/// Checks an encoded file's scheme and key fingerprint against the store's, setting the
/// store's from this file when it has none; returns why not (empty when it fits).
std::string use_encoding(sqlite::Database& db, std::int64_t file_id, const StoreEncoding& encoding);
std::optional<StoreEncoding> read_encoding(sqlite::Database& db);

/// The statement add() binds for each encoded record.
sqlite::Statement prepare_insert(sqlite::Database& db);
void insert(sqlite::Statement& st, std::int64_t record_pk, const EncodedColumns& e);

void for_each(sqlite::Database& db, std::optional<Role> role,
              const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn);

}  // namespace joindots::encoded_store
