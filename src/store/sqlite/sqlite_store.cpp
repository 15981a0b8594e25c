#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/text_file.hpp"
#include "store/sqlite/encoded_records.hpp"
#include "store/sqlite/ingest_batch.hpp"
#include "store/sqlite/run_owner.hpp"

namespace joindots {

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
  return begin_sqlite_ingest(db_, path, sha256, bytes, existing);
}

StoreSummary SqliteStore::summary() {
  sqlite::ReadSnapshot snapshot(db_);  // the counts below from one state of the store
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
      for (auto it = attrs.begin(); it != attrs.end(); ++it)
        r.attrs.emplace_back(it.key(), it.value().get<std::string>());
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

}  // namespace joindots
