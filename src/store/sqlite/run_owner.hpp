#pragma once
// Who runs a stage: the process that started a run, told apart from a later process that
// happens to reuse its pid. A run left "running" whose process is gone was killed or
// crashed; opening the store marks it "abandoned" (docs/schema.md, "Runs").
#include <cstdint>
#include <string>

#include "store/sqlite/sqlite.hpp"

namespace joindots {

struct RunOwner {
  std::int64_t pid = 0;
  std::string host;     // gethostname()
  std::string process;  // boot id and the process's start time in clock ticks: unique per boot
};

/// This process.
RunOwner this_process();

/// The identity ("boot:start") of the live process `pid` on this machine, or "" when there
/// is none.
std::string process_identity(std::int64_t pid);

/// Marks "abandoned" every run still "running" whose process on this host is gone (its pid
/// dead, or reused by another process), with the time it was found. Runs started on another
/// host are left alone (this host cannot tell). Returns how many were marked.
int mark_abandoned_runs(sqlite::Database& db);

}  // namespace joindots
