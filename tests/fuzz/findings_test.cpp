// Regression tests of what the fuzz targets (fuzz/) found, one per finding, each with its
// reproducer written out here (fuzz/README.md lists them). Each failed before its fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "estimate/covariate_table.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "link/config.hpp"
#include "serve/server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {
namespace {

using ::testing::HasSubstr;

/// A capture table with lists A and B, `covariates` word-valued covariate columns and one row
/// per value in `levels`, each row's covariates all taking that value.
std::string covariate_table(int covariates, int levels) {
  std::string text = "A,B";
  for (int j = 0; j < covariates; ++j) text += ",c" + std::to_string(j);
  text += ",count\n";
  for (int v = 0; v < levels; ++v) {
    text += v % 2 ? "0,1" : "1,0";
    for (int j = 0; j < covariates; ++j) text += ",v" + std::to_string(v);
    text += ",1\n";
  }
  return text;
}

std::string header_problem(const std::string& csv) {
  testing::TempDir dir;
  testing::write_file(dir / "t.csv", csv);
  try {
    estimate::read_covariate_capture_table(dir / "t.csv");
  } catch (const BadInputError& e) {
    EXPECT_EQ(e.issues().at(0).field, "header");
    EXPECT_EQ(e.issues().at(0).line, 1);
    return e.issues().at(0).message;
  }
  ADD_FAILURE() << "read without a problem";
  return "";
}

// fuzz_covariate_table: 64 two-level covariates make 2^64 strata, which wrapped to 0 cells: the
// counts were written past the end of an empty vector (ASan: heap-buffer-overflow; UBSan in
// the vector's operator[]).
TEST(FuzzFindings, CovariateStrataThatWrapAreRefused) {
  EXPECT_THAT(header_problem(covariate_table(64, 2)),
              HasSubstr("64 covariates and 2 lists make more than"));
}

// fuzz_covariate_table: 6 covariates of 40 levels (a 1.2 KB file) asked for 40^6 x 4 cells,
// 131 GB (ASan: allocator is out of memory).
TEST(FuzzFindings, CovariateStrataPastTheCellLimitAreRefused) {
  EXPECT_THAT(header_problem(covariate_table(6, 40)), HasSubstr("use fewer covariates"));
  // Below the limit the same shape reads: 3 covariates of 40 levels, 256,000 cells.
  testing::TempDir dir;
  testing::write_file(dir / "t.csv", covariate_table(3, 40));
  const auto t = estimate::read_covariate_capture_table(dir / "t.csv");
  EXPECT_EQ(t.cells(), 40u * 40u * 40u * 4u);
  EXPECT_EQ(t.observed(), 40);
}

// fuzz_link_config: TOML's nan passed both bounds of a parameter: `seed = nan` was cast to an
// integer (UBSan: nan is outside the range of 'long'), `threshold = nan` was accepted.
TEST(FuzzFindings, LinkConfigRefusesNan) {
  for (const char* toml : {"[model]\nseed = nan\n", "[cluster]\nthreshold = nan\n",
                           "[review]\nlow = -nan\n", "[blocking]\nmax_block = +nan\n"}) {
    try {
      link::parse_link_settings(toml, "t.toml");
      ADD_FAILURE() << "accepted " << toml;
    } catch (const UsageError& e) {
      EXPECT_THAT(e.what(), HasSubstr("nan is out of range")) << toml;
    }
  }
}

// Found while writing fuzz_serve_request (its dictionary has `Range: bytes=`): httplib answers
// each byte range with its own copy of the body, so one request for 2,000 ranges of the 930 KB
// district boundaries (4 KB sent) took 210 s and 3.6 GB to answer, and 64 KB of ranges would
// exhaust the memory. Several ranges are now ignored: the body is sent once, whole.
TEST(FuzzFindings, ManyByteRangesGetTheBodyOnce) {
  testing::TempDir dir;
  {
    SqliteStore store(dir / "hub.db", true);
    testing::write_file(dir / "a.csv", testing::sample_file(10));
    ingest_file(store, testing::test_areas(), dir / "a.csv");
  }
  serve::ServerOptions options;
  options.db = (dir / "hub.db").string();
  options.data_dir = testing::test_data_dir();
  options.web_dist = JOINDOTS_TEST_WEB_DIST;
  serve::DashboardServer server(options);
  const auto geo_bytes = std::filesystem::file_size(testing::test_data_dir() / "geo" /
                                                    "lad23_ew_super_generalised.geojson");
  std::string ranges = "0-";
  for (int i = 1; i < 200; ++i) ranges += ",0-";
  std::vector<int> statuses;
  const auto answer = server.answer_in_memory(
      "GET /api/v1/geo HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=" + ranges + "\r\n\r\n",
      &statuses);
  EXPECT_EQ(statuses, std::vector<int>{200});
  EXPECT_LT(answer.size(), geo_bytes + 4096);
  EXPECT_GT(answer.size(), geo_bytes);
  // One range is still served as such.
  statuses.clear();
  const auto part = server.answer_in_memory(
      "GET /api/v1/geo HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-99\r\n\r\n", &statuses);
  EXPECT_EQ(statuses, std::vector<int>{206});
  EXPECT_LT(part.size(), 4096u);
}

}  // namespace
}  // namespace joindots
