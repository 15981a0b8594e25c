#pragma once
// The hub's store on PostgreSQL (issue 17), selected by `--db postgresql://...`: the same
// tables, schema version and behaviour as the SQLite store (tests/store: one contract for
// both). One connection per PostgresStore; several processes (or threads, each with its own
// store) may use one database at once. Writers of files are serialised by a transaction-
// scoped advisory lock, as SQLite's write lock serialises them; readers are never blocked
// and see whole files only (each reading method runs on one snapshot).
#include <cstdint>
#include <string>

#include "store/postgres/pg.hpp"
#include "store/store.hpp"

namespace joindots {

/// Advisory lock keys (pg_advisory_xact_lock) of this schema: one ingest at a time, one
/// migration at a time.
inline constexpr std::int64_t kPostgresIngestLock = 0x6a6f696e64000001;     // "joind" 1
inline constexpr std::int64_t kPostgresMigrationLock = 0x6a6f696e64000002;  // "joind" 2

class PostgresStore final : public Store {
 public:
  /// Connects to `uri`. With `create`, a database without the store's tables gets them;
  /// without, such a database is a UsageError ("no such store"). Either way the schema is
  /// migrated to the current version and runs whose process died are marked abandoned.
  PostgresStore(const std::string& uri, bool create);

  int schema_version() override;
  void ensure_areas(const AreaTable& areas) override;
  std::optional<FileInfo> find_file(const std::string& sha256) override;
  std::vector<FileInfo> files() override;
  std::unique_ptr<IngestBatch> begin_ingest(const std::string& path, const std::string& sha256,
                                            std::int64_t bytes, FileInfo& existing) override;
  StoreSummary summary() override;
  std::map<std::string, std::int64_t> records_by_area(Role role) override;
  std::vector<FieldCompleteness> field_completeness(Role role) override;
  void for_each_record(std::optional<Role> role,
                       const std::function<void(const StoredRecord&)>& fn) override;
  std::optional<StoreEncoding> encoding() override;
  void for_each_encoded_record(
      std::optional<Role> role,
      const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) override;
  std::int64_t start_run(const std::string& stage, const std::string& params_json) override;
  void finish_run(std::int64_t run_id, const std::string& status,
                  const std::string& summary_json) override;
  void save_link_run(std::int64_t run_id, const LinkRunOutput& output) override;
  std::optional<std::int64_t> latest_link_run(Role role) override;
  void for_each_linked_person(
      std::int64_t run_id, Role role,
      const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) override;
  LatestDate latest_record_date(Role role) override;
  std::optional<std::pair<std::int64_t, std::string>> latest_run_summary(
      const std::string& stage) override;
  std::vector<LinkDiagnostics> latest_link_diagnostics() override;
  void for_each_linked_record(std::int64_t run_id, Role role,
                              const std::function<void(const LinkedRecord&)>& fn) override;
  void for_each_link_pair(std::int64_t run_id, Role role,
                          const std::function<void(const LinkedPair&)>& fn) override;
  std::vector<StoredReviewPair> review_pairs(std::int64_t run_id, Role role, std::size_t limit,
                                             std::int64_t& total) override;

  void save_network_run(std::int64_t run_id, const NetworkRunOutput& output) override;
  std::optional<std::int64_t> latest_network_run() override;
  std::vector<StoredNetwork> networks() override;
  std::vector<std::int64_t> networks_of_person(std::int64_t link_run_id,
                                               std::int64_t person_id) override;
  void for_each_network_member(const std::function<void(const NetworkMember&)>& fn) override;

  std::int64_t add_account(const Account& account) override;
  std::optional<Account> revoke_account(std::int64_t account_id) override;
  std::vector<Account> accounts() override;
  std::optional<Account> account_by_token_id(const std::string& token_id) override;
  std::vector<Delivery> deliveries(const std::optional<std::string>& org) override;

  pg::Connection& connection() { return c_; }

 private:
  void mark_abandoned_runs();
  pg::Connection c_;
};

/// The schema version of the database `c` is connected to (0 when it has no store).
int postgres_schema_version(pg::Connection& c);
/// Creates or migrates the store's tables up to current_schema_version() (the SQLite
/// store's), in one transaction under kPostgresMigrationLock. Returns the version. Tests
/// build an older store with a lower `target_version` (7 or more: this backend's first).
int migrate_postgres(pg::Connection& c, int target_version = -1);
/// Store::begin_ingest on PostgreSQL (pg_ingest_batch.cpp).
std::unique_ptr<IngestBatch> begin_postgres_ingest(pg::Connection& c, const std::string& path,
                                                   const std::string& sha256, std::int64_t bytes,
                                                   FileInfo& existing);
/// The files table's columns that file_info reads, in order, and the reader.
inline constexpr const char* kPostgresFileColumns =
    "file_id, path, sha256, bytes, rows, ingested_at";
FileInfo file_info(const pg::Result& r, int row);

}  // namespace joindots
