#include "ingest/ingest.hpp"


#include <gtest/gtest.h>

#include "core/error.hpp"

#include "ingest/sample_rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::sample_file;
using testing::sample_header;
using testing::sample_row;
using testing::TempDir;
using testing::write_file;

namespace {

const AreaTable& areas() { return testing::test_areas(); }

std::int64_t count(SqliteStore& store, const std::string& table) {
  auto st = store.database().prepare("SELECT count(*) FROM " + table);
  st.step();
  return st.column_int(0);
}

}  // namespace

TEST(Ingest, AGoodFileGoesInWhole) {
  TempDir dir;
  write_file(dir / "a.csv", sample_file(250));
  SqliteStore store(dir / "hub.db", true);
  const auto r = ingest_file(store, areas(), dir / "a.csv");
  EXPECT_FALSE(r.already_present);
  EXPECT_EQ(r.rows, 250);
  EXPECT_EQ(r.file.rows, 250);
  EXPECT_EQ(count(store, "records"), 250);
  EXPECT_EQ(count(store, "files"), 1);
  EXPECT_EQ(count(store, "sources"), 1);
  auto st = store.database().prepare("SELECT line, dob, postcode FROM records WHERE record_id = 'R000003'");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int(0), 5);  // header is line 1
  EXPECT_EQ(st.column_text(1), "2007-05");
  EXPECT_EQ(st.column_text(2), "TS24 7QS");
}

TEST(Ingest, RecordsReadBackAsTheyWereValidated) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "a.csv", sample_header() + ",attr_school_year\n" + sample_row(1) + ",Y9\n" +
                                sample_row(2, {{"role", "suspect"}, {"dob", ""}, {"offence_count", ""}}) + ",\n");
  ingest_file(store, areas(), dir / "a.csv");
  std::vector<StoredRecord> all, suspects;
  store.for_each_record(std::nullopt, [&](const StoredRecord& r) { all.push_back(r); });
  store.for_each_record(Role::suspect, [&](const StoredRecord& r) { suspects.push_back(r); });
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(suspects.size(), 1u);
  const Record& v = all[0].record;
  EXPECT_EQ(v.record_id, "R000001");
  EXPECT_EQ(v.source_type, SourceType::police);
  EXPECT_EQ(v.dob->str(), "2007-05");
  EXPECT_EQ(v.family_name, "O'Neill");
  EXPECT_EQ(v.offence_count, 3);
  EXPECT_EQ(v.line, 2);
  ASSERT_EQ(v.attrs.size(), 1u);
  EXPECT_EQ(v.attrs[0].second, "Y9");
  EXPECT_FALSE(suspects[0].record.dob);
  EXPECT_FALSE(suspects[0].record.offence_count);
  EXPECT_TRUE(suspects[0].record.attrs.empty());
}

TEST(Ingest, AnErrorInTheLastRowLeavesTheStoreAsItWas) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "first.csv", sample_file(10, 1000));
  ingest_file(store, areas(), dir / "first.csv");
  std::string content = sample_file(500);
  content += sample_row(999, {{"event_date", "2021-13-01"}}) + "\n";
  write_file(dir / "bad.csv", content);
  try {
    ingest_file(store, areas(), dir / "bad.csv");
    FAIL() << "expected BadInputError";
  } catch (const BadInputError& e) {
    ASSERT_EQ(e.total(), 1u);
    EXPECT_EQ(e.issues()[0].to_string(),
              (dir / "bad.csv").string() + ":502: event_date: month 13 out of range in '2021-13-01'");
  }
  EXPECT_EQ(count(store, "records"), 10);
  EXPECT_EQ(count(store, "files"), 1);
  EXPECT_EQ(count(store, "sources"), 1);
}

TEST(Ingest, ReportsTheFirstTwentyProblemsAndTheirCount) {
  TempDir dir;
  std::string content = sample_header() + "\n";
  for (int i = 0; i < 45; ++i) content += sample_row(i, {{"sex", "X"}}) + "\n";
  write_file(dir / "bad.csv", content);
  SqliteStore store(dir / "hub.db", true);
  try {
    ingest_file(store, areas(), dir / "bad.csv");
    FAIL();
  } catch (const BadInputError& e) {
    EXPECT_EQ(e.total(), 45u);
    EXPECT_EQ(e.issues().size(), 20u);
    EXPECT_NE(std::string(e.what()).find("and 25 more problems (45 in all)"), std::string::npos);
  }
  EXPECT_EQ(count(store, "records"), 0);
}

