// The PostgreSQL store's ingest of one file: one transaction, all of it or nothing. Rows go
// in by COPY (a few MiB at a time, and the rest at commit) rather than one INSERT per row;
// so that add() can still say at once whether a record id is taken, the ids of each
// organisation the file names are read once (under the ingest lock, which no other writer
// of files holds meanwhile) and kept with those of this file.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/text_file.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/encoded_records.hpp"

namespace joindots {

namespace {

constexpr std::size_t kCopyBytes = 4 << 20;   // rows buffered before they are sent
constexpr std::int64_t kMaxReservedKeys = 1 << 16;  // record_pks taken from the sequence at once

constexpr const char* kCopyRecords =
    "COPY records (record_pk, file_id, line, source_id, source_org, record_id, role, record_type, "
    "event_date, "
    "last_date, case_ref, offence_count, lad_cd, given_name, family_name, other_names, dob, sex, "
    "postcode, "
    "nhs_number, upn, pnc_id, attrs) FROM STDIN";
constexpr const char* kCopyEncodings =
    "COPY record_encodings (record_pk, clk, clk_weight, age_band, tokens) FROM STDIN";

class PostgresIngestBatch final : public IngestBatch {
 public:
  PostgresIngestBatch(pg::Connection& c, const std::string& path, const std::string& sha256,
                      std::int64_t bytes)
      : c_(c), tx_(c), path_(path) {
    // Checked under the lock, so two processes ingesting one file cannot both add it.
    c_.query("SELECT pg_advisory_xact_lock($1)", pg::Params().integer(kPostgresIngestLock));
    auto q = c_.query(fmt::format("SELECT {} FROM files WHERE sha256 = $1", kPostgresFileColumns),
                      pg::Params().text(sha256));
    if (q.rows() > 0) {
      existing_ = file_info(q, 0);
      return;
    }
    // The file row goes in first (rows filled at commit) so records can reference it.
    file_id_ = c_.query(
                     "INSERT INTO files (path, sha256, bytes, rows, ingested_at) VALUES ($1, $2, "
                     "$3, 0, $4) "
                     "RETURNING file_id",
                     pg::Params().text(path).text(sha256).integer(bytes).text(utc_timestamp()))
                   .integer(0, 0);
  }

  const std::optional<FileInfo>& existing() const { return existing_; }

  std::optional<RecordOrigin> add(const Record& r) override {
    auto& taken = ids_of(r.source_org);
    const auto [it, fresh] = taken.try_emplace(r.record_id, file_id_, r.line);
    if (!fresh) return RecordOrigin{path_of(it->second.first), it->second.second};
    last_pk_ = next_record_pk();
    records_.integer(last_pk_).integer(file_id_).integer(r.line).integer(
        source_for(r.source_type, r.source_org));
    records_.text(r.source_org)
        .text(r.record_id)
        .text(to_string(r.role))
        .text(to_string(r.record_type));
    records_.text(r.event_date.str())
        .text_or_null(r.last_date ? r.last_date->str() : "")
        .text_or_null(r.case_ref);
    records_.integer(r.offence_count)
        .text_or_null(r.lad_cd)
        .text_or_null(r.given_name)
        .text_or_null(r.family_name);
    records_.text_or_null(r.other_names)
        .text_or_null(r.dob ? r.dob->str() : "")
        .text(to_string(r.sex));
    records_.text_or_null(r.postcode)
        .text_or_null(r.nhs_number)
        .text_or_null(r.upn)
        .text_or_null(r.pnc_id);
    if (r.attrs.empty()) {
      records_.null();
    } else {
      nlohmann::json attrs = nlohmann::json::object();
      for (const auto& [k, v] : r.attrs) attrs[k] = v;
      records_.text(attrs.dump());
    }
    records_.end_row();
    if (records_.size() + encodings_.size() > kCopyBytes) send_rows();
    return std::nullopt;
  }

  std::string set_mode(bool encoded) override {
    const auto other = c_.query("SELECT count(*) FROM files WHERE encoded = $1 AND file_id <> $2",
                                pg::Params().integer(std::int64_t{!encoded}).integer(file_id_))
                           .integer(0, 0);
    if (other > 0) return encoded_store::mixed_modes_refusal(encoded, other);
    c_.query("UPDATE files SET encoded = $1 WHERE file_id = $2",
             pg::Params().integer(std::int64_t{encoded}).integer(file_id_));
    return {};
  }

  std::string use_encoding(const StoreEncoding& encoding) override {
    auto q = c_.query(
        "SELECT e.scheme, e.key_fingerprint, f.path FROM store_encoding e JOIN files f USING "
        "(file_id)");
    if (q.rows() == 0) {
      c_.query(
          "INSERT INTO store_encoding (singleton, scheme, key_fingerprint, file_id) VALUES (1, $1, "
          "$2, $3)",
          pg::Params().text(encoding.scheme).text(encoding.key_fingerprint).integer(file_id_));
      return {};
    }
    return encoded_store::encoding_refusal(encoding, StoreEncoding{q.text(0, 0), q.text(0, 1)},
                                           q.text(0, 2));
  }

