#include "store/postgres/postgres_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/text_file.hpp"
#include "store/sqlite/run_owner.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

namespace {

/// Rows per round trip when a method streams: memory stays bounded, and the caller's
/// function may use the store between chunks.
constexpr int kChunkRows = 20000;

std::optional<Date> optional_date(const pg::Connection& c, const pg::Result& r, int row, int col) {
  if (r.null(row, col)) return std::nullopt;
  return stored::date_value(c, r.text(row, col));
}

}  // namespace

FileInfo file_info(const pg::Result& r, int row) {
  return FileInfo{r.integer(row, 0), r.text(row, 1),    r.text(row, 2),
                  r.integer(row, 3), r.integer(row, 4), r.text(row, 5)};
}

PostgresStore::PostgresStore(const std::string& uri, bool create) : c_(uri) {
  if (!create && postgres_schema_version(c_) == 0)
    throw UsageError(fmt::format(
        "{}: no such store: the database holds no joindots tables (run `joindots ingest "
        "--db URI` first)",
        c_.location()));
  migrate_postgres(c_);
  // A run whose process died (kill -9, a crash) would otherwise stay "running" for ever.
  mark_abandoned_runs();
}

int PostgresStore::schema_version() { return postgres_schema_version(c_); }

void PostgresStore::ensure_areas(const AreaTable& areas) {
  pg::Transaction tx(c_);
  c_.query("SELECT pg_advisory_xact_lock($1)", pg::Params().integer(kPostgresIngestLock));
  if (c_.query("SELECT count(*) FROM areas").integer(0, 0) > 0) return;
  pg::CopyRows rows;
  for (const auto& a : areas.all()) {
    rows.text(a.code)
        .text(a.name)
        .text(a.lad_type)
        .text(a.region_code)
        .text(a.region_name)
        .text(a.country);
    rows.text(a.pfa_code)
        .text(a.pfa_name)
        .integer(a.pop_all)
        .integer(a.pop_0_17)
        .integer(a.pop_0_15);
    rows.integer(a.pop_10_17).real(a.lon).real(a.lat).end_row();
  }
  rows.send(c_,
            "COPY areas (lad_cd, name, lad_type, region_cd, region_nm, country, pfa_cd, pfa_nm, "
            "pop_all, pop_0_17, "
            "pop_0_15, pop_10_17, lon, lat) FROM STDIN");
  tx.commit();
}

std::optional<FileInfo> PostgresStore::find_file(const std::string& sha256) {
  auto r = c_.query(fmt::format("SELECT {} FROM files WHERE sha256 = $1", kPostgresFileColumns),
                    pg::Params().text(sha256));
  if (r.rows() == 0) return std::nullopt;
  return file_info(r, 0);
}

std::vector<FileInfo> PostgresStore::files() {
  auto r = c_.query(fmt::format("SELECT {} FROM files ORDER BY file_id", kPostgresFileColumns));
  std::vector<FileInfo> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(file_info(r, i));
  return out;
}

std::unique_ptr<IngestBatch> PostgresStore::begin_ingest(const std::string& path,
                                                         const std::string& sha256,
                                                         std::int64_t bytes, FileInfo& existing) {
  return begin_postgres_ingest(c_, path, sha256, bytes, existing);
}

StoreSummary PostgresStore::summary() {
  pg::ReadSnapshot snapshot(c_);
  StoreSummary s;
  s.schema_version = postgres_schema_version(c_);
  auto scalar = [&](const std::string& sql) { return c_.query(sql).integer(0, 0); };
  auto counts = [&](const std::string& sql, std::map<std::string, std::int64_t>& into) {
    auto r = c_.query(sql);
    for (int i = 0; i < r.rows(); ++i) into[r.text(i, 0)] = r.integer(i, 1);
  };
  s.files = scalar("SELECT count(*) FROM files");
  s.records = scalar("SELECT count(*) FROM records");
  s.sources = scalar("SELECT count(*) FROM sources");
  s.areas = scalar("SELECT count(*) FROM areas");
  s.areas_with_records =
      scalar("SELECT count(DISTINCT lad_cd) FROM records WHERE lad_cd IS NOT NULL");
  s.runs = scalar("SELECT count(*) FROM runs WHERE status = 'done'");
  counts("SELECT status, count(*) FROM runs GROUP BY status", s.runs_by_status);
  auto abandoned = c_.query(
      "SELECT run_id, stage, started_at, coalesce(finished_at, '') FROM runs WHERE status = "
      "'abandoned' "
      "ORDER BY run_id");
  for (int i = 0; i < abandoned.rows(); ++i)
    s.abandoned_runs.push_back({abandoned.integer(i, 0), abandoned.text(i, 1), abandoned.text(i, 2),
                                abandoned.text(i, 3)});
  s.ingest_warnings = scalar("SELECT coalesce(sum(warnings), 0) FROM files");
  counts(
      "SELECT s.source_type, count(*) FROM records r JOIN sources s USING (source_id) GROUP BY "
      "s.source_type",
      s.records_by_source_type);
  counts("SELECT role, count(*) FROM records GROUP BY role", s.records_by_role);
  counts("SELECT source_type, count(*) FROM sources GROUP BY source_type",
         s.sources_by_source_type);
  return s;
}

