#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/text_file.hpp"
#include "store/sqlite/encoded_records.hpp"
#include "store/sqlite/run_owner.hpp"

namespace joindots {

namespace {

FileInfo read_file_row(sqlite::Statement& st) {
  return FileInfo{st.column_int(0), st.column_text(1), st.column_text(2),
                  st.column_int(3), st.column_int(4), st.column_text(5)};
}

constexpr std::string_view kFileColumns = "file_id, path, sha256, bytes, rows, ingested_at";

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

  FileInfo commit(std::int64_t rows, std::int64_t warnings_total, const std::vector<InputIssue>& warnings_kept) override {
    auto st = db_.prepare("UPDATE files SET rows = ?, warnings = ? WHERE file_id = ?");
    st.bind(1, rows).bind(2, warnings_total).bind(3, file_id_);
    st.run();
    auto warning = db_.prepare("INSERT INTO file_warnings (file_id, line, field, message) VALUES (?, ?, ?, ?)");
    for (const auto& w : warnings_kept) {
      warning.reset();
      warning.bind(1, file_id_).bind(2, w.line).bind(3, w.field).bind(4, w.message);
      warning.run();
    }
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

std::unique_ptr<Store> Store::open(const std::string& location, bool create) {
  return std::make_unique<SqliteStore>(location, create);
}

SqliteStore::SqliteStore(const std::filesystem::path& path, bool create) : db_(path, create) {
  migrate(db_);
  // A run whose process died (kill -9, a crash) would otherwise stay "running" for ever.
  mark_abandoned_runs(db_);
}

int SqliteStore::schema_version() { return db_.user_version(); }

void SqliteStore::ensure_areas(const AreaTable& areas) {
  {
    auto st = db_.prepare("SELECT count(*) FROM areas");
    st.step();
    if (st.column_int(0) > 0) return;
  }
  sqlite::Transaction tx(db_);
  auto st = db_.prepare(
      "INSERT OR IGNORE INTO areas (lad_cd, name, lad_type, region_cd, region_nm, country, pfa_cd, pfa_nm, pop_all, "
      "pop_0_17, pop_0_15, pop_10_17, lon, lat) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& a : areas.all()) {
    st.bind(1, a.code).bind(2, a.name).bind(3, a.lad_type).bind(4, a.region_code).bind(5, a.region_name);
    st.bind(6, a.country).bind(7, a.pfa_code).bind(8, a.pfa_name).bind(9, a.pop_all).bind(10, a.pop_0_17);
    st.bind(11, a.pop_0_15).bind(12, a.pop_10_17).bind(13, a.lon).bind(14, a.lat);
    st.run();
  }
  tx.commit();
}

std::optional<FileInfo> SqliteStore::find_file(const std::string& sha256) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM files WHERE sha256 = ?", kFileColumns));
  st.bind(1, sha256);
  if (!st.step()) return std::nullopt;
  return read_file_row(st);
}

std::vector<FileInfo> SqliteStore::files() {
  std::vector<FileInfo> out;
  auto st = db_.prepare(fmt::format("SELECT {} FROM files ORDER BY file_id", kFileColumns));
  while (st.step()) out.push_back(read_file_row(st));
  return out;
}

std::unique_ptr<IngestBatch> SqliteStore::begin_ingest(const std::string& path, const std::string& sha256,
                                                       std::int64_t bytes, FileInfo& existing) {
  auto batch = std::make_unique<SqliteIngestBatch>(db_, path, sha256, bytes);
  if (batch->existing()) {
    existing = *batch->existing();
    return nullptr;  // the batch's destructor ends the transaction
  }
  return batch;
}

StoreSummary SqliteStore::summary() {
  StoreSummary s;
  s.schema_version = db_.user_version();
  auto scalar = [&](std::string_view sql) {
    auto st = db_.prepare(sql);
    st.step();
    return st.column_int(0);
  };
  s.files = scalar("SELECT count(*) FROM files");
  s.records = scalar("SELECT count(*) FROM records");
  s.sources = scalar("SELECT count(*) FROM sources");
  s.areas = scalar("SELECT count(*) FROM areas");
  s.areas_with_records = scalar("SELECT count(DISTINCT lad_cd) FROM records WHERE lad_cd IS NOT NULL");
  s.runs = scalar("SELECT count(*) FROM runs WHERE status = 'done'");
  {
    auto st = db_.prepare("SELECT status, count(*) FROM runs GROUP BY status");
    while (st.step()) s.runs_by_status[st.column_text(0)] = st.column_int(1);
  }
  {
    auto st = db_.prepare(
        "SELECT run_id, stage, started_at, coalesce(finished_at, '') FROM runs WHERE status = 'abandoned' ORDER BY "
        "run_id");
    while (st.step())
      s.abandoned_runs.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3)});
  }
  s.ingest_warnings = scalar("SELECT coalesce(sum(warnings), 0) FROM files");
  {
    auto st = db_.prepare(
        "SELECT s.source_type, count(*) FROM records r JOIN sources s USING (source_id) GROUP BY s.source_type");
    while (st.step()) s.records_by_source_type[st.column_text(0)] = st.column_int(1);
  }
  {
    auto st = db_.prepare("SELECT role, count(*) FROM records GROUP BY role");
    while (st.step()) s.records_by_role[st.column_text(0)] = st.column_int(1);
  }
  {
    auto st = db_.prepare("SELECT source_type, count(*) FROM sources GROUP BY source_type");
    while (st.step()) s.sources_by_source_type[st.column_text(0)] = st.column_int(1);
  }
  return s;
}

