// What the PostgreSQL store does beyond the store contract (store_contract_test.cpp runs
// that against it too): how --db selects it, what it says when it cannot be reached, and
// a simulated country through ingest, link and the four questions giving the same answers
// as the SQLite store from the same files.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "link/store_link.hpp"
#include "questions/four_questions.hpp"
#include "serve/results_cache.hpp"
#include "simulate/simulate.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres_server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::PostgresServer;

/// `j` without what differs from run to run on one store: the keys that time its parts
/// ("seconds", "iterations_per_second") and the bootstrap's count of existence checks
/// computed or reused from its cache, which its threads share (one run 6,468 and 1,024,
/// the next 6,469 and 1,023).
nlohmann::ordered_json without_timings(nlohmann::ordered_json j) {
  if (j.is_object()) {
    j.erase("seconds");
    j.erase("iterations_per_second");
    j.erase("existence_checks");
  }
  if (j.is_structured())
    for (auto& child : j) child = without_timings(child);
  return j;
}

#define SKIP_WITHOUT_POSTGRES() \
  if (!PostgresServer::shared()) GTEST_SKIP() << testing::postgres_missing()

}  // namespace

TEST(PostgresStore, ALocationIsPostgresOnlyAsAPostgresUri) {
  EXPECT_TRUE(Store::is_postgres("postgresql://hub.example/joindots"));
  EXPECT_TRUE(Store::is_postgres("postgres:///joindots?host=/run/postgresql"));
  EXPECT_FALSE(Store::is_postgres("hub.db"));
  EXPECT_FALSE(Store::is_postgres("/data/postgresql://x.db"));
  EXPECT_FALSE(Store::is_postgres("postgresql.db"));
}