TEST(Ingest, DuplicateRecordIdWithinAFileNamesTheFirstLine) {
  TempDir dir;
  std::string content = sample_file(5);
  content += sample_row(2) + "\n";  // R000002 again, line 7; first at line 4
  write_file(dir / "dup.csv", content);
  SqliteStore store(dir / "hub.db", true);
  try {
    ingest_file(store, areas(), dir / "dup.csv");
    FAIL();
  } catch (const BadInputError& e) {
    ASSERT_EQ(e.total(), 1u);
    EXPECT_EQ(e.issues()[0].line, 7);
    EXPECT_EQ(e.issues()[0].field, "record_id");
    EXPECT_NE(e.issues()[0].message.find("dup.csv:4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count(store, "records"), 0);
}

TEST(Ingest, DuplicateRecordIdAcrossFilesIsRejected) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "a.csv", sample_file(3));
  ingest_file(store, areas(), dir / "a.csv");
  write_file(dir / "b.csv", sample_header() + "\n" + sample_row(2, {{"given_name", "Other"}}) + "\n");
  try {
    ingest_file(store, areas(), dir / "b.csv");
    FAIL();
  } catch (const BadInputError& e) {
    EXPECT_NE(e.issues()[0].message.find("a.csv:4"), std::string::npos) << e.what();
  }
  // The same record_id in another organisation is a different record.
  write_file(dir / "c.csv", sample_header() + "\n" + sample_row(2, {{"source_org", "E23000014"}}) + "\n");
  EXPECT_EQ(ingest_file(store, areas(), dir / "c.csv").rows, 1);
  EXPECT_EQ(count(store, "records"), 4);
}

TEST(Ingest, ReingestingTheSameContentChangesNothing) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "a.csv", sample_file(20));
  const auto first = ingest_file(store, areas(), dir / "a.csv");
  const auto again = ingest_file(store, areas(), dir / "a.csv");
  EXPECT_TRUE(again.already_present);
  EXPECT_EQ(again.file.file_id, first.file.file_id);
  write_file(dir / "copy.csv", sample_file(20));  // same bytes, other name
  const auto copy = ingest_file(store, areas(), dir / "copy.csv");
  EXPECT_TRUE(copy.already_present);
  EXPECT_EQ(copy.file.path, (dir / "a.csv").string());
  EXPECT_EQ(count(store, "records"), 20);
  EXPECT_EQ(count(store, "files"), 1);
}

TEST(Ingest, AHeaderOnlyFileIsAnEmptyDelivery) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "none.csv", sample_header() + "\n");
  const auto r = ingest_file(store, areas(), dir / "none.csv");
  EXPECT_EQ(r.rows, 0);
  EXPECT_EQ(count(store, "files"), 1);
}

TEST(Ingest, StructuralCsvErrorsRollBackToo) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  write_file(dir / "a.csv", sample_file(100) + "R9,\"unclosed\n");
  EXPECT_THROW(ingest_file(store, areas(), dir / "a.csv"), BadInputError);
  EXPECT_EQ(count(store, "records"), 0);
  EXPECT_EQ(count(store, "files"), 0);
}

TEST(Store, MigratesAFreshStoreAndRefusesANewerOne) {
  TempDir dir;
  {
    SqliteStore store(dir / "hub.db", true);
    EXPECT_EQ(store.schema_version(), current_schema_version());
    store.database().exec("PRAGMA user_version = 999");
  }
  try {
    SqliteStore again(dir / "hub.db", false);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this joindots"), std::string::npos);
  }
  write_file(dir / "not.db", "this is not a database, just text long enough to have a header page......");
  EXPECT_THROW(SqliteStore(dir / "not.db", false), UsageError);
  EXPECT_THROW(SqliteStore(dir / "missing.db", false), UsageError);
}

TEST(Store, LoadsAreasOnceAndRecordsRuns) {
  TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  store.ensure_areas(areas());
  store.ensure_areas(areas());
  EXPECT_EQ(count(store, "areas"), 318);
  const auto run = store.start_run("link", R"({"role":"victim"})");
  store.finish_run(run, "done", R"({"persons":3})");
  EXPECT_EQ(store.summary().runs, 1);
}

}  // namespace joindots