std::map<std::string, std::int64_t> SqliteStore::records_by_area(Role role) {
  std::map<std::string, std::int64_t> out;
  auto st = db_.prepare("SELECT coalesce(lad_cd, ''), count(*) FROM records WHERE role = ? GROUP BY 1");
  st.bind(1, to_string(role));
  while (st.step()) out[st.column_text(0)] = st.column_int(1);
  return out;
}

std::vector<FieldCompleteness> SqliteStore::field_completeness(Role role) {
  static constexpr const char* kFields[] = {"given_name", "family_name", "dob", "postcode", "lad_cd",
                                            "nhs_number", "upn", "pnc_id"};
  std::string sql = "SELECT s.source_type, count(*), sum(r.sex != 'unknown')";
  for (const char* f : kFields) sql += fmt::format(", count(r.{})", f);
  sql += " FROM records r JOIN sources s USING (source_id) WHERE r.role = ? GROUP BY s.source_type ORDER BY 1";
  auto st = db_.prepare(sql);
  st.bind(1, to_string(role));
  std::vector<FieldCompleteness> out;
  while (st.step()) {
    FieldCompleteness c;
    c.source_type = st.column_text(0);
    c.records = st.column_int(1);
    c.with_value["sex"] = st.column_int(2);
    for (int i = 0; i < static_cast<int>(std::size(kFields)); ++i) c.with_value[kFields[i]] = st.column_int(3 + i);
    out.push_back(std::move(c));
  }
  return out;
}

void SqliteStore::for_each_record(std::optional<Role> role, const std::function<void(const StoredRecord&)>& fn) {
  auto st = db_.prepare(
      "SELECT r.record_pk, r.file_id, r.record_id, s.source_type, r.source_org, r.role, r.record_type, r.event_date, "
      "r.last_date, r.case_ref, r.offence_count, r.lad_cd, r.given_name, r.family_name, r.other_names, r.dob, r.sex, "
      "r.postcode, r.nhs_number, r.upn, r.pnc_id, r.attrs, r.line FROM records r JOIN sources s USING (source_id) "
      "WHERE ?1 IS NULL OR r.role = ?1 ORDER BY r.record_pk");
  if (role) st.bind(1, to_string(*role));
  StoredRecord out;
  auto date_or_throw = [&](const std::string& text) {
    auto d = Date::parse(text);
    if (!d) db_.fail("stored date '" + text + "' is not a date");
    return *d;
  };
  while (st.step()) {
    Record& r = out.record;
    out.record_pk = st.column_int(0);
    out.file_id = st.column_int(1);
    r.record_id = st.column_text(2);
    r.source_type = *parse_enum<SourceType>(kSourceTypeNames, st.column_text(3));
    r.source_org = st.column_text(4);
    r.role = *parse_enum<Role>(kRoleNames, st.column_text(5));
    r.record_type = *parse_enum<RecordType>(kRecordTypeNames, st.column_text(6));
    r.event_date = date_or_throw(st.column_text(7));
    r.last_date = st.column_is_null(8) ? std::nullopt : std::optional<Date>(date_or_throw(st.column_text(8)));
    r.case_ref = st.column_text(9);
    r.offence_count = st.column_is_null(10) ? std::nullopt : std::optional<std::int64_t>(st.column_int(10));
    r.lad_cd = st.column_text(11);
    r.given_name = st.column_text(12);
    r.family_name = st.column_text(13);
    r.other_names = st.column_text(14);
    r.dob = st.column_is_null(15) ? std::nullopt : std::optional<Date>(date_or_throw(st.column_text(15)));
    r.sex = *parse_enum<Sex>(kSexNames, st.column_text(16));
    r.postcode = st.column_text(17);
    r.nhs_number = st.column_text(18);
    r.upn = st.column_text(19);
    r.pnc_id = st.column_text(20);
    r.attrs.clear();
    if (!st.column_is_null(21)) {
      const auto attrs = nlohmann::json::parse(st.column_text(21));  // kept alive for the loop
      for (auto it = attrs.begin(); it != attrs.end(); ++it) r.attrs.emplace_back(it.key(), it.value().get<std::string>());
    }
    r.line = st.column_int(22);
    fn(out);
  }
}

