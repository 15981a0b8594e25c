#pragma once
// The server's audit writer (docs/hub.md, "The audit trail"): one thread appends the rows of
// every audited request, in the order they arrive, committing what has queued up meanwhile in
// one transaction (group commit), and computing the hash chain as it goes. A request waits
// for the commit holding its row, so the row is durable before the answer leaves. Requests
// were before served one transaction each behind a mutex, which no waiting thread was
// guaranteed to get next: at 64 clients the slowest waited 1.4 s (bench/README.md). Here
// the queue is first come, first served and one commit serves many.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/audit_trail.hpp"

namespace joindots::serve {

class AuditWriter {
 public:
  /// The writer of the store at `db`; its thread and its connection start at the first append.
  explicit AuditWriter(std::string db, std::size_t max_group = 256);
  /// Appends what is queued, then stops.
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;
  /// Returns once `entry`'s row is committed; throws what the commit threw (the row is then
  /// not in the trail, nor any row of its group).
  void append(AuditEntry entry);
  /// Commits so far, and rows in them (tests; the bench).
  std::int64_t commits() const;
  std::int64_t rows() const;

 private:
  struct Pending {
    AuditEntry entry;
    bool done = false;
    std::exception_ptr error;
  };
  void run();
  std::string db_;
  std::size_t max_group_;
  mutable std::mutex mutex_;
  std::condition_variable queued_, committed_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::int64_t commits_ = 0, rows_ = 0;
  std::thread thread_;
  std::unique_ptr<AuditTrail> trail_;  // the writer thread's own
};

}  // namespace joindots::serve
