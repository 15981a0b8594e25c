// End-to-end tests of the joindots CLI: exit codes, messages, --json, and crash consistency
// of ingest with a real process killed mid-transaction.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ingest/sample_rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::run_cli;
using testing::sample_file;
using testing::sample_header;
using testing::sample_row;
using testing::TempDir;
using testing::write_file;

namespace {

nlohmann::json status_json(const std::filesystem::path& db) {
  auto r = run_cli("status --db '" + db.string() + "' --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST(Cli, HelpAndUsageErrors) {
  EXPECT_EQ(run_cli("--help").exit_code, 0);
  for (const char* cmd : {"ingest", "status", "simulate"}) {
    auto r = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("--json"), std::string::npos) << cmd;
    EXPECT_NE(r.out.find("--quiet"), std::string::npos) << cmd;
  }
  EXPECT_EQ(run_cli("no-such-command").exit_code, 1);
  EXPECT_EQ(run_cli("ingest").exit_code, 1);  // --db and files are required
  auto missing = run_cli("status --db /nonexistent/hub.db");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such store"), std::string::npos) << missing.err;
}

TEST(Cli, IngestBadFileExitsTwoNamingFileLineFieldAndWritesNothing) {
  TempDir dir;
  const auto db = (dir / "hub.db").string();
  write_file(dir / "good.csv", sample_file(5));
  ASSERT_EQ(run_cli("ingest --quiet --db " + db + " " + (dir / "good.csv").string()).exit_code, 0);
  write_file(dir / "bad.csv", sample_file(30, 100) + sample_row(999, {{"lad_cd", "E09999999"}}) + "\n");
  auto r = run_cli("ingest --db " + db + " " + (dir / "bad.csv").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find((dir / "bad.csv").string() + ":32: lad_cd: 'E09999999' is not a 2023 local authority district"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rejected; nothing from it was written"), std::string::npos);
  const auto s = status_json(dir / "hub.db");
  EXPECT_EQ(s["records"], 5);
  EXPECT_EQ(s["files"], 1);
}

TEST(Cli, IngestJsonAndIdempotency) {
  TempDir dir;
  const auto db = (dir / "hub.db").string();
  write_file(dir / "a.csv", sample_file(12));
  auto first = run_cli("ingest --json --db " + db + " " + (dir / "a.csv").string());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["ingested"], 1);
  EXPECT_EQ(j["records_added"], 12);
  EXPECT_EQ(j["files"][0]["status"], "ingested");
  auto again = run_cli("ingest --json --db " + db + " " + (dir / "a.csv").string());
  ASSERT_EQ(again.exit_code, 0);
  auto j2 = nlohmann::json::parse(again.out);
  EXPECT_EQ(j2["already_present"], 1);
  EXPECT_EQ(j2["records_added"], 0);
  EXPECT_NE(again.err.find("already ingested"), std::string::npos);
  EXPECT_EQ(status_json(dir / "hub.db")["records"], 12);
}

TEST(Cli, MissingReferenceDataIsAUsageError) {
  TempDir dir;
  write_file(dir / "a.csv", sample_file(1));
  const std::string cmd = "JOINDOTS_DATA_DIR=/nonexistent '" + std::string(JOINDOTS_CLI) + "' ingest --db " +
                          (dir / "hub.db").string() + " " + (dir / "a.csv").string() + " 2>" +
                          (dir / "err").string();
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(testing::read_file(dir / "err").find("JOINDOTS_DATA_DIR"), std::string::npos);
}

namespace {

/// Starts `joindots ingest` paused mid-transaction (fault injection after `pause_rows` rows),
/// waits until it says so, then kills it with SIGKILL. Returns true if it was killed paused.
bool ingest_and_kill(const std::string& db, const std::vector<std::string>& files, int pause_rows) {
  int err_pipe[2];
  if (pipe(err_pipe) != 0) return false;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(err_pipe[1], STDERR_FILENO);
    close(err_pipe[0]);
    close(err_pipe[1]);
    setenv("JOINDOTS_FAULT_PAUSE_AFTER_ROWS", std::to_string(pause_rows).c_str(), 1);
    setenv("JOINDOTS_DATA_DIR", testing::test_data_dir().c_str(), 1);
    std::vector<std::string> args = {JOINDOTS_CLI, "ingest", "--quiet", "--db", db};
    args.insert(args.end(), files.begin(), files.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(JOINDOTS_CLI, argv.data());
    _exit(127);
  }
  close(err_pipe[1]);
  std::string seen;
  char buf[256];
  ssize_t n;
  bool paused = false;
  while (!paused && (n = read(err_pipe[0], buf, sizeof buf)) > 0) {
    seen.append(buf, static_cast<std::size_t>(n));
    paused = seen.find("paused after") != std::string::npos;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(err_pipe[0]);
  return paused && WIFSIGNALED(status);
}

std::int64_t scalar(SqliteStore& store, const std::string& sql) {
  auto st = store.database().prepare(sql);
  st.step();
  return st.column_int(0);
}

}  // namespace

TEST(Cli, AnIngestKilledMidFileLeavesTheFileWhollyOut) {
  TempDir dir;
  const auto db = (dir / "hub.db").string();
  write_file(dir / "a.csv", sample_file(3000, 0));
  write_file(dir / "b.csv", sample_file(20000, 10000));
  // a.csv commits; the process is killed 5,000 rows into b.csv's transaction.
  ASSERT_TRUE(ingest_and_kill(db, {(dir / "a.csv").string(), (dir / "b.csv").string()}, 5000));
  {
    SqliteStore store(db, false);
    EXPECT_EQ(scalar(store, "SELECT count(*) FROM files"), 1);
    EXPECT_EQ(scalar(store, "SELECT count(*) FROM records"), 3000);
    auto check = store.database().prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.column_text(0), "ok");
  }
  // Running the same command again completes the work: a.csv is already present, b.csv goes in.
  auto r =
      run_cli("ingest --json --quiet --db " + db + " " + (dir / "a.csv").string() + " " + (dir / "b.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["already_present"], 1);
  EXPECT_EQ(j["records_added"], 20000);
  EXPECT_EQ(status_json(db)["records"], 23000);
}

}  // namespace joindots