std::int64_t SqliteStore::start_run(const std::string& stage, const std::string& params_json) {
  const RunOwner owner = this_process();
  auto st = db_.prepare(
      "INSERT INTO runs (stage, started_at, status, params, pid, host, process) VALUES (?, ?, 'running', ?, ?, ?, ?)");
  st.bind(1, stage).bind(2, utc_timestamp()).bind(3, params_json).bind(4, owner.pid).bind(5, owner.host);
  st.bind(6, owner.process);
  st.run();
  return db_.last_insert_rowid();
}

void SqliteStore::finish_run(std::int64_t run_id, const std::string& status, const std::string& summary_json) {
  auto st = db_.prepare("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?");
  st.bind(1, utc_timestamp()).bind(2, status).bind(3, summary_json).bind(4, run_id);
  st.run();
}

void SqliteStore::save_link_run(std::int64_t run_id, const LinkRunOutput& out) {
  sqlite::Transaction tx(db_);
  auto person = db_.prepare(
      "INSERT INTO link_persons (run_id, person_id, role, capture_history, lad_cd, first_date, last_date, age_band, "
      "sex, offence_count, records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& p : out.persons) {
    person.reset();
    person.bind(1, run_id).bind(2, p.person_id).bind(3, p.role).bind(4, p.capture_history);
    if (p.lad_cd.empty()) person.bind_null(5);
    else person.bind(5, p.lad_cd);
    person.bind(6, p.first_date).bind(7, p.last_date).bind(8, p.age_band).bind(9, p.sex).bind(10, p.offence_count)
        .bind(11, p.records);
    person.run();
  }
  auto member = db_.prepare("INSERT INTO link_person_records (run_id, record_pk, person_id) VALUES (?, ?, ?)");
  for (const auto& [record_pk, person_id] : out.person_of_record) {
    member.reset();
    member.bind(1, run_id).bind(2, record_pk).bind(3, person_id);
    member.run();
  }
  auto pair = db_.prepare(
      "INSERT INTO link_pairs (run_id, record_pk_a, record_pk_b, weight, probability) VALUES (?, ?, ?, ?, ?)");
  for (const auto& p : out.pairs) {
    pair.reset();
    pair.bind(1, run_id).bind(2, p.record_pk_a).bind(3, p.record_pk_b).bind(4, p.weight).bind(5, p.probability);
    pair.run();
  }
  auto review = db_.prepare(
      "INSERT INTO link_review (run_id, role, record_pk_a, record_pk_b, weight, probability, levels) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const auto& p : out.review) {
    review.reset();
    review.bind(1, run_id).bind(2, out.role).bind(3, p.record_pk_a).bind(4, p.record_pk_b).bind(5, p.weight)
        .bind(6, p.probability).bind(7, p.levels_json);
    review.run();
  }
  auto diag = db_.prepare("INSERT INTO link_diagnostics (run_id, role, diagnostics) VALUES (?, ?, ?)");
  diag.bind(1, run_id).bind(2, out.role).bind(3, out.diagnostics_json);
  diag.run();
  tx.commit();
}

