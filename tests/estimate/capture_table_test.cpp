#include "estimate/capture_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "test_support.hpp"
#include "test_tables.hpp"

namespace joindots::estimate {
namespace {

using joindots::testing::TempDir;
using joindots::testing::write_file;

std::string problems_of(const std::string& csv) {
  TempDir dir;
  write_file(dir / "t.csv", csv);
  try {
    read_capture_table(dir / "t.csv");
  } catch (const BadInputError& e) {
    std::string out;
    for (const auto& i : e.issues()) out += i.to_string().substr(i.file.size()) + "\n";
    return out;
  }
  return "";
}

TEST(EstimateTable, ReadsPublishedTables) {
  const auto t = testing::mse_table("kosovo_4list.csv");
  EXPECT_EQ(t.k(), 4);
  EXPECT_EQ(t.lists, (std::vector<std::string>{"EXH", "ABA", "OSCE", "HRW"}));
  EXPECT_EQ(t.observed(), 4400);
  EXPECT_EQ(t.counts[0b0001], 1131);  // EXH only
  EXPECT_EQ(t.counts[0b1111], 27);
  EXPECT_EQ(testing::mse_table("neworleans_5list.csv").observed(), 185);
  EXPECT_EQ(testing::mse_table("uk2013_4list.csv").observed(), 2428);
  EXPECT_EQ(testing::mse_table("artificial_3list.csv").observed(), 96);
}

TEST(EstimateTable, MissingPatternsAreZero) {
  TempDir dir;
  write_file(dir / "t.csv", "A,B,count\n1,0,10\n1,1,3\n");
  const auto t = read_capture_table(dir / "t.csv");
  EXPECT_EQ(t.counts, (std::vector<std::int64_t>{0, 10, 0, 3}));
  EXPECT_EQ(t.list_total(0), 13);
  EXPECT_EQ(t.list_total(1), 3);
}

TEST(EstimateTable, BadInputNamesFileLineAndField) {
  EXPECT_EQ(problems_of("A,B,count\n1,0,10\n1,0,4\n"), ":3: A: pattern 10 already given on line 2\n");
  EXPECT_EQ(problems_of("A,B,count\n0,0,5\n"),
            ":2: A: the all-zero pattern (people on no list) cannot be observed; drop the row\n");
  EXPECT_EQ(problems_of("A,B,count\n1,0,-1\n"), ":2: count: must be >= 0, got -1\n");
  EXPECT_EQ(problems_of("A,B,count\n1,0,2.5\n"), ":2: count: must be a whole number >= 0, got `2.5`\n");
  EXPECT_EQ(problems_of("A,B,count\n1,x,2\n"), ":2: B: must be 0 or 1, got `x`\n");
  EXPECT_TRUE(problems_of("A,count\n1,2\n").starts_with(":1: header: need at least 2 lists, found 1: "));
  EXPECT_NE(problems_of("A,count\n1,2\n").find("add a 0/1 column for another list"), std::string::npos);
  EXPECT_EQ(problems_of("A,B,n\n1,0,2\n"),
            ":1: header: the last column must be `count` (one 0/1 column per list, then count)\n");
  EXPECT_EQ(problems_of("A,B,count\n1,0,0\n"), ": count: no one is observed: every count is 0\n");
  // Every problem is reported, not only the first.
  EXPECT_EQ(problems_of("A,B,count\n1,2,3\n0,1,-4\n"),
            ":2: B: must be 0 or 1, got `2`\n:3: count: must be >= 0, got -4\n");
}

TEST(EstimateTable, SixteenListsAreRefused) {
  std::string header;
  for (int j = 0; j < 16; ++j) header += fmt::format("L{},", j);
  EXPECT_EQ(problems_of(header + "count\n"), ":1: header: at most 15 lists are supported, found 16\n");
}

}  // namespace
}  // namespace joindots::estimate
