#include "serve/audit_writer.hpp"

#include <utility>
#include <vector>

namespace joindots::serve {

AuditWriter::AuditWriter(std::string db, std::size_t max_group) : db_(std::move(db)), max_group_(max_group) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditWriter::append(AuditEntry entry) {
  Pending pending{std::move(entry), false, nullptr};
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  queue_.push_back(&pending);
  queued_.notify_one();
  committed_.wait(lock, [&] { return pending.done; });
  if (pending.error) std::rethrow_exception(pending.error);
}

void AuditWriter::run() {
  std::vector<Pending*> group;
  std::vector<AuditEntry> entries;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to append
      group.clear();
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    entries.clear();
    for (auto* p : group) entries.push_back(std::move(p->entry));  // the waiter reads only done and error
    std::exception_ptr error;
    try {
      if (!trail_) trail_ = AuditTrail::open(db_);
      trail_->append_all(entries);
    } catch (...) {
      error = std::current_exception();
      trail_.reset();  // opened again for the next group (the store may come back)
    }
    {
      std::lock_guard lock(mutex_);
      for (auto* p : group) {
        p->error = error;
        p->done = true;
      }
      if (!error) {
        ++commits_;
        rows_ += static_cast<std::int64_t>(group.size());
      }
    }
    committed_.notify_all();
  }
}

std::int64_t AuditWriter::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

std::int64_t AuditWriter::rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

}  // namespace joindots::serve
