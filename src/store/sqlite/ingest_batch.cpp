#include "store/sqlite/ingest_batch.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "io/text_file.hpp"
#include "store/sqlite/encoded_records.hpp"

namespace joindots {

FileInfo read_file_row(sqlite::Statement& st) {
  return FileInfo{st.column_int(0), st.column_text(1), st.column_text(2),
                  st.column_int(3), st.column_int(4), st.column_text(5)};
}

namespace {

class SqliteIngestBatch final : public IngestBatch {
 public:
  SqliteIngestBatch(sqlite::Database& db, const std::string& path, const std::string& sha256, std::int64_t bytes)
      : db_(db),
        tx_(db),
        insert_record_(db.prepare(
            "INSERT INTO records (file_id, line, source_id, source_org, record_id, role, record_type, event_date, "
            "last_date, case_ref, offence_count, lad_cd, given_name, family_name, other_names, dob, sex, postcode, "
            "nhs_number, upn, pnc_id, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")),
        find_source_(db.prepare("SELECT source_id FROM sources WHERE source_type = ? AND source_org = ?")),
        insert_source_(db.prepare("INSERT INTO sources (source_type, source_org) VALUES (?, ?)")),
        find_origin_(db.prepare(
            "SELECT f.path, r.line FROM records r JOIN files f USING (file_id) WHERE r.source_org = ? AND "
            "r.record_id = ?")) {
    // Checked under the write lock, so two processes ingesting one file cannot both add it.
    auto q = db.prepare(fmt::format("SELECT {} FROM files WHERE sha256 = ?", kFileColumns));
    q.bind(1, sha256);
    if (q.step()) {
      existing_ = read_file_row(q);
      return;
    }
    // The file row goes in first (rows filled at commit) so records can reference it.
    auto st = db.prepare("INSERT INTO files (path, sha256, bytes, rows, ingested_at) VALUES (?, ?, ?, 0, ?)");
    st.bind(1, path).bind(2, sha256).bind(3, bytes).bind(4, utc_timestamp());
    st.run();
    file_id_ = db.last_insert_rowid();
  }

  std::optional<RecordOrigin> add(const Record& r) override {
    const std::int64_t source_id = source_for(r.source_type, r.source_org);
    auto& st = insert_record_;
    st.bind(1, file_id_).bind(2, r.line).bind(3, source_id).bind(4, r.source_org).bind(5, r.record_id);
    st.bind(6, to_string(r.role)).bind(7, to_string(r.record_type)).bind(8, r.event_date.str());
    st.bind(9, r.last_date ? r.last_date->str() : std::string());
    st.bind(10, r.case_ref).bind(11, r.offence_count).bind(12, r.lad_cd);
    st.bind(13, r.given_name).bind(14, r.family_name).bind(15, r.other_names);
    st.bind(16, r.dob ? r.dob->str() : std::string()).bind(17, to_string(r.sex));
    st.bind(18, r.postcode).bind(19, r.nhs_number).bind(20, r.upn).bind(21, r.pnc_id);
    if (r.attrs.empty()) {
      st.bind_null(22);
    } else {
      nlohmann::json attrs = nlohmann::json::object();
      for (const auto& [k, v] : r.attrs) attrs[k] = v;
      st.bind(22, attrs.dump());
    }
    if (st.run_allow_constraint() == SQLITE_DONE) return std::nullopt;
    // The only constraint a validated record can break is (source_org, record_id).
    find_origin_.bind(1, r.source_org).bind(2, r.record_id);
    RecordOrigin origin;
    if (find_origin_.step()) {
      origin.path = find_origin_.column_text(0);
      origin.line = find_origin_.column_int(1);
    } else {
      db_.fail("insert record");
    }
    find_origin_.reset();
    return origin;
  }

  std::string set_mode(bool encoded) override { return encoded_store::set_file_mode(db_, file_id_, encoded); }
  std::string use_encoding(const StoreEncoding& encoding) override {
    return encoded_store::use_encoding(db_, file_id_, encoding);
  }
  std::optional<RecordOrigin> add_encoded(const Record& r, const EncodedColumns& encoded) override {
    if (auto origin = add(r)) return origin;
    if (!insert_encoded_) insert_encoded_.emplace(encoded_store::prepare_insert(db_));
    encoded_store::insert(*insert_encoded_, db_.last_insert_rowid(), encoded);
    return std::nullopt;
  }

  const std::optional<FileInfo>& existing() const { return existing_; }

  FileInfo commit(std::int64_t rows, std::int64_t warnings_total,
                  const std::vector<InputIssue>& warnings_kept) override {
    auto st = db_.prepare("UPDATE files SET rows = ?, warnings = ? WHERE file_id = ?");
    st.bind(1, rows).bind(2, warnings_total).bind(3, file_id_);
    st.run();
    auto warning = db_.prepare("INSERT INTO file_warnings (file_id, line, field, message) VALUES (?, ?, ?, ?)");
    for (const auto& w : warnings_kept) {
      warning.reset();
      warning.bind(1, file_id_).bind(2, w.line).bind(3, w.field).bind(4, w.message);
      warning.run();
    }
    auto orgs = db_.prepare(
        "INSERT INTO file_orgs (file_id, source_org) SELECT DISTINCT file_id, source_org FROM records "
        "WHERE file_id = ?");
    orgs.bind(1, file_id_);
    orgs.run();
    auto q = db_.prepare(fmt::format("SELECT {} FROM files WHERE file_id = ?", kFileColumns));
    q.bind(1, file_id_);
    q.step();
    FileInfo info = read_file_row(q);
    tx_.commit();
    return info;
  }

 private:
  std::int64_t source_for(SourceType type, const std::string& org) {
    std::string key = fmt::format("{}\x1f{}", to_string(type), org);
    if (auto it = sources_.find(key); it != sources_.end()) return it->second;
    find_source_.bind(1, to_string(type)).bind(2, org);
    std::int64_t id;
    if (find_source_.step()) {
      id = find_source_.column_int(0);
    } else {
      insert_source_.bind(1, to_string(type)).bind(2, org);
      insert_source_.run();
      id = db_.last_insert_rowid();
    }
    find_source_.reset();
    sources_.emplace(std::move(key), id);
    return id;
  }

  sqlite::Database& db_;
  sqlite::Transaction tx_;
  sqlite::Statement insert_record_, find_source_, insert_source_, find_origin_;
  std::optional<sqlite::Statement> insert_encoded_;
  std::int64_t file_id_ = 0;
  std::optional<FileInfo> existing_;
  std::unordered_map<std::string, std::int64_t> sources_;
};

}  // namespace

std::unique_ptr<IngestBatch> begin_sqlite_ingest(sqlite::Database& db, const std::string& path,
                                                 const std::string& sha256, std::int64_t bytes, FileInfo& existing) {
  auto batch = std::make_unique<SqliteIngestBatch>(db, path, sha256, bytes);
  if (batch->existing()) {
    existing = *batch->existing();
    return nullptr;  // the batch's destructor ends the transaction
  }
  return batch;
}

}  // namespace joindots
