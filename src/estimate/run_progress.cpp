#include "estimate/run_progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace joindots::estimate {

namespace {
double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
}  // namespace

RunProgress::RunProgress(bool quiet, std::string label)
    : label_(std::move(label)), quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), interval_(tty_ ? 0.25 : 5.0) {}

RunProgress::~RunProgress() {
  if (!finished_ && tty_ && printed_) std::fputc('\n', stderr);
}

std::size_t RunProgress::plan(std::string name, double expected_seconds) {
  std::lock_guard lock(mutex_);
  auto& p = phases_.emplace_back();
  p.name = std::move(name);
  p.expected = std::max(0.0, expected_seconds);
  planned_ += p.expected;
  return phases_.size() - 1;
}

void RunProgress::report(std::size_t phase, double fraction) {
  if (quiet_ || phase >= phases_.size()) return;
  auto& p = phases_[phase];
  p.fraction.store(std::clamp(fraction, 0.0, 1.0), std::memory_order_relaxed);
  // A phase's end waits for the lock (its time must be recorded); other reports skip a line
  // while another thread prints.
  std::unique_lock lock(mutex_, std::defer_lock);
  if (fraction >= 1.0)
    lock.lock();
  else if (!lock.try_lock())
    return;
  const auto now = std::chrono::steady_clock::now();
  if (!p.started) {
    p.started = true;
    p.first = now;
    if (start_ == std::chrono::steady_clock::time_point{}) start_ = last_print_ = now;
  }
  p.last = now;
  maybe_print(phase, false);
}

void RunProgress::finish() {
  if (finished_) return;
  finished_ = true;
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  maybe_print(phases_.size(), true);
}

// Called with mutex_ held.
void RunProgress::maybe_print(std::size_t running, bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (start_ == std::chrono::steady_clock::time_point{}) return;  // no phase ran
  const double elapsed = seconds_between(start_, now);
  if (final && !printed_ && elapsed < 1.0 && interval_ > 0) return;  // quick work: no noise
  if (!final && printed_ && seconds_between(last_print_, now) < interval_) return;
  if (!final && !printed_ && seconds_between(start_, now) < interval_) return;
  last_print_ = now;
  printed_ = true;
  std::string line;
  if (final) {
    line = fmt::format("{}: done in {:.1f}s", label_, elapsed);
    std::string parts;
    for (const auto& p : phases_)
      if (p.started)
        parts += fmt::format("{}{} {:.1f}s", parts.empty() ? "" : ", ", p.name, seconds_between(p.first, p.last));
    if (!parts.empty()) line += " (" + parts + ")";
  } else {
    double done = 0;
    for (const auto& p : phases_) done += p.expected * p.fraction.load(std::memory_order_relaxed);
    const double share = planned_ > 0 ? done / planned_ : 0;
    line = fmt::format("{}: {} ({} of {}), {:.0f}% of the run", label_, phases_[running].name, running + 1,
                       phases_.size(), 100.0 * share);
    // The rate so far over every phase, applied to the planned work left.
    if (share > 0.01 && share < 1) line += fmt::format(", ETA {:.0f}s", elapsed * (1 - share) / share);
  }
  if (tty_)
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace joindots::estimate
