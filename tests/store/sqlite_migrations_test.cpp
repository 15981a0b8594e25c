// The SQLite store's migrations: a store left at each older schema version (built by
// migrate() stopping there, as that joindots wrote it), with rows in every table that
// version had, opens at the current version with its rows readable through the Store
// interface.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/audit_trail.hpp"
#include "store/review_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

/// Rows in every table schema version `version` has: two records, a finished link run of
/// victims (persons, pairs, review, diagnostics), a finished estimate run and a networks run.
void insert_rows_of_version(sqlite::Database& db, int version) {
  db.exec(R"sql(
INSERT INTO areas VALUES ('E06000001', 'Hartlepool', 'UA', 'E12000001', 'North East', 'England', 'E23000013',
  'Cleveland', 92000, 19000, 16000, 9000, -1.2, 54.7);
INSERT INTO sources (source_id, source_type, source_org) VALUES (1, 'police', 'E23000013'), (2, 'health', 'RX1');
INSERT INTO files (file_id, path, sha256, bytes, rows, ingested_at) VALUES (1, '/d/a.csv', 'abc', 100, 2,
  '2026-01-01T00:00:00Z');
INSERT INTO records (record_pk, file_id, line, source_id, source_org, record_id, role, record_type, event_date,
  last_date, case_ref, offence_count, lad_cd, given_name, family_name, other_names, dob, sex, postcode, nhs_number,
  upn, pnc_id, attrs) VALUES
  (1, 1, 2, 1, 'E23000013', 'P1', 'victim', 'crime', '2021-03-04', '2021-09-30', 'OP-7', 3, 'E06000001', 'Amelia',
   'Stone', 'Millie', '2007-05', 'F', 'TS24 7QS', '9434765919', NULL, NULL, '{"care":"yes"}'),
  (2, 1, 3, 2, 'RX1', 'H1', 'victim', 'attendance', '2021-04-01', NULL, NULL, NULL, NULL, 'Amelia', 'Stone', NULL,
   '2007-05-06', 'F', NULL, '9434765919', NULL, NULL, NULL);
INSERT INTO runs (run_id, stage, started_at, finished_at, status, params, summary) VALUES
  (1, 'link', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'done', '{"threshold": 0.5}', '{}'),
  (2, 'estimate', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z', 'done', '{}', '{"victims": 2}'),
  (3, 'networks', '2026-01-01T00:04:00Z', '2026-01-01T00:05:00Z', 'done', '{}', '{}');
)sql");
  if (version < 6)  // left running by a joindots that did not record its process
    db.exec("INSERT INTO runs (run_id, stage, started_at, status) VALUES (4, 'link', '2026-01-02T00:00:00Z', "
            "'running')");
  if (version >= 2)
    db.exec(R"sql(
INSERT INTO link_persons VALUES (1, 10, 'victim', 'police|health', 'E06000001', '2021-03-04', '2021-09-30', '13-15',
  'F', 3, 2);
INSERT INTO link_person_records VALUES (1, 1, 10), (1, 2, 10);
INSERT INTO link_pairs VALUES (1, 1, 2, 8.5, 0.98);
INSERT INTO link_diagnostics VALUES (1, 'victim', '{"model": {}}');
)sql");
  if (version >= 3)
    db.exec(R"sql(INSERT INTO link_review VALUES (1, 'victim', 1, 2, 8.5, 0.98, '{"dob":"partial"}');)sql");
  if (version >= 4)
    db.exec(R"sql(
INSERT INTO network_run VALUES (3, '2026-01-01T00:05:00Z');
INSERT INTO networks VALUES (3, 1, 1, 1, 1, 3, '["E06000001"]', '["E23000013"]', 0, '2021-03-04', '2021-09-30');
INSERT INTO network_members VALUES (3, 1, 'victim', 1, 10);
)sql");
  if (version >= 5)
    db.exec("UPDATE files SET warnings = 3; INSERT INTO file_warnings VALUES (1, 2, 'dob', 'a child of 14');");
  if (version >= 8)  // as ingest fills it from version 8 on
    db.exec("INSERT INTO file_orgs VALUES (1, 'E23000013'), (1, 'RX1');");
}

/// Version 8's tables, checked on a store migrated from below it: no accounts, and the files
/// of each organisation found from its records.
void expect_version_8(Store& store) {
  EXPECT_TRUE(store.accounts().empty());
  for (const auto* org : {"E23000013", "RX1"}) {
    const auto d = store.deliveries(std::string(org));
    ASSERT_EQ(d.size(), 1u) << org;
    EXPECT_EQ(d[0].file.sha256, "abc");
    EXPECT_EQ(d[0].orgs, (std::vector<std::string>{"E23000013", "RX1"}));
  }
  EXPECT_TRUE(store.deliveries(std::string("E23000014")).empty());
}

class SqliteMigration : public ::testing::TestWithParam<int> {};

}  // namespace