std::optional<std::int64_t> SqliteStore::latest_link_run(Role role) {
  auto st = db_.prepare(
      "SELECT max(r.run_id) FROM runs r WHERE r.stage = 'link' AND r.status = 'done' AND EXISTS "
      "(SELECT 1 FROM link_persons p WHERE p.run_id = r.run_id AND p.role = ?)");
  st.bind(1, to_string(role));
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_int(0);
}

void SqliteStore::for_each_linked_person(
    std::int64_t run_id, Role role, const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) {
  // Each person's most frequent date of birth: full dates first, then the most common.
  std::map<std::int64_t, Date> dob_of;
  {
    auto st = db_.prepare(
        "SELECT m.person_id, r.dob, count(*) AS n FROM link_person_records m JOIN records r USING (record_pk) "
        "WHERE m.run_id = ? AND r.role = ? AND r.dob IS NOT NULL GROUP BY m.person_id, r.dob "
        "ORDER BY m.person_id, length(r.dob) DESC, n DESC, r.dob");
    st.bind(1, run_id).bind(2, to_string(role));
    while (st.step()) {
      const auto person = st.column_int(0);
      if (dob_of.count(person)) continue;  // the first row per person is the chosen one
      if (auto d = Date::parse(st.column_text(1))) dob_of.emplace(person, *d);
    }
  }
  auto st = db_.prepare(
      "SELECT person_id, role, capture_history, coalesce(lad_cd, ''), first_date, last_date, age_band, sex, "
      "offence_count, records FROM link_persons WHERE run_id = ? AND role = ? ORDER BY person_id");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedPerson p;
  while (st.step()) {
    p.person_id = st.column_int(0);
    p.role = st.column_text(1);
    p.capture_history = st.column_text(2);
    p.lad_cd = st.column_text(3);
    p.first_date = st.column_text(4);
    p.last_date = st.column_text(5);
    p.age_band = st.column_text(6);
    p.sex = st.column_text(7);
    p.offence_count = st.column_int(8);
    p.records = st.column_int(9);
    auto it = dob_of.find(p.person_id);
    fn(p, it == dob_of.end() ? std::nullopt : std::optional<Date>(it->second));
  }
}

Store::LatestDate SqliteStore::latest_record_date(Role role) {
  // Dates are stored as YYYY-MM-DD, so text order is date order.
  const std::string latest_allowed = fmt::format("date(f.ingested_at, '+{} day')", limits::kDeliveryGraceDays);
  auto st = db_.prepare(fmt::format(
      "SELECT max(CASE WHEN r.event_date <= {0} THEN r.event_date END), "
      "max(CASE WHEN r.last_date <= {0} THEN r.last_date END), "
      "sum(r.event_date > {0} OR coalesce(r.last_date > {0}, 0)) "
      "FROM records r JOIN files f USING (file_id) WHERE r.role = ?",
      latest_allowed));
  st.bind(1, to_string(role));
  LatestDate out;
  if (!st.step()) return out;
  for (int i : {0, 1}) {
    if (st.column_is_null(i)) continue;
    auto d = Date::parse(st.column_text(i));
    if (d && (!out.date || *d > *out.date)) out.date = d;
  }
  out.ignored = st.column_is_null(2) ? 0 : st.column_int(2);
  return out;
}

std::optional<std::pair<std::int64_t, std::string>> SqliteStore::latest_run_summary(const std::string& stage) {
  auto st = db_.prepare(
      "SELECT run_id, summary FROM runs WHERE stage = ? AND status = 'done' AND summary IS NOT NULL "
      "ORDER BY run_id DESC LIMIT 1");
  st.bind(1, stage);
  if (!st.step()) return std::nullopt;
  return std::pair{st.column_int(0), st.column_text(1)};
}

