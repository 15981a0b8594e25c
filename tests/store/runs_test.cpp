// Runs that end honestly: a run whose process was killed is marked abandoned on the next
// open, with the time it started, and never counted as a result (issue 14).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite/run_owner.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

std::string status_of(SqliteStore& store, std::int64_t run_id) {
  auto st = store.database().prepare("SELECT status FROM runs WHERE run_id = ?");
  st.bind(1, run_id);
  return st.step() ? st.column_text(0) : "";
}

/// Starts a run of `stage` in a child process that is then killed (SIGKILL) mid-run.
void start_run_and_die(const std::filesystem::path& db, const std::string& stage) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    {
      SqliteStore store(db, false);
      store.start_run(stage, "{}");
    }
    raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
}

}  // namespace

TEST(Runs, ARunWhoseProcessWasKilledIsMarkedAbandonedOnTheNextOpen) {
  testing::TempDir dir;
  const auto db = dir / "hub.db";
  std::int64_t done = 0, live = 0;
  {
    SqliteStore store(db, true);
    done = store.start_run("link", "{}");
    store.finish_run(done, "done", "{}");
    live = store.start_run("estimate", "{}");  // this process: alive
  }
  start_run_and_die(db, "link");
  SqliteStore store(db, false);
  EXPECT_EQ(status_of(store, done), "done");
  EXPECT_EQ(status_of(store, live), "running");  // its process is alive: left alone
  const auto s = store.summary();
  EXPECT_EQ(s.runs, 1);  // only the finished run is a result
  EXPECT_EQ(s.runs_by_status.at("abandoned"), 1);
  EXPECT_EQ(s.runs_by_status.at("running"), 1);
  ASSERT_EQ(s.abandoned_runs.size(), 1u);
  EXPECT_EQ(s.abandoned_runs[0].stage, "link");
  EXPECT_EQ(s.abandoned_runs[0].run_id, live + 1);
  EXPECT_EQ(s.abandoned_runs[0].started_at.size(), 20u);  // 2026-12-02T12:00:00Z
  EXPECT_FALSE(s.abandoned_runs[0].abandoned_at.empty());
  // A link run that never finished is never the latest link run.
  EXPECT_FALSE(store.latest_link_run(Role::victim));
}

TEST(Runs, APidReusedByAnotherProcessDoesNotKeepARunAlive) {
  testing::TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  const auto owner = this_process();
  ASSERT_FALSE(owner.process.empty());
  EXPECT_EQ(process_identity(owner.pid), owner.process);
  // This process's pid, but a different start time: another process that once had the pid.
  store.database().exec(
      fmt::format("INSERT INTO runs (stage, started_at, status, pid, host, process) VALUES "
                  "('link', '2026-01-01T00:00:00Z', "
                  "'running', {}, '{}', 'another-boot:1')",
                  owner.pid, owner.host));
  // Started on another host: cannot be told from here, left alone.
  store.database().exec(
      "INSERT INTO runs (stage, started_at, status, pid, host, process) VALUES ('link', "
      "'2026-01-01T00:00:00Z', "
      "'running', 1, 'some-other-host', 'x:1')");
  EXPECT_EQ(mark_abandoned_runs(store.database()), 1);
  EXPECT_EQ(status_of(store, 1), "abandoned");
  EXPECT_EQ(status_of(store, 2), "running");
}

TEST(Runs, MigratingAVersion5StoreMarksItsRunningRunsAbandoned) {
  testing::TempDir dir;
  const auto db = dir / "old.db";
  {
    sqlite::Database old(db, true);
    ASSERT_EQ(migrate(old, 5), 5);
    old.exec(
        "INSERT INTO runs (stage, started_at, status) VALUES ('link', '2026-01-01T00:00:00Z', "
        "'running'), "
        "('estimate', '2026-01-02T00:00:00Z', 'done')");
  }
  SqliteStore store(db, false);
  EXPECT_EQ(store.schema_version(), current_schema_version());
  EXPECT_EQ(status_of(store, 1), "abandoned");
  EXPECT_EQ(status_of(store, 2), "done");
  const auto s = store.summary();
  ASSERT_EQ(s.abandoned_runs.size(), 1u);
  EXPECT_EQ(s.abandoned_runs[0].started_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(s.runs, 1);
  // New runs record their process.
  const auto run = store.start_run("link", "{}");
  auto st = store.database().prepare("SELECT pid, process FROM runs WHERE run_id = ?");
  st.bind(1, run);
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int(0), getpid());
  EXPECT_EQ(st.column_text(1), this_process().process);
}

}  // namespace joindots