TEST_P(SqliteMigration, AStoreAtAnOlderVersionOpensWithItsRowsReadable) {
  const int version = GetParam();
  testing::TempDir dir;
  const auto path = dir / "old.db";
  {
    sqlite::Database old(path, true);
    ASSERT_EQ(migrate(old, version), version);
    insert_rows_of_version(old, version);
  }
  SqliteStore store(path, false);
  EXPECT_EQ(store.schema_version(), current_schema_version());

  const auto s = store.summary();
  EXPECT_EQ(s.schema_version, current_schema_version());
  EXPECT_EQ(s.files, 1);
  EXPECT_EQ(s.records, 2);
  EXPECT_EQ(s.runs, 3);
  EXPECT_EQ(s.ingest_warnings, version >= 5 ? 3 : 0);
  EXPECT_EQ(s.abandoned_runs.size(), version < 6 ? 1u : 0u);
  ASSERT_EQ(store.files().size(), 1u);
  EXPECT_EQ(store.files()[0].sha256, "abc");
  std::vector<StoredRecord> records;
  store.for_each_record(std::nullopt, [&](const StoredRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].record.record_id, "P1");
  EXPECT_EQ(records[0].record.dob, (Date{2007, 5, 0}));
  EXPECT_EQ(records[0].record.attrs, (std::vector<std::pair<std::string, std::string>>{{"care", "yes"}}));
  EXPECT_EQ(records[1].record.source_type, SourceType::health);
  EXPECT_FALSE(records[1].record.last_date);
  ASSERT_TRUE(store.latest_run_summary("estimate"));
  EXPECT_EQ(store.latest_run_summary("estimate")->second, R"({"victims": 2})");
  EXPECT_FALSE(store.encoding());

  if (version >= 2) {
    ASSERT_EQ(store.latest_link_run(Role::victim), 1);
    std::vector<LinkedPerson> persons;
    store.for_each_linked_person(1, Role::victim, [&](const LinkedPerson& p, const std::optional<Date>& dob) {
      persons.push_back(p);
      EXPECT_EQ(dob, (Date{2007, 5, 6}));  // the full date of birth
    });
    ASSERT_EQ(persons.size(), 1u);
    EXPECT_EQ(persons[0].capture_history, (std::vector<SourceType>{SourceType::police, SourceType::health}));
    EXPECT_EQ(persons[0].first_date, (Date{2021, 3, 4}));
    EXPECT_EQ(persons[0].sex, Sex::F);
    ASSERT_EQ(store.latest_link_diagnostics().size(), 1u);
    EXPECT_EQ(store.latest_link_diagnostics()[0].linked_pairs, 1);
  }
  std::int64_t in_band = 0;
  if (version >= 2) store.review_pairs(1, Role::victim, 10, in_band);
  EXPECT_EQ(in_band, version >= 3 ? 1 : 0);
  EXPECT_EQ(store.networks().size(), version >= 4 ? 1u : 0u);
  if (version >= 4) EXPECT_EQ(store.networks_of_person(1, 10), (std::vector<std::int64_t>{1}));

  expect_version_8(store);
  // Version 9: an empty audit trail, which takes rows.
  auto trail = AuditTrail::open(path.string());
  std::int64_t rows = 0;
  trail->for_each_row([&](const AuditRow&) { ++rows; });
  EXPECT_EQ(rows, 0);
  EXPECT_EQ(trail->append({"cli:test", "accounts list", 0}).seq, 1);
  // Version 10: no clerical decisions, and they are taken (on the stored records P1 and H1).
  auto reviews = ReviewStore::open(path.string());
  EXPECT_TRUE(reviews->decisions(std::nullopt, true).empty());
  ClericalDecision d;
  d.org_a = "E23000013";
  d.record_id_a = "P1";
  d.org_b = "RX1";
  d.record_id_b = "H1";
  d.verdict = ClericalVerdict::match;
  d.actor = "token-file";
  reviews->add_decision(d);
  EXPECT_EQ(reviews->decisions(Role::victim, false).size(), 1u);

  // The migrated store takes new files: plaintext ones, not encoded ones.
  FileInfo existing;
  auto batch = store.begin_ingest("/d/b.csv", "def", 10, existing);
  ASSERT_TRUE(batch);
  EXPECT_NE(batch->set_mode(true), "");
  EXPECT_EQ(batch->set_mode(false), "");
}

INSTANTIATE_TEST_SUITE_P(FromEachOlderVersion, SqliteMigration, ::testing::Range(1, 10),
                         [](const auto& info) { return fmt::format("v{}", info.param); });

TEST(SqliteMigrations, TheLatestMigrationIsTheOneTheseTestsStartBelow) {
  // A new migration must come with rows for it in insert_rows_of_version and a version here.
  EXPECT_EQ(current_schema_version(), 10);
}

TEST(SqliteMigrations, AStoreFromANewerJoindotsIsRefused) {
  testing::TempDir dir;
  {
    sqlite::Database db(dir / "new.db", true);
    db.exec(fmt::format("PRAGMA user_version = {}", current_schema_version() + 1));
  }
  EXPECT_THROW(SqliteStore(dir / "new.db", false), UsageError);
}

}  // namespace joindots
