#include "store/sqlite/run_owner.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "io/text_file.hpp"

namespace joindots {

namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

std::string process_identity(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return {};
  // Fields after the command name (which is in parentheses and may hold spaces): state is
  // field 3, starttime field 22.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return {};
    if (i == 3 && (field == "Z" || field == "X")) return {};  // a zombie has finished
  }
  return boot_id() + ":" + field;
}

RunOwner this_process() {
  const auto pid = static_cast<std::int64_t>(getpid());
  return {pid, host_name(), process_identity(pid)};
}

int mark_abandoned_runs(sqlite::Database& db) {
  struct Candidate {
    std::int64_t run_id, pid;
    std::string process;
  };
  std::vector<Candidate> gone;
  {
    auto st =
        db.prepare("SELECT run_id, pid, process FROM runs WHERE status = 'running' AND host = ?");
    st.bind(1, host_name());
    while (st.step()) {
      Candidate c{st.column_int(0), st.column_int(1), st.column_text(2)};
      if (process_identity(c.pid) != c.process) gone.push_back(std::move(c));
    }
  }
  if (gone.empty()) return 0;
  sqlite::Transaction tx(db);
  auto st = db.prepare(
      "UPDATE runs SET status = 'abandoned', finished_at = ?, summary = json_object('abandoned', "
      "'its process (pid ' || pid || ') ended before the run finished') WHERE run_id = ? AND "
      "status = 'running'");
  const auto now = utc_timestamp();
  for (const auto& c : gone) {
    st.reset();
    st.bind(1, now).bind(2, c.run_id);
    st.run();
  }
  tx.commit();
  return static_cast<int>(gone.size());
}

}  // namespace joindots
