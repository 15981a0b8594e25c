#pragma once
// The results the API serves, computed once per state of the store. Building the bundle and
// auditing it exactly takes tens of milliseconds; doing it for every request held the API to
// 48 requests/s (bench/README.md). Each request now asks SQLite's PRAGMA data_version on one
// kept-open connection (microseconds) whether anyone has committed since, and the results
// are rebuilt only then: a new run saved, a file ingested. On PostgreSQL the question is the
// server's next transaction id, which only a writing transaction moves. Every commit moves
// these, the audit trail's rows too (one per restricted request, issue 17): when one has
// moved, a fingerprint of what the results are built from (files, runs, areas) is asked
// next, and the results are rebuilt only when that changed.
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/areas.hpp"

namespace joindots::sqlite {
class Database;
}
namespace joindots::pg {
class Connection;
}

namespace joindots::serve {

/// One state of the store as the public API shows it. Bodies are serialised once.
struct PublicResults {
  /// The audited public bundle; null when it failed the exact disclosure audit.
  nlohmann::json bundle;
  /// Why the bundle is not served (the audit's problems), empty when it is.
  std::string audit_failure;
  nlohmann::json linkage;  // public linkage diagnostics, per role
  std::string bundle_body, summary_body, estimates_body, overlap_body, models_body, sources_body,
      areas_body, linkage_body;
};

class ResultsCache {
 public:
  ResultsCache(std::string db, std::shared_ptr<const AreaTable> areas);
  ~ResultsCache();
  /// The public results of the store as it is now (rebuilt if anyone committed since).
  std::shared_ptr<const PublicResults> current();
  /// The restricted bundle of the store as it is now.
  std::shared_ptr<const std::string> restricted_bundle_body();
  /// How many times the public results were built (for tests and the log).
  std::int64_t builds() const;

 private:
  bool store_changed();  // under mutex_
  std::int64_t store_version();  // under mutex_: changes when anyone commits a write
  std::string results_fingerprint();  // under mutex_: changes when what the results read does
  std::shared_ptr<const PublicResults> published_results() const;
  std::string db_;
  std::shared_ptr<const AreaTable> areas_;
  mutable std::mutex mutex_;
  std::unique_ptr<sqlite::Database> watch_;  // kept open: data_version is per connection
  std::unique_ptr<pg::Connection> pg_watch_;  // the same for a PostgreSQL store
  std::int64_t version_ = -1;
  std::string fingerprint_;
  std::shared_ptr<const PublicResults> public_;
  std::shared_ptr<const std::string> restricted_;
  // The latest confirmed results, readable without mutex_ (a copy under a short lock).
  mutable std::mutex published_mutex_;
  std::shared_ptr<const PublicResults> published_;
  std::int64_t builds_ = 0;
};

}  // namespace joindots::serve