TEST(PostgresStore, MessagesNeverShowThePassword) {
  EXPECT_EQ(pg::redacted("postgresql://hub:s3cret@db.example:5432/joindots"),
            "postgresql://hub:***@db.example:5432/joindots");
  EXPECT_EQ(pg::redacted("postgresql:///joindots?user=hub&password=s3cret&sslmode=require"),
            "postgresql:///joindots?user=hub&password=***&sslmode=require");
  EXPECT_EQ(pg::redacted("postgresql://hub@db.example/joindots"),
            "postgresql://hub@db.example/joindots");
  // A connection that fails names the store without its password.
  try {
    Store::open("postgresql://hub:s3cret@/nodb?host=/nonexistent-socket-dir&connect_timeout=2",
                false);
    FAIL() << "connected to nothing";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    EXPECT_NE(what.find("postgresql://hub:***@/nodb"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot connect to the store"), std::string::npos) << what;
  }
}

TEST(PostgresStore, ADatabaseWithoutTheStoreIsNoStoreUntilCreatedAtTheSQLiteStoresVersion) {
  SKIP_WITHOUT_POSTGRES();
  auto* server = PostgresServer::shared();
  const std::string uri = server->create_database();
  try {
    Store::open(uri, /*create=*/false);
    FAIL() << "opened a database without the store's tables";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no such store"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Store::open(server->uri("no_such_database"), true), UsageError);
  auto store = Store::open(uri, /*create=*/true);
  EXPECT_EQ(store->schema_version(), current_schema_version());
  // Opening again migrates nothing and keeps what was written.
  const auto run = store->start_run("estimate", "{}");
  store->finish_run(run, "done", R"({"x": 1})");
  auto again = Store::open(uri, /*create=*/false);
  EXPECT_EQ(again->schema_version(), current_schema_version());
  EXPECT_EQ(again->latest_run_summary("estimate")->second, R"({"x": 1})");
}

TEST(PostgresStore, AStoreAtVersion7MigratesWithItsFilesFoundByOrganisation) {
  SKIP_WITHOUT_POSTGRES();
  const std::string uri = PostgresServer::shared()->create_database();
  {
    pg::Connection c(uri);
    ASSERT_EQ(migrate_postgres(c, 7), 7);
    c.exec(R"sql(
INSERT INTO sources (source_id, source_type, source_org) VALUES (1, 'police', 'E23000013'), (2, 'health', 'RX1');
INSERT INTO files (file_id, path, sha256, bytes, rows, ingested_at) VALUES (1, '/d/a.csv', 'abc', 100, 2,
  '2026-01-01T00:00:00Z');
INSERT INTO records (record_pk, file_id, line, source_id, source_org, record_id, role, record_type, event_date, sex)
  VALUES (1, 1, 2, 1, 'E23000013', 'P1', 'victim', 'crime', '2021-03-04', 'F'),
         (2, 1, 3, 2, 'RX1', 'H1', 'victim', 'attendance', '2021-04-01', 'F');
)sql");
  }
  auto store = Store::open(uri, /*create=*/false);
  EXPECT_EQ(store->schema_version(), current_schema_version());
  EXPECT_TRUE(store->accounts().empty());
  for (const auto* org : {"E23000013", "RX1"}) {
    const auto d = store->deliveries(std::string(org));
    ASSERT_EQ(d.size(), 1u) << org;
    EXPECT_EQ(d[0].orgs, (std::vector<std::string>{"E23000013", "RX1"}));
  }
}

// A small country: the same files into SQLite and into PostgreSQL, each linked and asked
// the four questions with the same options: the answers must be equal, figure for figure.
TEST(PostgresStore, ASimulatedCountryGivesTheSameFourAnswersAsTheSQLiteStore) {
  SKIP_WITHOUT_POSTGRES();
  testing::TempDir dir;
  auto config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", 0.2);
  simulate::SimulateOptions sim;
  sim.seed = 17;
  sim.out_dir = dir.path() / "country";
  simulate::simulate(config, sim, testing::test_areas());
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(sim.out_dir / "agencies"))
    if (f.path().extension() == ".csv") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 3u);

  questions::QuestionsOptions options;
  options.estimate.method = estimate::Method::LogLinear;  // the others' figures have their own tests
  options.estimate.bootstrap_replicates = 20;
  options.linkage_draws = 3;  // the saved pairs' probabilities read back and re-clustered
  options.thresholds = {0.8};
  options.by = {"sex"};
  auto answers = [&](Store& store) {
    store.ensure_areas(testing::test_areas());
    std::int64_t records = 0;
    for (const auto& f : files) records += ingest_file(store, testing::test_areas(), f).rows;
    EXPECT_GT(records, 500);
    link::StoreLinkOptions link_options;
    link_options.roles = {Role::victim};
    link::link_store(store, link::LinkSettings{}, link_options);
    return questions::answer_four_questions(store, testing::test_areas(), options);
  };
  SqliteStore sqlite(dir.path() / "hub.db", true);
  const auto from_sqlite = answers(sqlite);
  auto postgres = Store::open(PostgresServer::shared()->create_database(), true);
  const auto from_postgres = answers(*postgres);

  EXPECT_GT(from_sqlite.victims.known, 100);
  EXPECT_EQ(from_postgres.victims.known, from_sqlite.victims.known);
  EXPECT_EQ(from_postgres.victims.estimate, from_sqlite.victims.estimate);
  EXPECT_EQ(from_postgres.areas.estimate, from_sqlite.areas.estimate);
  EXPECT_EQ(from_postgres.offences.estimate, from_sqlite.offences.estimate);
  EXPECT_EQ(from_postgres.still_involved.estimate, from_sqlite.still_involved.estimate);
  // And everything else the answers carry (intervals, strata, draws, cautions), but what
  // differs between two runs on one store.
  const auto a = without_timings(from_sqlite.to_json()), b = without_timings(from_postgres.to_json());
  for (auto it = a.begin(); it != a.end(); ++it)
    EXPECT_EQ(b.value(it.key(), nlohmann::ordered_json()), it.value()) << it.key();
  EXPECT_EQ(a.size(), b.size());
  // Both stores hold the same counts.
  const auto s = sqlite.summary(), p = postgres->summary();
  EXPECT_EQ(p.records, s.records);
  EXPECT_EQ(p.records_by_role, s.records_by_role);
  EXPECT_EQ(p.sources_by_source_type, s.sources_by_source_type);
  EXPECT_EQ(p.runs_by_status, s.runs_by_status);
}

// serve's cache of results on a PostgreSQL store: built once per state of the store, and
// again once another connection has written.
TEST(PostgresStore, ServeRebuildsItsResultsOnlyWhenSomeoneHasWritten) {
  SKIP_WITHOUT_POSTGRES();
  testing::TempDir dir;
  testing::write_file(dir / "p.csv",
                      "record_id,source_type,source_org,role,record_type,event_date\n"
                      "A1,police,E23000013,victim,crime,2021-03-04\n");
  const std::string uri = PostgresServer::shared()->create_database();
  auto writer = Store::open(uri, true);
  writer->ensure_areas(testing::test_areas());
  ingest_file(*writer, testing::test_areas(), dir / "p.csv");
  serve::ResultsCache cache(uri, std::make_shared<const AreaTable>(testing::test_areas()));
  const auto before = cache.current();
  EXPECT_NE(before->summary_body.find("\"runs\":0"), std::string::npos) << before->summary_body;
  cache.current();
  writer->summary();  // reads move nothing
  cache.current();
  EXPECT_EQ(cache.builds(), 1);
  writer->finish_run(writer->start_run("another_stage", "{}"), "done", "{}");
  const auto after = cache.current();
  EXPECT_EQ(cache.builds(), 2);
  EXPECT_NE(after->summary_body.find("\"runs\":1"), std::string::npos) << after->summary_body;
}

// --db postgresql://... wherever the CLI takes --db: ingest, then status.
TEST(PostgresStore, TheCliTakesAPostgresUriAsDb) {
  SKIP_WITHOUT_POSTGRES();
  testing::TempDir dir;
  testing::write_file(dir / "p.csv",
                      "record_id,source_type,source_org,role,record_type,event_date,lad_cd\n"
                      "A1,police,E23000013,victim,crime,2021-03-04,E06000001\n"
                      "A2,police,E23000013,victim,crime,2021-05-06,\n");
  const std::string uri = PostgresServer::shared()->create_database();
  const auto ingested =
      testing::run_cli("ingest --quiet --db '" + uri + "' " + (dir / "p.csv").string());
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  const auto status = testing::run_cli("status --json --db '" + uri + "'");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j.at("records").get<int>(), 2) << status.out;
  // Nothing went in: a rejected file names its line, and the store keeps what it had.
  testing::write_file(dir / "bad.csv",
                      "record_id,source_type,source_org,role,record_type,event_date\n"
                      "A3,police,E23000013,victim,crime,2021-13-01\n");
  const auto rejected =
      testing::run_cli("ingest --quiet --db '" + uri + "' " + (dir / "bad.csv").string());
  EXPECT_EQ(rejected.exit_code, 2);
  EXPECT_NE(rejected.err.find("bad.csv:2: event_date"), std::string::npos) << rejected.err;
  EXPECT_EQ(Store::open(uri, false)->summary().records, 2);
}

}  // namespace joindots