std::map<std::string, std::int64_t> PostgresStore::records_by_area(Role role) {
  auto r = c_.query("SELECT coalesce(lad_cd, ''), count(*) FROM records WHERE role = $1 GROUP BY 1",
                    pg::Params().text(to_string(role)));
  std::map<std::string, std::int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out[r.text(i, 0)] = r.integer(i, 1);
  return out;
}

std::vector<FieldCompleteness> PostgresStore::field_completeness(Role role) {
  static constexpr const char* kFields[] = {"given_name", "family_name", "dob", "postcode",
                                            "lad_cd",     "nhs_number",  "upn", "pnc_id"};
  std::string sql = "SELECT s.source_type, count(*), count(*) FILTER (WHERE r.sex <> 'unknown')";
  for (const char* f : kFields) sql += fmt::format(", count(r.{})", f);
  sql +=
      " FROM records r JOIN sources s USING (source_id) WHERE r.role = $1 GROUP BY s.source_type "
      "ORDER BY 1";
  auto r = c_.query(sql, pg::Params().text(to_string(role)));
  std::vector<FieldCompleteness> out;
  for (int i = 0; i < r.rows(); ++i) {
    FieldCompleteness c;
    c.source_type = r.text(i, 0);
    c.records = r.integer(i, 1);
    c.with_value["sex"] = r.integer(i, 2);
    for (int f = 0; f < static_cast<int>(std::size(kFields)); ++f)
      c.with_value[kFields[f]] = r.integer(i, 3 + f);
    out.push_back(std::move(c));
  }
  return out;
}

void PostgresStore::for_each_record(std::optional<Role> role,
                                    const std::function<void(const StoredRecord&)>& fn) {
  const std::string sql = fmt::format(
      "SELECT r.record_pk, r.file_id, r.record_id, s.source_type, r.source_org, r.role, "
      "r.record_type, r.event_date, "
      "r.last_date, r.case_ref, r.offence_count, r.lad_cd, r.given_name, r.family_name, "
      "r.other_names, r.dob, r.sex, "
      "r.postcode, r.nhs_number, r.upn, r.pnc_id, r.attrs, r.line FROM records r JOIN sources s "
      "USING (source_id) "
      "WHERE ($1::text IS NULL OR r.role = $1) AND r.record_pk > $2 ORDER BY r.record_pk LIMIT {}",
      kChunkRows);
  StoredRecord out;
  for (std::int64_t after = 0;;) {
    pg::Params params;
    params.text_or_null(role ? std::string(to_string(*role)) : std::string());  // no role: every role
    auto q = c_.query(sql, params.integer(after));
    for (int i = 0; i < q.rows(); ++i) {
      Record& r = out.record;
      out.record_pk = after = q.integer(i, 0);
      out.file_id = q.integer(i, 1);
      r.record_id = q.text(i, 2);
      r.source_type =
          stored::enum_value<SourceType>(c_, kSourceTypeNames, q.text(i, 3), "source type");
      r.source_org = q.text(i, 4);
      r.role = stored::enum_value<Role>(c_, kRoleNames, q.text(i, 5), "role");
      r.record_type =
          stored::enum_value<RecordType>(c_, kRecordTypeNames, q.text(i, 6), "record type");
      r.event_date = stored::date_value(c_, q.text(i, 7));
      r.last_date = optional_date(c_, q, i, 8);
      r.case_ref = q.text(i, 9);
      r.offence_count = q.integer_or_null(i, 10);
      r.lad_cd = q.text(i, 11);
      r.given_name = q.text(i, 12);
      r.family_name = q.text(i, 13);
      r.other_names = q.text(i, 14);
      r.dob = optional_date(c_, q, i, 15);
      r.sex = stored::enum_value<Sex>(c_, kSexNames, q.text(i, 16), "sex");
      r.postcode = q.text(i, 17);
      r.nhs_number = q.text(i, 18);
      r.upn = q.text(i, 19);
      r.pnc_id = q.text(i, 20);
      r.attrs.clear();
      if (!q.null(i, 21)) {
        const auto attrs = nlohmann::json::parse(q.text(i, 21));  // kept alive for the loop
        for (auto it = attrs.begin(); it != attrs.end(); ++it)
          r.attrs.emplace_back(it.key(), it.value().get<std::string>());
      }
      r.line = q.integer(i, 22);
      fn(out);
    }
    if (q.rows() < kChunkRows) break;
  }
}

