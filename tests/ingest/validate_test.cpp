#include "records/validate.hpp"

#include <gtest/gtest.h>

#include "core/data_dir.hpp"
#include "ingest/sample_rows.hpp"
#include "io/csv_reader.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

const AreaTable& areas() { return testing::test_areas(); }

std::vector<std::string> split_row(const std::string& row) {
  testing::TempDir dir;
  testing::write_file(dir / "r.csv", testing::sample_header() + "\n" + row + "\n");
  CsvReader reader(dir / "r.csv");
  CsvRow r;
  EXPECT_TRUE(reader.next(r));
  return r.fields;
}

std::vector<std::string> header_fields() {
  std::vector<std::string> h;
  for (const auto& c : kRecordColumns) h.emplace_back(c.name);
  return h;
}

}  // namespace

TEST(RecordValidator, AcceptsAValidRowAndNormalisesIdentifiers) {
  RecordValidator v("f.csv", header_fields(), areas());
  IssueCollector issues;
  auto r = v.validate(split_row(testing::sample_row(1, {{"postcode", "ts24 7qs"}, {"nhs_number", "943 476 5919"}})),
                      2, issues);
  ASSERT_TRUE(r) << (issues.empty() ? "" : issues.kept()[0].to_string());
  EXPECT_EQ(r->postcode, "TS24 7QS");
  EXPECT_EQ(r->nhs_number, "9434765919");
  EXPECT_EQ(r->dob->precision(), DatePrecision::Month);
  EXPECT_EQ(r->offence_count, 3);
  EXPECT_EQ(r->sex, Sex::F);
}

struct FieldCase {
  const char* field;
  const char* value;
  const char* message;  // expected part of the message
};

class RecordValidatorRejects : public ::testing::TestWithParam<FieldCase> {};

TEST_P(RecordValidatorRejects, NamingFileLineAndField) {
  const auto& c = GetParam();
  RecordValidator v("agency.csv", header_fields(), areas());
  IssueCollector issues;
  auto r = v.validate(split_row(testing::sample_row(1, {{c.field, c.value}})), 17, issues);
  EXPECT_FALSE(r);
  ASSERT_EQ(issues.total(), 1u);
  const auto& issue = issues.kept()[0];
  EXPECT_EQ(issue.file, "agency.csv");
  EXPECT_EQ(issue.line, 17);
  EXPECT_EQ(issue.field, c.field);
  EXPECT_NE(issue.message.find(c.message), std::string::npos) << issue.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, RecordValidatorRejects,
    ::testing::Values(FieldCase{"record_id", "", "required value is empty"},
                      FieldCase{"source_type", "polce", "valid: police, children_services"},
                      FieldCase{"source_org", "", "required"}, FieldCase{"role", "witness", "valid: victim"},
                      FieldCase{"record_type", "note", "not a record type"},
                      FieldCase{"event_date", "", "required"}, FieldCase{"event_date", "2021-02-30", "does not exist"},
                      FieldCase{"event_date", "2021-03", "partial"},
                      FieldCase{"last_date", "2021-01-01", "before event_date"},
                      FieldCase{"offence_count", "-1", "whole number"},
                      FieldCase{"offence_count", "2.5", "whole number"},
                      FieldCase{"lad_cd", "E08000999", "not a 2023 local authority district"},
                      FieldCase{"dob", "2022", "after event_date"}, FieldCase{"dob", "05/2007", "not a date"},
                      FieldCase{"sex", "female", "not a sex code"},
                      FieldCase{"postcode", "NOT A CODE", "not a UK postcode"},
                      FieldCase{"nhs_number", "9434765918", "check digit"},
                      FieldCase{"upn", "A12345678901", "not a UPN"},
                      FieldCase{"pnc_id", "123456", "not a PNC id"}),
    [](const ::testing::TestParamInfo<FieldCase>& info) {
      return std::string(info.param.field) + "_" + std::to_string(info.index);
    });

TEST(RecordValidator, ReportsEveryProblemOfARow) {
  RecordValidator v("f.csv", header_fields(), areas());
  IssueCollector issues;
  EXPECT_FALSE(
      v.validate(split_row(testing::sample_row(1, {{"role", "x"}, {"sex", "y"}, {"lad_cd", "z"}})), 5, issues));
  EXPECT_EQ(issues.total(), 3u);
}

TEST(RecordValidator, HeaderProblems) {
  auto header = header_fields();
  header.push_back("famly_name");
  try {
    RecordValidator v("f.csv", header, areas());
    FAIL();
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("f.csv:1: header: unknown column 'famly_name' (valid columns: record_id"),
              std::string::npos)
        << e.what();
  }
  auto missing = header_fields();
  missing.erase(missing.begin() + 5);  // event_date
  try {
    RecordValidator v("f.csv", missing, areas());
    FAIL();
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("required column 'event_date' is missing"), std::string::npos);
  }
  auto repeated = header_fields();
  repeated.push_back("dob");
  EXPECT_THROW(RecordValidator("f.csv", repeated, areas()), BadInputError);
}

TEST(RecordValidator, OptionalColumnsMayBeAbsentAndAttributesAreKept) {
  std::vector<std::string> header = {"record_id", "source_type", "source_org", "role", "record_type", "event_date",
                                     "attr_school_year"};
  RecordValidator v("f.csv", header, areas());
  IssueCollector issues;
  auto r = v.validate({"1", "health", "RX1", "victim", "attendance", "2020-01-02", "Y9"}, 2, issues);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->attrs.size(), 1u);
  EXPECT_EQ(r->attrs[0].first, "school_year");
  EXPECT_EQ(r->sex, Sex::unknown);
}

}  // namespace joindots
