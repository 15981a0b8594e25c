#pragma once
// Progress of long work on stderr: count, rate and ETA, at most a few times a second.
// On a terminal the line is redrawn in place; otherwise a line is written every few
// seconds. Silent when quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace joindots {

class Progress {
 public:
  /// `total` 0 means unknown (no percentage or ETA).
  Progress(std::string label, std::string unit, std::int64_t total, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void set_total(std::int64_t total) { total_ = total; }
  /// A second count shown beside the first, e.g. rows while progress is measured in bytes.
  void set_secondary(std::string unit) { secondary_unit_ = std::move(unit); }
  void advance_secondary(std::int64_t n) { secondary_ += n; }
  /// Adds `n` units of work done; cheap enough to call per row (a clock read, about 25 ns).
  /// Every call looks at the clock: slow steps (a population of a simulation study) must
  /// show as soon as the print interval has passed, not after hundreds of steps.
  void advance(std::int64_t n = 1) {
    done_ += n;
    if (!quiet_) maybe_print(false);
  }
  void set(std::int64_t done) {
    done_ = done;
    if (!quiet_) maybe_print(false);
  }
  /// Prints the final line (once).
  void finish();
  std::int64_t done() const { return done_; }
  double elapsed_seconds() const;

 private:
  void maybe_print(bool final);

  std::string label_, unit_, secondary_unit_;
  std::int64_t secondary_ = 0;
  std::int64_t total_, done_ = 0;
  bool quiet_, tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_print_;
};

/// "1,234,567"
std::string with_commas(std::int64_t n);

}  // namespace joindots