std::optional<StoreEncoding> PostgresStore::encoding() {
  auto r = c_.query("SELECT scheme, key_fingerprint FROM store_encoding");
  if (r.rows() == 0) return std::nullopt;
  return StoreEncoding{r.text(0, 0), r.text(0, 1)};
}

void PostgresStore::for_each_encoded_record(
    std::optional<Role> role,
    const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) {
  const std::string sql = fmt::format(
      "SELECT e.record_pk, e.clk, e.clk_weight, e.age_band, e.tokens FROM record_encodings e JOIN "
      "records r USING "
      "(record_pk) WHERE ($1::text IS NULL OR r.role = $1) AND e.record_pk > $2 ORDER BY "
      "e.record_pk LIMIT {}",
      kChunkRows);
  EncodedColumns e;
  for (std::int64_t after = 0;;) {
    pg::Params params;
    params.text_or_null(role ? std::string(to_string(*role)) : std::string());  // no role: every role
    auto q = c_.query(sql, params.integer(after));
    for (int i = 0; i < q.rows(); ++i) {
      after = q.integer(i, 0);
      e.clk = q.bytes(i, 1);
      e.clk_weight = q.integer(i, 2);
      e.age_band = q.text(i, 3);
      e.tokens_json = q.text(i, 4);
      fn(after, e);
    }
    if (q.rows() < kChunkRows) break;
  }
}

std::int64_t PostgresStore::start_run(const std::string& stage, const std::string& params_json) {
  const RunOwner owner = this_process();
  auto r = c_.query(
      "INSERT INTO runs (stage, started_at, status, params, pid, host, process) "
      "VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING run_id",
      pg::Params()
          .text(stage)
          .text(utc_timestamp())
          .text_or_null(params_json)
          .integer(owner.pid)
          .text_or_null(owner.host)
          .text_or_null(owner.process));
  return r.integer(0, 0);
}

void PostgresStore::finish_run(std::int64_t run_id, const std::string& status,
                               const std::string& summary_json) {
  c_.query(
      "UPDATE runs SET finished_at = $1, status = $2, summary = $3 WHERE run_id = $4",
      pg::Params().text(utc_timestamp()).text(status).text_or_null(summary_json).integer(run_id));
}

void PostgresStore::mark_abandoned_runs() {
  const RunOwner self = this_process();
  auto running = c_.query(
      "SELECT run_id, pid, coalesce(process, '') FROM runs WHERE status = 'running' AND host = $1",
      pg::Params().text(self.host));
  for (int i = 0; i < running.rows(); ++i) {
    const std::int64_t pid = running.integer(i, 1);
    if (process_identity(pid) == running.text(i, 2)) continue;  // still alive
    const nlohmann::json why{
        {"abandoned", fmt::format("its process (pid {}) ended before the run finished", pid)}};
    c_.query(
        "UPDATE runs SET status = 'abandoned', finished_at = $1, summary = $2 WHERE run_id = $3 "
        "AND "
        "status = 'running'",
        pg::Params().text(utc_timestamp()).text(why.dump()).integer(running.integer(i, 0)));
  }
}

Store::LatestDate PostgresStore::latest_record_date(Role role) {
  // Dates are YYYY-MM-DD text in the "C" collation, so text order is date order; the
  // delivery date is the day the file was ingested plus the grace.
  const std::string latest_allowed = fmt::format(
      "to_char(left(f.ingested_at, 10)::date + {}, 'YYYY-MM-DD')", limits::kDeliveryGraceDays);
  auto r = c_.query(
      fmt::format(
          "SELECT max(CASE WHEN r.event_date <= {0} THEN r.event_date END), "
          "max(CASE WHEN r.last_date <= {0} THEN r.last_date END), "
          "count(*) FILTER (WHERE r.event_date > {0} OR coalesce(r.last_date > {0}, false)) "
          "FROM records r JOIN files f USING (file_id) WHERE r.role = $1",
          latest_allowed),
      pg::Params().text(to_string(role)));
  LatestDate out;
  for (int i : {0, 1}) {
    if (r.null(0, i)) continue;
    auto d = Date::parse(r.text(0, i));
    if (d && (!out.date || *d > *out.date)) out.date = d;
  }
  out.ignored = r.integer(0, 2);
  return out;
}

std::optional<std::pair<std::int64_t, std::string>> PostgresStore::latest_run_summary(
    const std::string& stage) {
  auto r = c_.query(
      "SELECT run_id, summary FROM runs WHERE stage = $1 AND status = 'done' AND summary IS NOT "
      "NULL "
      "ORDER BY run_id DESC LIMIT 1",
      pg::Params().text(stage));
  if (r.rows() == 0) return std::nullopt;
  return std::pair{r.integer(0, 0), r.text(0, 1)};
}

}  // namespace joindots
