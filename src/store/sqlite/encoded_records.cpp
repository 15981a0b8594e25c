#include "store/sqlite/encoded_records.hpp"

#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

namespace joindots::encoded_store {

namespace {

std::int64_t count_files(sqlite::Database& db, bool encoded, std::int64_t except) {
  auto st = db.prepare("SELECT count(*) FROM files WHERE encoded = ? AND file_id != ?");
  st.bind(1, std::int64_t{encoded}).bind(2, except);
  st.step();
  return st.column_int(0);
}

}  // namespace

std::string mixed_modes_refusal(bool encoded, std::int64_t other) {
  // Encoded and plaintext records cannot be linked with each other, and a store holding
  // both would keep plaintext identifiers where encoded mode promises none.
  if (encoded)
    return fmt::format("an encoded file, but the store holds {} plaintext file{}; plaintext and encoded files "
                       "cannot be mixed in one store (ingest the encoded files into a new --db)",
                       other, other == 1 ? "" : "s");
  return fmt::format("a plaintext file, but the store is in encoded mode ({} encoded file{}); plaintext and "
                     "encoded files cannot be mixed in one store (encode it first: joindots encode)",
                     other, other == 1 ? "" : "s");
}

std::string encoding_refusal(const StoreEncoding& file, const StoreEncoding& store, const std::string& first) {
  if (store.key_fingerprint != file.key_fingerprint)
    return fmt::format("key fingerprint {} differs from the store's {} (set by {}): this file was encoded with another "
                       "secret, and its records would link to none of the store's; encode it again with the hub's "
                       "secret file",
                       file.key_fingerprint, store.key_fingerprint, first);
  if (store.scheme != file.scheme)
    return fmt::format("encoding scheme {} differs from the store's {} (set by {}); encode it again with the same "
                       "joindots version and --bits",
                       file.scheme, store.scheme, first);
  return {};
}

std::string set_file_mode(sqlite::Database& db, std::int64_t file_id, bool encoded) {
  // Encoded and plaintext records cannot be linked with each other, and a store holding
  // both would keep plaintext identifiers where encoded mode promises none.
  if (const auto other = count_files(db, !encoded, file_id); other > 0) return mixed_modes_refusal(encoded, other);
  auto st = db.prepare("UPDATE files SET encoded = ? WHERE file_id = ?");
  st.bind(1, std::int64_t{encoded}).bind(2, file_id);
  st.run();
  return {};
}

std::string use_encoding(sqlite::Database& db, std::int64_t file_id, const StoreEncoding& encoding) {
  auto st = db.prepare(
      "SELECT e.scheme, e.key_fingerprint, f.path FROM store_encoding e JOIN files f USING (file_id)");
  if (!st.step()) {
    auto insert =
        db.prepare("INSERT INTO store_encoding (singleton, scheme, key_fingerprint, file_id) VALUES (1, ?, ?, ?)");
    insert.bind(1, encoding.scheme).bind(2, encoding.key_fingerprint).bind(3, file_id);
    insert.run();
    return {};
  }
  return encoding_refusal(encoding, StoreEncoding{st.column_text(0), st.column_text(1)}, st.column_text(2));
}

std::optional<StoreEncoding> read_encoding(sqlite::Database& db) {
  auto st = db.prepare("SELECT scheme, key_fingerprint FROM store_encoding");
  if (!st.step()) return std::nullopt;
  return StoreEncoding{st.column_text(0), st.column_text(1)};
}

sqlite::Statement prepare_insert(sqlite::Database& db) {
  return db.prepare(
      "INSERT INTO record_encodings (record_pk, clk, clk_weight, age_band, tokens) VALUES (?, ?, ?, ?, ?)");
}

void insert(sqlite::Statement& st, std::int64_t record_pk, const EncodedColumns& e) {
  st.reset();
  st.bind(1, record_pk).bind_blob(2, e.clk.data(), e.clk.size()).bind(3, e.clk_weight);
  st.bind(4, e.age_band).bind(5, e.tokens_json.empty() ? std::string("{}") : e.tokens_json);
  st.run();
}

void for_each(sqlite::Database& db, std::optional<Role> role,
              const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) {
  auto st = db.prepare(
      "SELECT e.record_pk, e.clk, e.clk_weight, e.age_band, e.tokens FROM record_encodings e JOIN records r USING "
      "(record_pk) WHERE ?1 IS NULL OR r.role = ?1 ORDER BY e.record_pk");
  if (role) st.bind(1, to_string(*role));
  EncodedColumns e;
  while (st.step()) {
    std::size_t bytes = 0;
    const unsigned char* clk = st.column_blob(1, bytes);
    e.clk.assign(clk, clk + bytes);
    e.clk_weight = st.column_int(2);
    e.age_band = st.column_text(3);
    e.tokens_json = st.column_text(4);
    fn(st.column_int(0), e);
  }
}

}  // namespace joindots::encoded_store

namespace joindots {

// SqliteStore's encoded-mode members live here, beside the rest of encoded mode.
std::optional<StoreEncoding> SqliteStore::encoding() { return encoded_store::read_encoding(db_); }

void SqliteStore::for_each_encoded_record(
    std::optional<Role> role, const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) {
  encoded_store::for_each(db_, role, fn);
}

}  // namespace joindots
