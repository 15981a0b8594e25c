// Schema migrations of the SQLite store. Append a new entry for each change; never edit an
// entry that has shipped. PRAGMA user_version holds the number applied.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "core/error.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace joindots {

namespace {

constexpr std::array<std::string_view, 10> kMigrations = {
    // 1: sources, files, records, reference areas, runs.
    R"sql(
CREATE TABLE areas (
  lad_cd TEXT PRIMARY KEY, name TEXT NOT NULL, lad_type TEXT NOT NULL,
  region_cd TEXT NOT NULL, region_nm TEXT NOT NULL, country TEXT NOT NULL,
  pfa_cd TEXT NOT NULL, pfa_nm TEXT NOT NULL,
  pop_all INTEGER NOT NULL, pop_0_17 INTEGER NOT NULL, pop_0_15 INTEGER NOT NULL, pop_10_17 INTEGER NOT NULL,
  lon REAL NOT NULL, lat REAL NOT NULL
);
CREATE TABLE sources (
  source_id INTEGER PRIMARY KEY,
  source_type TEXT NOT NULL,
  source_org TEXT NOT NULL,
  UNIQUE (source_type, source_org)
);
CREATE TABLE files (
  file_id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  bytes INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  ingested_at TEXT NOT NULL
);
CREATE TABLE records (
  record_pk INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  line INTEGER NOT NULL,
  source_id INTEGER NOT NULL REFERENCES sources(source_id),
  source_org TEXT NOT NULL,
  record_id TEXT NOT NULL,
  role TEXT NOT NULL,
  record_type TEXT NOT NULL,
  event_date TEXT NOT NULL,
  last_date TEXT,
  case_ref TEXT,
  offence_count INTEGER,
  lad_cd TEXT REFERENCES areas(lad_cd),
  given_name TEXT, family_name TEXT, other_names TEXT,
  dob TEXT,
  sex TEXT NOT NULL,
  postcode TEXT, nhs_number TEXT, upn TEXT, pnc_id TEXT,
  attrs TEXT,
  UNIQUE (source_org, record_id)
);
CREATE INDEX records_by_role ON records(role, source_id);
CREATE INDEX records_by_file ON records(file_id);
CREATE TABLE runs (
  run_id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  params TEXT,
  summary TEXT
);
)sql",
    // 2: link runs: persons with capture histories, record -> person, pair scores, diagnostics.
    R"sql(
CREATE TABLE link_persons (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  person_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  capture_history TEXT NOT NULL,
  lad_cd TEXT,
  first_date TEXT NOT NULL,
  last_date TEXT NOT NULL,
  age_band TEXT NOT NULL,
  sex TEXT NOT NULL,
  offence_count INTEGER NOT NULL,
  records INTEGER NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
CREATE TABLE link_person_records (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  record_pk INTEGER NOT NULL REFERENCES records(record_pk),
  person_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, record_pk)
);
CREATE TABLE link_pairs (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  record_pk_a INTEGER NOT NULL,
  record_pk_b INTEGER NOT NULL,
  weight REAL NOT NULL,
  probability REAL NOT NULL,
  PRIMARY KEY (run_id, record_pk_a, record_pk_b)
);
CREATE TABLE link_diagnostics (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  role TEXT NOT NULL,
  diagnostics TEXT NOT NULL,
  PRIMARY KEY (run_id, role)
);
)sql",
    // 3: the clerical-review band of a link run: record pairs with their agreement levels.
    R"sql(
CREATE TABLE link_review (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  role TEXT NOT NULL,
  record_pk_a INTEGER NOT NULL,
  record_pk_b INTEGER NOT NULL,
  weight REAL NOT NULL,
  probability REAL NOT NULL,
  levels TEXT NOT NULL,
  PRIMARY KEY (run_id, record_pk_a, record_pk_b)
);
)sql",
    // 4: networks runs: each network of the latest run, and which linked person is in which.
    // save_network_run replaces the rows of the earlier run in one transaction, so these
    // tables hold one networks run (network_run names it, even when it found no network).
    R"sql(
