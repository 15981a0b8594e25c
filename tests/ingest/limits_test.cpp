// Input limits and plausibility (core/limits.hpp, docs/schema.md "Limits and plausibility"):
// hostile or careless values are rejected by FILE:LINE: field, odd ones accepted with a
// warning that the store counts.
#include "core/limits.hpp"

#include <gtest/gtest.h>

#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "records/validate.hpp"
#include "io/csv_reader.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::sample_header;
using testing::sample_row;
using testing::TempDir;
using testing::write_file;

namespace {

const Date kDelivery{2024, 6, 30};

std::vector<std::string> header_fields() {
  std::vector<std::string> h;
  for (const auto& c : kRecordColumns) h.emplace_back(c.name);
  return h;
}

/// The fields of one sample row with `overrides` (raw CSV text), read back by the reader.
std::vector<std::string> row_fields(const std::map<std::string, std::string>& overrides) {
  TempDir dir;
  write_file(dir / "r.csv", sample_header() + "\n" + sample_row(1, overrides) + "\n");
  CsvReader reader(dir / "r.csv");
  CsvRow r;
  EXPECT_TRUE(reader.next(r));
  return r.fields;
}

struct Outcome {
  std::optional<Record> record;
  IssueCollector issues, warnings;
};

Outcome validate(const std::map<std::string, std::string>& overrides) {
  RecordValidator v("agency.csv", header_fields(), testing::test_areas(), kDelivery);
  Outcome o;
  o.record = v.validate(row_fields(overrides), 9, o.issues, &o.warnings);
  return o;
}

struct RejectCase {
  const char* field;
  std::string value;  // raw CSV text
  const char* message;
};

}  // namespace

class LimitsReject : public ::testing::TestWithParam<RejectCase> {};

TEST_P(LimitsReject, NamingFileLineAndFieldOnce) {
  const auto& c = GetParam();
  const auto o = validate({{c.field, c.value}});
  EXPECT_FALSE(o.record);
  ASSERT_EQ(o.issues.total(), 1u) << (o.issues.empty() ? "" : o.issues.kept()[0].to_string());
  const auto& issue = o.issues.kept()[0];
  EXPECT_EQ(issue.file, "agency.csv");
  EXPECT_EQ(issue.line, 9);
  EXPECT_EQ(issue.field, c.field);
  EXPECT_NE(issue.message.find(c.message), std::string::npos) << issue.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, LimitsReject,
    ::testing::Values(
        RejectCase{"given_name", std::string(201, 'a'), "201 bytes long; at most 200"},
        RejectCase{"record_id", std::string(129, '7'), "at most 128"},
        RejectCase{"record_id", std::string("R1\0x", 4), "U+0000 (NUL) at byte 3"},
        RejectCase{"record_id", "\"R1\nR2\"", "U+000A (line feed)"},
        RejectCase{"family_name", "Smi\rth", "U+000D (carriage return) at byte 4"},
        RejectCase{"case_ref", "\"OP\t7\"", "U+0009 (tab)"},
        RejectCase{"other_names", "x\xC2\x85y", "U+0085"},
        RejectCase{"source_org", "E23\x7F", "U+007F"},
        // A date with a control character gets that message alone, not "not a date" too.
        RejectCase{"event_date", "2021-03-04\r", "carriage return"},
        RejectCase{"event_date", "2099-01-01", "after the delivery date 2024-06-30"},
        RejectCase{"last_date", "2024-07-02", "2024-07-02 is after the delivery date"},
        RejectCase{"dob", "2099", "after the delivery date"},
        RejectCase{"event_date", "1899-12-31", "out of range 1900-2100"},
        RejectCase{"dob", "1850-01", "out of range"}),
    [](const ::testing::TestParamInfo<RejectCase>& info) {
      return std::string(info.param.field) + "_" + std::to_string(info.index);
    });

TEST(Limits, TheDeliveryDateHasADayOfGraceAndDefaultsToToday) {
  // 2024-07-01 is one day after delivery: accepted (an agency ahead of UTC).
  EXPECT_TRUE(validate({{"last_date", "2024-07-01"}}).record);
  RecordValidator today("a.csv", header_fields(), testing::test_areas());
  EXPECT_EQ(today.delivery_date(), limits::today_utc());
}