std::vector<Store::LinkDiagnostics> SqliteStore::latest_link_diagnostics() {
  auto st = db_.prepare(
      "SELECT d.run_id, d.role, d.diagnostics, coalesce(r.params, '{}'), "
      "coalesce(json_extract(r.params, '$.threshold'), 0.5) FROM link_diagnostics d JOIN runs r USING (run_id) "
      "WHERE r.status = 'done' AND d.run_id = (SELECT max(d2.run_id) FROM link_diagnostics d2 JOIN runs r2 "
      "USING (run_id) WHERE r2.status = 'done' AND d2.role = d.role) ORDER BY d.role");
  std::vector<LinkDiagnostics> out;
  std::vector<double> thresholds;
  while (st.step()) {
    LinkDiagnostics d;
    d.run_id = st.column_int(0);
    d.role = st.column_text(1);
    d.diagnostics_json = st.column_text(2);
    d.params_json = st.column_text(3);
    thresholds.push_back(st.column_double(4));
    out.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto pairs = db_.prepare(
        "SELECT count(*), coalesce(avg(p.probability), 0) FROM link_pairs p JOIN records r ON r.record_pk = "
        "p.record_pk_a WHERE p.run_id = ? AND r.role = ? AND p.probability >= ?");
    pairs.bind(1, out[i].run_id).bind(2, out[i].role).bind(3, thresholds[i]);
    if (pairs.step()) {
      out[i].linked_pairs = pairs.column_int(0);
      out[i].mean_probability = pairs.column_double(1);
    }
  }
  return out;
}

void SqliteStore::for_each_linked_record(std::int64_t run_id, Role role,
                                         const std::function<void(const LinkedRecord&)>& fn) {
  auto st = db_.prepare(
      "SELECT r.record_pk, m.person_id, s.source_type, r.source_org, r.record_id, coalesce(r.case_ref, ''), "
      "coalesce(r.lad_cd, ''), r.event_date, r.last_date, r.offence_count FROM link_person_records m "
      "JOIN records r USING (record_pk) JOIN sources s USING (source_id) WHERE m.run_id = ? AND r.role = ? "
      "ORDER BY r.record_pk");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedRecord out;
  out.role = role;
  auto date_or_throw = [&](const std::string& text) {
    auto d = Date::parse(text);
    if (!d) db_.fail("stored date '" + text + "' is not a date");
    return *d;
  };
  while (st.step()) {
    out.record_pk = st.column_int(0);
    out.person_id = st.column_int(1);
    out.source_type = *parse_enum<SourceType>(kSourceTypeNames, st.column_text(2));
    out.source_org = st.column_text(3);
    out.record_id = st.column_text(4);
    out.case_ref = st.column_text(5);
    out.lad_cd = st.column_text(6);
    out.event_date = date_or_throw(st.column_text(7));
    out.last_date = st.column_is_null(8) ? std::nullopt : std::optional<Date>(date_or_throw(st.column_text(8)));
    out.offence_count = st.column_is_null(9) ? std::nullopt : std::optional<std::int64_t>(st.column_int(9));
    fn(out);
  }
}

void SqliteStore::for_each_link_pair(std::int64_t run_id, Role role, const std::function<void(const LinkedPair&)>& fn) {
  auto st = db_.prepare(
      "SELECT p.record_pk_a, p.record_pk_b, p.weight, p.probability FROM link_pairs p JOIN records r ON r.record_pk = "
      "p.record_pk_a WHERE p.run_id = ? AND r.role = ? ORDER BY p.record_pk_a, p.record_pk_b");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedPair pair;
  while (st.step()) {
    pair.record_pk_a = st.column_int(0);
    pair.record_pk_b = st.column_int(1);
    pair.weight = st.column_double(2);
    pair.probability = st.column_double(3);
    fn(pair);
  }
}

std::vector<StoredReviewPair> SqliteStore::review_pairs(std::int64_t run_id, Role role, std::size_t limit,
                                                       std::int64_t& total) {
  {
    auto st = db_.prepare("SELECT count(*) FROM link_review WHERE run_id = ? AND role = ?");
    st.bind(1, run_id).bind(2, to_string(role));
    total = st.step() ? st.column_int(0) : 0;
  }
  auto st = db_.prepare(
      "SELECT sa.source_type, ra.source_org, ra.record_id, ra.event_date, coalesce(ma.person_id, 0), "
      "sb.source_type, rb.source_org, rb.record_id, rb.event_date, coalesce(mb.person_id, 0), "
      "v.weight, v.probability, v.levels FROM link_review v "
      "JOIN records ra ON ra.record_pk = v.record_pk_a JOIN sources sa ON sa.source_id = ra.source_id "
      "JOIN records rb ON rb.record_pk = v.record_pk_b JOIN sources sb ON sb.source_id = rb.source_id "
      "LEFT JOIN link_person_records ma ON ma.run_id = v.run_id AND ma.record_pk = v.record_pk_a "
      "LEFT JOIN link_person_records mb ON mb.run_id = v.run_id AND mb.record_pk = v.record_pk_b "
      "WHERE v.run_id = ? AND v.role = ? ORDER BY v.probability DESC, v.record_pk_a, v.record_pk_b LIMIT ?");
  st.bind(1, run_id).bind(2, to_string(role)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<StoredReviewPair> out;
  while (st.step()) {
    StoredReviewPair p;
    p.a = {st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3), st.column_int(4)};
    p.b = {st.column_text(5), st.column_text(6), st.column_text(7), st.column_text(8), st.column_int(9)};
    p.weight = st.column_double(10);
    p.probability = st.column_double(11);
    p.levels_json = st.column_text(12);
    out.push_back(std::move(p));
  }
  return out;
}

