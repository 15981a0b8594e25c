// The smaller reproductions of issue 14, each through the CLI: a symbolic link loop in an
// ingest folder, capture counts past the 64-bit range, a rejected file and a new store, a
// full disk under `report`, and `link --db --review`.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <nlohmann/json.hpp>

#include "ingest/sample_rows.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::run_cli;
using testing::TempDir;
using testing::write_file;

namespace {

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST(Hardening, ASymbolicLinkLoopInAFolderIsReportedAndTheOtherFilesGoIn) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  write_file(dir / "in" / "a.csv", testing::sample_file(3));
  std::filesystem::create_symlink("loop.csv", dir / "in" / "loop.csv");  // points at itself
  write_file(dir / "in" / "z.csv", testing::sample_file(2, 100));
  const auto r = run_cli("ingest --quiet --json --db " + q(dir / "hub.db") + " " + q(dir / "in"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("loop.csv: cannot be read: a symbolic link loop"), std::string::npos)
      << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["ingested"], 2);
  EXPECT_EQ(out["rejected"], 1);
  EXPECT_EQ(out["records_added"], 5);
  // Named directly, the loop is a bad input too, not an internal error.
  const auto direct =
      run_cli("ingest --quiet --db " + q(dir / "hub.db") + " " + q(dir / "in" / "loop.csv"));
  EXPECT_EQ(direct.exit_code, 2) << direct.err;
  EXPECT_NE(direct.err.find("symbolic link loop"), std::string::npos) << direct.err;
}

TEST(Hardening, CaptureCountsPastTheRangeAreAnInputErrorNamingTheLine) {
  TempDir dir;
  write_file(dir / "t.csv", "a,b,count\n1,0,9000000000000000000\n0,1,9000000000000000000\n1,1,5\n");
  const auto r = run_cli("estimate --quiet --table " + q(dir / "t.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("t.csv:2: count: the counts add up to more than 1000000000000000"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("-"), std::string::npos) << r.out;  // no negative "observed"
  write_file(dir / "big.csv", "a,b,count\n1,0,99999999999999999999\n0,1,1\n1,1,5\n");
  const auto past_int64 = run_cli("estimate --quiet --table " + q(dir / "big.csv"));
  EXPECT_EQ(past_int64.exit_code, 2) << past_int64.err;
  EXPECT_NE(past_int64.err.find("big.csv:2: count"), std::string::npos) << past_int64.err;
}

TEST(Hardening, ARejectedFileLeavesNoNewStoreBehind) {
  TempDir dir;
  write_file(dir / "bad.csv",
             testing::sample_header() + "\n" + testing::sample_row(1, {{"sex", "X"}}) + "\n");
  const auto r = run_cli("ingest --quiet --db " + q(dir / "new.db") + " " + q(dir / "bad.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const char* f : {"new.db", "new.db-wal", "new.db-shm"})
    EXPECT_FALSE(std::filesystem::exists(dir / f)) << f;
  // An existing store stays, with what it held.
  write_file(dir / "good.csv", testing::sample_file(2));
  ASSERT_EQ(
      run_cli("ingest --quiet --db " + q(dir / "new.db") + " " + q(dir / "good.csv")).exit_code, 0);
  EXPECT_EQ(
      run_cli("ingest --quiet --db " + q(dir / "new.db") + " " + q(dir / "bad.csv")).exit_code, 2);
  EXPECT_TRUE(std::filesystem::exists(dir / "new.db"));
}

TEST(Hardening, LinkDbRefusesReviewAndOutRatherThanIgnoringThem) {
  TempDir dir;
  write_file(dir / "a.csv", testing::sample_file(3));
  ASSERT_EQ(run_cli("ingest --quiet --db " + q(dir / "hub.db") + " " + q(dir / "a.csv")).exit_code,
            0);
  for (const std::string option :
       {"--review " + q(dir / "review.csv"), "--out " + q(dir / "out")}) {
    const auto r = run_cli("link --quiet --db " + q(dir / "hub.db") + " " + option);
    EXPECT_EQ(r.exit_code, 1) << option << r.err;
    EXPECT_NE(r.err.find("--review, --out and --truth-column go with --input"), std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "review.csv"));
}

/// A folder on a 64 KiB tmpfs, unmounted when the test ends; needs root (CAP_SYS_ADMIN).
class FullDisk {
 public:
  explicit FullDisk(const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~FullDisk() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
};

TEST(Hardening, AReportOnAFullDiskSaysSoAndLeavesNoTmpFile) {
  TempDir dir;
  FullDisk disk(dir / "full");
  if (!disk.mounted())
    GTEST_SKIP() << "mounting a small tmpfs needs root; the full-disk case is not tested here";
  write_file(dir / "a.csv", testing::sample_file(3));
  ASSERT_EQ(run_cli("ingest --quiet --db " + q(dir / "hub.db") + " " + q(dir / "a.csv")).exit_code,
            0);
  // A page larger than the disk.
  std::filesystem::create_directories(dir / "dist");
  write_file(dir / "dist" / "report.js", "/*" + std::string(200 * 1024, 'x') + "*/");
  write_file(dir / "dist" / "report.css", "body {}");
  const auto env = "JOINDOTS_WEB_DIST=" + q(dir / "dist");
  const auto r = run_cli("report --quiet --tier restricted --db " + q(dir / "hub.db") + " --out " +
                             q(dir / "full" / "r.html"),
                         env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("the disk is full"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "full")) << "a .tmp or a half report was left";
  // The bundle (the 318 districts alone are more than 4 KiB) on the disk once nearly full.
  write_file(dir / "full" / "filler", std::string(60 * 1024, 'f'));
  const auto b = run_cli("report --quiet --tier restricted --db " + q(dir / "hub.db") + " --out " +
                             q(dir / "r.html") + " --bundle " + q(dir / "full" / "b.json"),
                         env);
  EXPECT_EQ(b.exit_code, 3) << b.err;
  EXPECT_NE(b.err.find("b.json: cannot write: the disk is full"), std::string::npos) << b.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "full" / "b.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "full" / "b.json.tmp"));
}

}  // namespace joindots
