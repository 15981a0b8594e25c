#pragma once
// One progress line for a whole `estimate` run (issue 13, item 1): the long phases (the
// log-linear bootstraps, LCMCR) are planned up front with their expected cost, and the line
// shows the phase running, the share of the whole run done and an ETA for the whole run,
// not for the phase alone.
//
// Costs are counted in each phase's own units of work (bootstrap: replicates x the sum over
// candidates of cells x (parameters + 1)^2; LCMCR: iterations x observed patterns x classes
// x lists) and converted to seconds by rough constants measured on this machine
// (kBootstrapSecondsPerUnit, kLcmcrSecondsPerUnit). Only their ratio matters: the ETA
// divides the planned work left by the rate measured so far. Thread-safe: phases report
// from worker threads. Silent when quiet; at most a few lines a second on a terminal (one
// every few seconds otherwise); nothing for a run under a second.
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>

namespace joindots::estimate {

class RunProgress {
 public:
  static constexpr double kBootstrapSecondsPerUnit = 1.5e-9;
  static constexpr double kLcmcrSecondsPerUnit = 4.5e-9;

  explicit RunProgress(bool quiet, std::string label = "estimate");
  ~RunProgress();
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  /// Plans a phase of `expected_seconds`; returns its index. Plan every phase before the
  /// first begins, so that the share and ETA are of the whole run.
  std::size_t plan(std::string name, double expected_seconds);
  /// The phase is running and `fraction` (0-1) of it is done; any thread.
  void report(std::size_t phase, double fraction);
  /// The phase is over (its whole cost counts as done).
  void end(std::size_t phase) { report(phase, 1.0); }
  /// The final line: the run's time and each phase's.
  void finish();
  bool quiet() const { return quiet_; }
  /// Seconds between lines (default: 0.25 on a terminal, 5 otherwise); 0 also prints the
  /// final line of a quick run (tests).
  void set_print_interval(double seconds) { interval_ = seconds; }

 private:
  struct Phase {
    std::string name;
    double expected = 0;
    std::atomic<double> fraction{0};
    std::chrono::steady_clock::time_point first, last;
    bool started = false;
  };
  void maybe_print(std::size_t running, bool final);

  std::string label_;
  bool quiet_, tty_, finished_ = false, printed_ = false;
  std::deque<Phase> phases_;  // stable addresses: phases report from threads
  double planned_ = 0, interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace joindots::estimate