  std::optional<RecordOrigin> add_encoded(const Record& r, const EncodedColumns& e) override {
    if (auto origin = add(r)) return origin;
    encodings_.integer(last_pk_).bytes(e.clk).integer(e.clk_weight).text(e.age_band);
    encodings_.text(e.tokens_json.empty() ? std::string("{}") : e.tokens_json).end_row();
    return std::nullopt;
  }

  FileInfo commit(std::int64_t rows, std::int64_t warnings_total,
                  const std::vector<InputIssue>& warnings_kept) override {
    send_rows();
    c_.query("UPDATE files SET rows = $1, warnings = $2 WHERE file_id = $3",
             pg::Params().integer(rows).integer(warnings_total).integer(file_id_));
    pg::CopyRows warnings;
    for (const auto& w : warnings_kept)
      warnings.integer(file_id_).integer(w.line).text(w.field).text(w.message).end_row();
    warnings.send(c_, "COPY file_warnings (file_id, line, field, message) FROM STDIN");
    c_.query("INSERT INTO file_orgs (file_id, source_org) SELECT DISTINCT file_id, source_org FROM records "
             "WHERE file_id = $1",
             pg::Params().integer(file_id_));
    auto q = c_.query(fmt::format("SELECT {} FROM files WHERE file_id = $1", kPostgresFileColumns),
                      pg::Params().integer(file_id_));
    FileInfo info = file_info(q, 0);
    tx_.commit();
    return info;
  }

 private:
  using Origin = std::pair<std::int64_t, std::int64_t>;  // file_id, line

  /// The record ids `org` has taken in the store and in this file so far.
  std::unordered_map<std::string, Origin>& ids_of(const std::string& org) {
    auto it = taken_.find(org);
    if (it != taken_.end()) return it->second;
    auto& ids = taken_[org];
    auto q = c_.query("SELECT record_id, file_id, line FROM records WHERE source_org = $1",
                      pg::Params().text(org));
    for (int i = 0; i < q.rows(); ++i)
      ids.try_emplace(q.text(i, 0), q.integer(i, 1), q.integer(i, 2));
    return ids;
  }

  std::string path_of(std::int64_t file_id) {
    if (file_id == file_id_) return path_;
    return c_.query("SELECT path FROM files WHERE file_id = $1", pg::Params().integer(file_id))
        .text(0, 0);
  }

  std::int64_t next_record_pk() {
    if (next_pk_ == reserved_end_) {
      // One round trip reserves a block: safe as only ingest, under its lock, takes keys.
      // Blocks grow with the file, so a small file leaves a small gap in the keys.
      block_ = std::min<std::int64_t>(block_ * 2, kMaxReservedKeys);
      next_pk_ = c_.query("SELECT setval(s, nextval(s) + $1 - 1) - $1 + 1 FROM "
                          "pg_get_serial_sequence('records', 'record_pk') AS s",
                          pg::Params().integer(block_))
                     .integer(0, 0);
      reserved_end_ = next_pk_ + block_;
    }
    return next_pk_++;
  }

  std::int64_t source_for(SourceType type, const std::string& org) {
    std::string key = fmt::format("{}\x1f{}", to_string(type), org);
    if (auto it = sources_.find(key); it != sources_.end()) return it->second;
    pg::Params params;
    params.text(to_string(type)).text(org);
    auto q = c_.query("SELECT source_id FROM sources WHERE source_type = $1 AND source_org = $2",
                      params);
    const std::int64_t id = q.rows() > 0 ? q.integer(0, 0)
                                         : c_.query(
                                                 "INSERT INTO sources (source_type, source_org) "
                                                 "VALUES ($1, $2) RETURNING source_id",
                                                 params)
                                               .integer(0, 0);
    sources_.emplace(std::move(key), id);
    return id;
  }

  /// Records before their encodings, which reference them.
  void send_rows() {
    records_.send(c_, kCopyRecords);
    encodings_.send(c_, kCopyEncodings);
  }

  pg::Connection& c_;
  pg::Transaction tx_;
  std::string path_;
  std::int64_t file_id_ = 0, last_pk_ = 0;
  std::optional<FileInfo> existing_;
  pg::CopyRows records_, encodings_;
  std::int64_t next_pk_ = 0, reserved_end_ = 0, block_ = 32;
  std::unordered_map<std::string, std::int64_t> sources_;
  std::unordered_map<std::string, std::unordered_map<std::string, Origin>> taken_;
};

}  // namespace

std::unique_ptr<IngestBatch> begin_postgres_ingest(pg::Connection& c, const std::string& path,
                                                   const std::string& sha256, std::int64_t bytes,
                                                   FileInfo& existing) {
  auto batch = std::make_unique<PostgresIngestBatch>(c, path, sha256, bytes);
  if (batch->existing()) {
    existing = *batch->existing();
    return nullptr;  // the batch's destructor ends the transaction
  }
  return batch;
}

}  // namespace joindots
