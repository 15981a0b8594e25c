#pragma once
#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

namespace joindots {

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::filesystem::path& path, bool create);

  int schema_version() override;
  void limit_cache(std::int64_t kib) override { db_.limit_cache(kib); }
  void ensure_areas(const AreaTable& areas) override;
  std::optional<FileInfo> find_file(const std::string& sha256) override;
  std::vector<FileInfo> files() override;
  std::unique_ptr<IngestBatch> begin_ingest(const std::string& path, const std::string& sha256, std::int64_t bytes,
                                            FileInfo& existing) override;
  StoreSummary summary() override;
  std::map<std::string, std::int64_t> records_by_area(Role role) override;
  std::vector<FieldCompleteness> field_completeness(Role role) override;
  void for_each_record(std::optional<Role> role, const std::function<void(const StoredRecord&)>& fn) override;
  std::optional<StoreEncoding> encoding() override;
  void for_each_encoded_record(std::optional<Role> role,
                               const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) override;
  std::int64_t start_run(const std::string& stage, const std::string& params_json) override;
  void finish_run(std::int64_t run_id, const std::string& status, const std::string& summary_json) override;
  void save_link_run(std::int64_t run_id, const LinkRunOutput& output) override;
  std::optional<std::int64_t> latest_link_run(Role role) override;
  void for_each_linked_person(
      std::int64_t run_id, Role role,
      const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) override;
  LatestDate latest_record_date(Role role) override;
  std::optional<std::pair<std::int64_t, std::string>> latest_run_summary(const std::string& stage) override;
  std::vector<LinkDiagnostics> latest_link_diagnostics() override;
  void for_each_linked_record(std::int64_t run_id, Role role,
                              const std::function<void(const LinkedRecord&)>& fn) override;
  void for_each_link_pair(std::int64_t run_id, Role role, const std::function<void(const LinkedPair&)>& fn) override;
  std::vector<StoredReviewPair> review_pairs(std::int64_t run_id, Role role, std::size_t limit,
                                             std::int64_t& total) override;

  void save_network_run(std::int64_t run_id, const NetworkRunOutput& output) override;
  std::optional<std::int64_t> latest_network_run() override;
  std::vector<StoredNetwork> networks() override;
  std::vector<std::int64_t> networks_of_person(std::int64_t link_run_id, std::int64_t person_id) override;
  void for_each_network_member(const std::function<void(const NetworkMember&)>& fn) override;

  std::int64_t add_account(const Account& account) override;
  std::optional<Account> revoke_account(std::int64_t account_id) override;
  std::vector<Account> accounts() override;
  std::optional<Account> account_by_token_id(const std::string& token_id) override;
  std::vector<Delivery> deliveries(const std::optional<std::string>& org) override;

  sqlite::Database& database() { return db_; }

 private:
  sqlite::Database db_;
};

/// Applies the schema migrations the database has not yet seen (PRAGMA user_version),
/// each in its own transaction, up to `target_version` (default: the current one; tests
/// build an older store with a lower one). Returns the resulting version.
int migrate(sqlite::Database& db, int target_version = -1);
/// The schema version this build writes.
int current_schema_version();

}  // namespace joindots