CREATE TABLE network_run (
  run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),
  saved_at TEXT NOT NULL
);
CREATE TABLE networks (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  network_id INTEGER NOT NULL,
  suspects INTEGER NOT NULL,
  victims INTEGER NOT NULL,
  cases INTEGER NOT NULL,
  records INTEGER NOT NULL,
  lads TEXT NOT NULL,
  pfas TEXT NOT NULL,
  cross_force INTEGER NOT NULL,
  first_date TEXT NOT NULL,
  last_date TEXT NOT NULL,
  PRIMARY KEY (run_id, network_id)
);
CREATE TABLE network_members (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  network_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  link_run_id INTEGER NOT NULL REFERENCES runs(run_id),
  person_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, network_id, role, person_id)
);
CREATE INDEX network_members_by_person ON network_members(link_run_id, person_id);
)sql",
    // 5: plausibility warnings of ingested files (core/limits.hpp): the count, and the first few.
    R"sql(
ALTER TABLE files ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
CREATE TABLE file_warnings (
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  line INTEGER NOT NULL,
  field TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX file_warnings_by_file ON file_warnings(file_id);
)sql",
    // 6: which process runs a stage, so a run whose process died is marked abandoned on the
    // next open. Runs left "running" by an earlier version cannot be told apart: marked
    // abandoned here (one still going sets its own status when it finishes).
    R"sql(
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN process TEXT;
UPDATE runs SET status = 'abandoned', finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
  summary = json_object('abandoned', 'left running by a joindots before schema version 6')
  WHERE status = 'running';
)sql",
    // 7: encoded mode (issue 16): which files are encoded, the store's one encoding (its
    // scheme and key fingerprint), and each encoded record's CLK, its weight, its age band and
    // its keyed tokens. The identifier columns of an encoded record stay NULL.
    R"sql(
ALTER TABLE files ADD COLUMN encoded INTEGER NOT NULL DEFAULT 0;
CREATE TABLE store_encoding (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  scheme TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  file_id INTEGER NOT NULL REFERENCES files(file_id)
);
CREATE TABLE record_encodings (
  record_pk INTEGER PRIMARY KEY REFERENCES records(record_pk),
  clk BLOB NOT NULL,
  clk_weight INTEGER NOT NULL,
  age_band TEXT NOT NULL,
  tokens TEXT NOT NULL
);
)sql",
    // 8: the hub's accounts (issue 17): each API token's public prefix and argon2id hash
    // (never the token), the organisation and role it acts for; and which organisations'
    // records each file holds, so an agency sees its deliveries without a scan of records.
    R"sql(
CREATE TABLE accounts (
  account_id INTEGER PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  org TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agency', 'analyst', 'admin')),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE file_orgs (
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  source_org TEXT NOT NULL,
  PRIMARY KEY (source_org, file_id)
);
INSERT INTO file_orgs (file_id, source_org) SELECT DISTINCT file_id, source_org FROM records;
)sql",
    // 9: the audit trail (issue 17, item 4; store/audit_chain.hpp): one row per audited
    // request or command, chained by hash; the chain is what shows an edit, not a guard on
    // the table (whoever can write the store could drop one).
    R"sql(
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql",
    // 10: clerical review decisions (issue 17, item 5): an analyst's decision on a pair of
    // records, each named by its key (source_org, record_id), not its record_pk, so that it
    // outlives re-ingest and re-link; appended, never updated: a pair's latest row wins.
    R"sql(
CREATE TABLE review_decisions (
  decision_id INTEGER PRIMARY KEY,
  role TEXT NOT NULL,
  org_a TEXT NOT NULL,
  record_id_a TEXT NOT NULL,
  org_b TEXT NOT NULL,
  record_id_b TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('match', 'non_match', 'unsure')),
  account_id INTEGER REFERENCES accounts(account_id),
  actor TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_decisions_by_pair ON review_decisions(role, org_a, record_id_a, org_b, record_id_b, decision_id);
)sql",
};

}  // namespace

int current_schema_version() { return static_cast<int>(kMigrations.size()); }

int migrate(sqlite::Database& db, int target_version) {
  if (target_version < 0) target_version = current_schema_version();
  int version = db.user_version();
  if (version > current_schema_version())
    throw UsageError(fmt::format("{}: store schema version {} is newer than this joindots ({}); upgrade joindots",
                                 db.path(), version, current_schema_version()));
  while (version < target_version) {
    sqlite::Transaction tx(db);
    // Re-read under the write lock: another process may have migrated meanwhile.
    version = db.user_version();
    if (version >= target_version) break;
    db.exec(kMigrations[static_cast<std::size_t>(version)]);
    db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
    tx.commit();
    ++version;
  }
  return version;
}

}  // namespace joindots