TEST(Limits, AttributeValuesAreCappedAndCheckedToo) {
  std::vector<std::string> header = {"record_id",   "source_type", "source_org", "role",
                                     "record_type", "event_date",  "attr_note"};
  RecordValidator v("f.csv", header, testing::test_areas(), kDelivery);
  IssueCollector issues;
  EXPECT_FALSE(v.validate(
      {"1", "health", "RX1", "victim", "attendance", "2020-01-02", std::string(1001, 'x')}, 2,
      issues));
  EXPECT_FALSE(
      v.validate({"2", "health", "RX1", "victim", "attendance", "2020-01-02", "a\nb"}, 3, issues));
  ASSERT_EQ(issues.total(), 2u);
  EXPECT_EQ(issues.kept()[0].field, "attr_note");
  EXPECT_NE(issues.kept()[1].message.find("line feed"), std::string::npos);
  EXPECT_TRUE(v.validate(
      {"3", "health", "RX1", "victim", "attendance", "2020-01-02", std::string(1000, 'x')}, 4,
      issues));
}

TEST(Limits, PlausibleButOddValuesAreAcceptedWithAWarning) {
  struct Case {
    std::map<std::string, std::string> overrides;
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {{{"dob", "2001-02-03"}}, "dob", "victim aged 20 or more"},
      // A partial date of birth: the youngest age it allows (2003-12-31 -> 17) is a child.
      {{{"dob", "2003"}}, "", ""},
      {{{"offence_count", "501"}}, "offence_count", "501 offences"},
      {{{"event_date", "1994-01-01"}, {"last_date", ""}, {"dob", "1985"}},
       "event_date",
       "30 or more years before"},
  };
  for (const auto& c : cases) {
    const auto o = validate(c.overrides);
    ASSERT_TRUE(o.record) << (o.issues.empty() ? "" : o.issues.kept()[0].to_string());
    if (!*c.field) {
      EXPECT_EQ(o.warnings.total(), 0u);
      continue;
    }
    ASSERT_EQ(o.warnings.total(), 1u) << c.field;
    EXPECT_EQ(o.warnings.kept()[0].field, c.field);
    EXPECT_EQ(o.warnings.kept()[0].line, 9);
    EXPECT_NE(o.warnings.kept()[0].message.find(c.message), std::string::npos)
        << o.warnings.kept()[0].to_string();
  }
  // A suspect of any age is not odd.
  EXPECT_EQ(validate({{"role", "suspect"}, {"dob", "1970"}}).warnings.total(), 0u);
}

TEST(Limits, TheReaderDoesNotBufferAHugeField) {
  TempDir dir;
  std::string content = "a,b\n1," + std::string(limits::kMaxCsvFieldBytes + 1, 'x') + "\n2,ok\n";
  write_file(dir / "big.csv", content);
  IssueCollector issues;
  CsvReader reader(dir / "big.csv", &issues);
  CsvRow row;
  ASSERT_TRUE(reader.next(row));  // the long row is reported and skipped
  EXPECT_EQ(row.fields[0], "2");
  ASSERT_EQ(issues.total(), 1u);
  EXPECT_EQ(issues.kept()[0].line, 2);
  EXPECT_EQ(issues.kept()[0].field, "b");
  EXPECT_NE(issues.kept()[0].message.find("longer than 65536 bytes"), std::string::npos);
}

TEST(Limits, WarningsAreStoredAndCountedInTheSummary) {
  TempDir dir;
  write_file(dir / "a.csv", sample_header() + "\n" + sample_row(1) + "\n" +
                                sample_row(2, {{"dob", "1990"}}) + "\n" +
                                sample_row(3, {{"offence_count", "9999"}}) + "\n");
  SqliteStore store(dir / "hub.db", true);
  const auto r = ingest_file(store, testing::test_areas(), dir / "a.csv");
  EXPECT_EQ(r.rows, 3);
  EXPECT_EQ(r.warnings, 2);
  ASSERT_EQ(r.warnings_kept.size(), 2u);
  EXPECT_EQ(r.warnings_kept[0].line, 3);
  EXPECT_EQ(store.summary().ingest_warnings, 2);
  auto st = store.database().prepare("SELECT count(*) FROM file_warnings");
  st.step();
  EXPECT_EQ(st.column_int(0), 2);
}

TEST(Limits, AFiftyMegabyteNameIsRejectedByTheCli) {
  TempDir dir;
  write_file(dir / "a.csv", sample_header() + "\n" + sample_row(1) + "\n" +
                                sample_row(2, {{"given_name", std::string(50 << 20, 'N')}}) + "\n" +
                                sample_row(3, {{"record_id", "\"R3\nR4\""}}) + "\n" +
                                sample_row(4, {{"event_date", "2099-01-01"}}) + "\n");
  const auto r = testing::run_cli("ingest --quiet --db '" + (dir / "hub.db").string() + "' '" +
                                  (dir / "a.csv").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("a.csv:3: given_name: field 11 is longer than 65536 bytes"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("a.csv:4: record_id: control character U+000A (line feed)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("a.csv:6: event_date: 2099-01-01 is after the delivery date"),
            std::string::npos)
      << r.err;
}

}  // namespace joindots