void SqliteStore::save_network_run(std::int64_t run_id, const NetworkRunOutput& out) {
  sqlite::Transaction tx(db_);
  db_.exec("DELETE FROM network_members; DELETE FROM networks; DELETE FROM network_run;");
  auto held = db_.prepare("INSERT INTO network_run (run_id, saved_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
  held.bind(1, run_id);
  held.run();
  auto net = db_.prepare(
      "INSERT INTO networks (run_id, network_id, suspects, victims, cases, records, lads, pfas, cross_force, "
      "first_date, last_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& n : out.networks) {
    net.reset();
    net.bind(1, run_id).bind(2, n.network_id).bind(3, n.suspects).bind(4, n.victims).bind(5, n.cases)
        .bind(6, n.records).bind(7, nlohmann::json(n.lads).dump()).bind(8, nlohmann::json(n.pfas).dump())
        .bind(9, std::int64_t{n.pfas.size() > 1}).bind(10, n.first_date).bind(11, n.last_date);
    net.run();
  }
  auto member = db_.prepare(
      "INSERT INTO network_members (run_id, network_id, role, link_run_id, person_id) VALUES (?, ?, ?, ?, ?)");
  for (const auto& m : out.members) {
    member.reset();
    member.bind(1, run_id).bind(2, m.network_id).bind(3, to_string(m.role)).bind(4, m.link_run_id)
        .bind(5, m.person_id);
    member.run();
  }
  tx.commit();
}

std::optional<std::int64_t> SqliteStore::latest_network_run() {
  auto st = db_.prepare("SELECT max(run_id) FROM network_run");
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_int(0);
}

std::vector<StoredNetwork> SqliteStore::networks() {
  auto st = db_.prepare(
      "SELECT network_id, suspects, victims, cases, records, lads, pfas, first_date, last_date FROM networks "
      "ORDER BY network_id");
  std::vector<StoredNetwork> out;
  while (st.step()) {
    StoredNetwork n;
    n.network_id = st.column_int(0);
    n.suspects = st.column_int(1);
    n.victims = st.column_int(2);
    n.cases = st.column_int(3);
    n.records = st.column_int(4);
    n.lads = nlohmann::json::parse(st.column_text(5)).get<std::vector<std::string>>();
    n.pfas = nlohmann::json::parse(st.column_text(6)).get<std::vector<std::string>>();
    n.first_date = st.column_text(7);
    n.last_date = st.column_text(8);
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::int64_t> SqliteStore::networks_of_person(std::int64_t link_run_id, std::int64_t person_id) {
  auto st = db_.prepare(
      "SELECT DISTINCT network_id FROM network_members WHERE link_run_id = ? AND person_id = ? ORDER BY network_id");
  st.bind(1, link_run_id).bind(2, person_id);
  std::vector<std::int64_t> out;
  while (st.step()) out.push_back(st.column_int(0));
  return out;
}

void SqliteStore::for_each_network_member(const std::function<void(const NetworkMember&)>& fn) {
  auto st = db_.prepare(
      "SELECT network_id, role, link_run_id, person_id FROM network_members ORDER BY network_id, role, person_id");
  NetworkMember m;
  while (st.step()) {
    m.network_id = st.column_int(0);
    const auto role = parse_enum<Role>(kRoleNames, st.column_text(1));
    if (!role) db_.fail("stored role '" + st.column_text(1) + "' is not a role");
    m.role = *role;
    m.link_run_id = st.column_int(2);
    m.person_id = st.column_int(3);
    fn(m);
  }
}

}  // namespace joindots
