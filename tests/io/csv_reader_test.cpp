#include "io/csv_reader.hpp"

#include <gtest/gtest.h>

#include "io/csv_writer.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::TempDir;
using testing::write_file;

namespace {

std::vector<CsvRow> read_all(const std::filesystem::path& path, IssueCollector* issues = nullptr) {
  CsvReader reader(path, issues);
  std::vector<CsvRow> rows;
  CsvRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

}  // namespace

TEST(CsvReader, QuotedFieldsWithSeparatorsQuotesAndNewlines) {
  TempDir dir;
  write_file(dir / "a.csv", "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\"\"\n");
  const auto rows = read_all(dir / "a.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"2", "two\nlines", "z"}));
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"3", "", ""}));
  // Line numbers are physical lines where each row starts.
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[2].line, 5);
}

TEST(CsvReader, CrlfBomAndBlankLines) {
  TempDir dir;
  write_file(dir / "a.csv", "\xEF\xBB\xBFid,name\r\n1,Ann\r\n\r\n2,\"B\r\nob\"\r\n");
  CsvReader reader(dir / "a.csv");
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "name"}));
  CsvRow row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.fields[1], "Ann");
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.line, 4);
  EXPECT_EQ(row.fields[1], "B\r\nob");  // inside quotes, CRLF is data
  EXPECT_FALSE(reader.next(row));
}

TEST(CsvReader, NoFinalNewline) {
  TempDir dir;
  write_file(dir / "a.csv", "a,b\n1,2");
  const auto rows = read_all(dir / "a.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[1], "2");
}

TEST(CsvReader, WrongFieldCountIsReportedWithItsLineAndSkipped) {
  TempDir dir;
  write_file(dir / "a.csv", "a,b\n1,2\n3\n4,5,6\n7,8\n");
  IssueCollector issues;
  const auto rows = read_all(dir / "a.csv", &issues);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(issues.total(), 2u);
  EXPECT_EQ(issues.kept()[0].line, 3);
  EXPECT_NE(issues.kept()[0].message.find("expected 2 fields"), std::string::npos);
  EXPECT_EQ(issues.kept()[1].line, 4);
  // Without a collector, the first problem throws.
  EXPECT_THROW(read_all(dir / "a.csv"), BadInputError);
}

TEST(CsvReader, InvalidUtf8NamesTheField) {
  TempDir dir;
  write_file(dir / "a.csv", "id,name\n1,Zo\xC3\xAB\n2,Zo\xE9\n3,\xC0\xAF\n4,\xED\xA0\x80\n");
  IssueCollector issues;
  const auto rows = read_all(dir / "a.csv", &issues);
  ASSERT_EQ(rows.size(), 1u);  // "Zoë" is fine; Latin-1, overlong and surrogate are not
  ASSERT_EQ(issues.total(), 3u);
  EXPECT_EQ(issues.kept()[0].line, 3);
  EXPECT_EQ(issues.kept()[0].field, "name");
  EXPECT_NE(issues.kept()[0].message.find("invalid UTF-8"), std::string::npos);
}

TEST(CsvReader, UnclosedQuoteThrowsWithTheOpeningLine) {
  TempDir dir;
  write_file(dir / "a.csv", "a,b\n1,2\n3,\"never closed\n4,5\n");
  IssueCollector issues;
  try {
    read_all(dir / "a.csv", &issues);
    FAIL() << "expected BadInputError";
  } catch (const BadInputError& e) {
    EXPECT_EQ(e.issues().at(0).line, 3);
    EXPECT_NE(std::string(e.what()).find("never closed"), std::string::npos);
  }
}

TEST(CsvReader, StrayQuotesThrow) {
  TempDir dir;
  write_file(dir / "a.csv", "a,b\n1,ab\"c\n");
  EXPECT_THROW(read_all(dir / "a.csv"), BadInputError);
  write_file(dir / "b.csv", "a,b\n1,\"ab\"c\n");
  EXPECT_THROW(read_all(dir / "b.csv"), BadInputError);
}

TEST(CsvReader, EmptyAndMissingFiles) {
  TempDir dir;
  write_file(dir / "empty.csv", "");
  EXPECT_THROW(CsvReader(dir / "empty.csv"), BadInputError);
  EXPECT_THROW(CsvReader(dir / "missing.csv"), BadInputError);
}

TEST(CsvReader, LargeFieldsCrossBufferBoundaries) {
  // Fields up to the reader's cap (64 KiB, core/limits.hpp), 50 rows of them: several cross
  // the 1 MiB read buffer's boundaries, one with a separator inside quotes.
  TempDir dir;
  std::string content = "a,b\n";
  std::vector<std::string> bigs;
  for (int i = 0; i < 50; ++i) {
    std::string big(64 * 1024 - static_cast<std::size_t>(i), static_cast<char>('a' + i % 26));
    big[big.size() / 2] = ',';  // inside quotes: data
    content += "\"" + big + "\",end" + std::to_string(i) + "\n";
    bigs.push_back(std::move(big));
  }
  write_file(dir / "a.csv", content);
  const auto rows = read_all(dir / "a.csv");
  ASSERT_EQ(rows.size(), bigs.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].fields[0], bigs[i]) << i;
    EXPECT_EQ(rows[i].fields[1], "end" + std::to_string(i));
  }
}

TEST(CsvWriter, RoundTripsThroughTheReader) {
  TempDir dir;
  const std::vector<std::string> header = {"a", "b"};
  const std::vector<std::vector<std::string>> data = {{"plain", "with,comma"}, {"q\"uote", "multi\nline"}, {"", "x"}};
  {
    CsvWriter w(dir / "out.csv", header);
    for (const auto& r : data) w.write_row(r);
    EXPECT_FALSE(std::filesystem::exists(dir / "out.csv"));  // written to .tmp until closed
    w.close();
  }
  const auto rows = read_all(dir / "out.csv");
  ASSERT_EQ(rows.size(), data.size());
  for (std::size_t i = 0; i < data.size(); ++i) EXPECT_EQ(rows[i].fields, data[i]);
}

}  // namespace joindots
