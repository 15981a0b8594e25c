#pragma once
// The hub's store: sources, ingested files, records, reference areas, and runs of later
// stages. One interface, two implementations: SQLite (embedded, the default: a file path)
// and PostgreSQL (a postgresql:// URI; store/postgres).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "core/record.hpp"

namespace joindots {

struct FileInfo {
  std::int64_t file_id = 0;
  std::string path;
  std::string sha256;
  std::int64_t bytes = 0;
  std::int64_t rows = 0;
  std::string ingested_at;  // UTC, ISO 8601
};

/// Where an earlier record with the same (source_org, record_id) came from.
struct RecordOrigin {
  std::string path;
  std::int64_t line = 0;
};

struct StoreSummary {
  int schema_version = 0;
  std::int64_t files = 0, records = 0, sources = 0, areas = 0, areas_with_records = 0;
  std::int64_t runs = 0;             // runs of later stages that finished ("done"): results
  std::int64_t ingest_warnings = 0;  // plausible-but-odd values accepted (docs/schema.md)
  std::map<std::string, std::int64_t> runs_by_status;  // done, failed, running, abandoned
  /// Runs whose process died before finishing (killed, crashed), found on opening the store.
  struct AbandonedRun {
    std::int64_t run_id = 0;
    std::string stage, started_at, abandoned_at;  // UTC, ISO 8601
  };
  std::vector<AbandonedRun> abandoned_runs;
  std::map<std::string, std::int64_t> records_by_source_type;
  std::map<std::string, std::int64_t> records_by_role;
  std::map<std::string, std::int64_t> sources_by_source_type;
};

/// How complete each identifier field is in one source type's records (counts of records
/// holding a value), for the data-completeness table.
struct FieldCompleteness {
  std::string source_type;
  std::int64_t records = 0;
  std::map<std::string, std::int64_t> with_value;  // field -> records with a value
};

/// Encoded mode (docs/schema.md "Encoded mode"): the encoding a store holds, set by its
/// first encoded row; every later encoded file must carry the same.
struct StoreEncoding {
  std::string scheme;           // "joindots-clk-1/1024"
  std::string key_fingerprint;  // 32 hex digits (encode/secret.hpp)
};
/// The encoded columns of one record: what replaces its identifiers.
struct EncodedColumns {
  std::vector<unsigned char> clk;  // the Bloom filter's bytes (little-endian 64-bit words)
  std::int64_t clk_weight = 0;     // bits set
  std::string age_band;            // records/age_band.hpp's bands at event_date, or "unknown"
  std::string tokens_json;         // {"tok_nhs_number": "...", "blk_dob": "...", ...}: columns with a value
};

/// The records of one file, written in one transaction: all of them or none.
/// Destroying a batch that was not committed rolls it back.
class IngestBatch {
 public:
  virtual ~IngestBatch() = default;
  /// Adds a record; returns the origin of the earlier record when (source_org, record_id)
  /// is already taken (in the store or earlier in this file), and adds nothing.
  virtual std::optional<RecordOrigin> add(const Record& record) = 0;
  /// Commits the file and its records, with the count of plausibility warnings its rows
  /// raised and the first of them (core/limits.hpp); returns the stored file entry.
  virtual FileInfo commit(std::int64_t rows, std::int64_t warnings_total = 0,
                          const std::vector<InputIssue>& warnings_kept = {}) = 0;

  /// Declares the file plaintext or encoded, under the write lock. Returns why it cannot go
  /// in (a store holds plaintext files or encoded ones, never both), empty when it can.
  virtual std::string set_mode(bool encoded) = 0;
  /// Encoded mode, at the file's first row: returns why its encoding cannot go in (another
  /// key fingerprint or scheme than the store's), empty when it can; the store's first
  /// encoded row sets the store's encoding.
  virtual std::string use_encoding(const StoreEncoding& encoding) = 0;
  /// As add(), with the record's encoded columns (its identifier fields are empty).
  virtual std::optional<RecordOrigin> add_encoded(const Record& record, const EncodedColumns& encoded) = 0;
};

/// A record as stored: the validated Record plus its key in the store and its file.
struct StoredRecord {
  std::int64_t record_pk = 0;
  std::int64_t file_id = 0;
  Record record;
};

/// One role's output of a link run (link/store_link.hpp makes it).
struct LinkedPerson {
  std::int64_t person_id = 0;
  Role role = Role::victim;
  std::vector<SourceType> capture_history;  // the source types that recorded the person, sorted, distinct
  std::string lad_cd;                       // empty when none of its records has one
  Date first_date, last_date;
  std::string age_band;  // records/age_band.hpp's bands at first_date, or "unknown"
  Sex sex = Sex::unknown;
  std::int64_t offence_count = 0, records = 0;
};
struct LinkedPair {
  std::int64_t record_pk_a = 0, record_pk_b = 0;
  double weight = 0, probability = 0;
};
/// One record of a link run with the person it was resolved to (for the networks stage).
struct LinkedRecord {
  std::int64_t record_pk = 0, person_id = 0;
  Role role = Role::victim;
  SourceType source_type = SourceType::police;
  std::string source_org, record_id, case_ref, lad_cd;
  Date event_date;
  std::optional<Date> last_date;
  std::optional<std::int64_t> offence_count;
};
/// A pair in the clerical-review band of a link run: its match weight and probability and
/// the agreement level of each compared field (JSON object field -> level name).
struct ReviewPair {
  std::int64_t record_pk_a = 0, record_pk_b = 0;
  double weight = 0, probability = 0;
  std::string levels_json;
};
/// A review pair as read back for the restricted report: both records identified.
struct ReviewRecord {
  SourceType source_type = SourceType::police;
  std::string source_org, record_id;
  Date event_date;
  std::int64_t person_id = 0;
};
struct StoredReviewPair {
  ReviewRecord a, b;
  double weight = 0, probability = 0;
  std::string levels_json;
};
struct LinkRunOutput {
  Role role = Role::victim;
  std::vector<LinkedPerson> persons;
  std::vector<std::pair<std::int64_t, std::int64_t>> person_of_record;  // (record_pk, person_id)
  std::vector<LinkedPair> pairs;                                         // scored pairs above a floor
  std::vector<ReviewPair> review;                                        // pairs in the review band
  std::string diagnostics_json;
};

/// One network of a networks run (networks/store_networks.hpp makes it); lads and pfas are
/// the districts and police force areas it spans, sorted.
struct StoredNetwork {
  std::int64_t network_id = 0, suspects = 0, victims = 0, cases = 0, records = 0;
  std::vector<std::string> lads, pfas;
  Date first_date, last_date;
};
/// A linked person in a network: the person of `link_run_id` (role's link run) with that
/// person_id. A victim may be in several networks; a suspect is in one.
struct NetworkMember {
  std::int64_t network_id = 0;
  Role role = Role::victim;
  std::int64_t link_run_id = 0, person_id = 0;
};
struct NetworkRunOutput {
  std::vector<StoredNetwork> networks;
  std::vector<NetworkMember> members;
};

/// What an account of the hub may do (docs/hub.md): `agency` sees its own organisation's
/// deliveries (and, with uploads, delivers its files); `analyst` the restricted tier and the
/// linkage review; `admin` the accounts. Nothing else: each route names the roles it serves.
enum class AccountRole { agency, analyst, admin };
std::string to_string(AccountRole role);
/// The role named `name`; nullopt when it names none.
std::optional<AccountRole> account_role_from_string(const std::string& name);

/// An account: who holds an API token. The token itself is never stored: only its public
/// prefix (`token_id`, which finds the account in one lookup) and its argon2id hash.
struct Account {
  std::int64_t account_id = 0;
  std::string token_id;    // the token's non-secret prefix, unique
  std::string token_hash;  // crypto_pwhash_str's argon2id string
  std::string org;         // the organisation code (source_org) it acts for
  AccountRole role = AccountRole::analyst;
  std::string created_at;  // UTC, ISO 8601
  std::string revoked_at;  // empty while the account is active
};

/// A delivered file as its organisation sees it: the stored file, the organisations whose
/// records it holds, and its plausibility warnings.
struct Delivery {
  FileInfo file;
  std::vector<std::string> orgs;
  std::int64_t warnings = 0;
  bool encoded = false;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Opens a store. `location` is a file path (SQLite) or a postgresql:// (postgres://) URI
  /// of a database (PostgreSQL). With `create`, a missing store is created (for PostgreSQL:
  /// its tables, in a database that exists); either way the schema is migrated to the
  /// current version.
  static std::unique_ptr<Store> open(const std::string& location, bool create);
  /// Whether `location` names a PostgreSQL database rather than an SQLite file.
  static bool is_postgres(const std::string& location);
  /// `location` as messages and JSON show it: a URI's password replaced by ***.
  static std::string shown(const std::string& location);

  virtual int schema_version() = 0;
  /// Caps the memory this connection keeps of the store's pages at `kib` KiB (SQLite's page
  /// cache; 64 MiB by default, for ingest and link). A long-lived connection of the server
  /// takes less, so its memory stays flat as the store grows. PostgreSQL keeps no pages in
  /// the client: nothing to do.
  virtual void limit_cache(std::int64_t kib) { (void)kib; }
  /// Loads the reference districts if the store has none yet.
  virtual void ensure_areas(const AreaTable& areas) = 0;
  virtual std::optional<FileInfo> find_file(const std::string& sha256) = 0;
  virtual std::vector<FileInfo> files() = 0;
  /// Starts the transaction for one file. Returns nullptr, with `existing` filled, when a
  /// file with the same content hash is already in the store (checked under the write lock).
  virtual std::unique_ptr<IngestBatch> begin_ingest(const std::string& path, const std::string& sha256,
                                                    std::int64_t bytes, FileInfo& existing) = 0;
  virtual StoreSummary summary() = 0;
  /// Number of records of `role` per home district (lad_cd); records without one are counted
  /// under the empty string.
  virtual std::map<std::string, std::int64_t> records_by_area(Role role) = 0;
  /// Completeness of the identifier fields per source type, over records of `role`.
  virtual std::vector<FieldCompleteness> field_completeness(Role role) = 0;
  /// Calls `fn` for every stored record of `role` (all roles when nullopt), in record_pk
  /// order, streaming (the store is not loaded into memory at once).
  virtual void for_each_record(std::optional<Role> role, const std::function<void(const StoredRecord&)>& fn) = 0;

  /// The store's encoding: nullopt for a plaintext store (or one with no encoded row yet).
  virtual std::optional<StoreEncoding> encoding() = 0;
  /// Calls `fn` for every encoded record of `role` (all roles when nullopt) with its encoded
  /// columns, in record_pk order, streaming.
  virtual void for_each_encoded_record(
      std::optional<Role> role, const std::function<void(std::int64_t record_pk, const EncodedColumns&)>& fn) = 0;

  /// Records the start of a run of a stage (link, estimate, ...) and returns its id.
  virtual std::int64_t start_run(const std::string& stage, const std::string& params_json) = 0;
  virtual void finish_run(std::int64_t run_id, const std::string& status, const std::string& summary_json) = 0;
  /// Saves one role's output of a link run, in one transaction: its persons with their
  /// capture histories, which record is which person, pair scores, diagnostics.
  virtual void save_link_run(std::int64_t run_id, const LinkRunOutput& output) = 0;
  /// The latest link run that finished ("done") and saved persons of `role`, if any.
  virtual std::optional<std::int64_t> latest_link_run(Role role) = 0;
  /// Streams the persons of `role` in a link run, each with the date of birth its records
  /// most often give (full dates preferred over partial ones; nullopt when none has one).
  virtual void for_each_linked_person(
      std::int64_t run_id, Role role,
      const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) = 0;
  /// The summary (JSON text) of the latest run of `stage` that finished "done", with its id.
  virtual std::optional<std::pair<std::int64_t, std::string>> latest_run_summary(const std::string& stage) = 0;
  /// One role's diagnostics from a link run (what the link stage saved in link_diagnostics),
  /// with the run's parameters and the model's own estimate of its precision: the mean match
  /// probability of the stored pairs at or above the run's threshold.
  struct LinkDiagnostics {
    std::int64_t run_id = 0;
    Role role = Role::victim;
    std::string diagnostics_json;
    std::string params_json;
    std::int64_t linked_pairs = 0;
    double mean_probability = 0;
  };
  /// For each role, the diagnostics of the latest finished ("done") link run that saved any.
  virtual std::vector<LinkDiagnostics> latest_link_diagnostics() = 0;
  /// The latest plausible date (event or last contact) among the stored records of `role`:
  /// none after its file's delivery date (the day it was ingested, plus the grace of
  /// core/limits.hpp). Ingest rejects such dates; a store filled before that check may hold
  /// some, and they are counted in `ignored`, never used.
  struct LatestDate {
    std::optional<Date> date;
    std::int64_t ignored = 0;  // records with a date after their file's delivery date
  };
  virtual LatestDate latest_record_date(Role role) = 0;
  /// Streams the records of `role` that a link run resolved, each with its person, in
  /// record_pk order.
  virtual void for_each_linked_record(std::int64_t run_id, Role role,
                                      const std::function<void(const LinkedRecord&)>& fn) = 0;
  /// Streams the scored pairs of `role` a link run saved (those at or above its pair floor),
  /// with their match probabilities, in (record_pk_a, record_pk_b) order: what the estimate
  /// stage re-clusters to carry linkage error into its intervals.
  virtual void for_each_link_pair(std::int64_t run_id, Role role, const std::function<void(const LinkedPair&)>& fn) = 0;
  /// The pairs of `role` in a link run's clerical-review band, most probable first, at most
  /// `limit`; `total` receives how many the band holds.
  virtual std::vector<StoredReviewPair> review_pairs(std::int64_t run_id, Role role, std::size_t limit,
                                                     std::int64_t& total) = 0;

  /// Saves the networks of a networks run and their members, replacing those of any earlier
  /// run, in one transaction: the tables hold one run's networks, whole.
  virtual void save_network_run(std::int64_t run_id, const NetworkRunOutput& output) = 0;
  /// The networks run whose networks the store holds (the latest saved), if any.
  virtual std::optional<std::int64_t> latest_network_run() = 0;
  /// The networks of the held networks run, by network_id; empty when there is none.
  virtual std::vector<StoredNetwork> networks() = 0;
  /// The networks (ids, ascending) the held networks run put a linked person in: the
  /// person `person_id` of link run `link_run_id`. Empty when in none.
  virtual std::vector<std::int64_t> networks_of_person(std::int64_t link_run_id, std::int64_t person_id) = 0;
  /// Streams the members of the held networks run by network_id, role (by name), person_id.
  virtual void for_each_network_member(const std::function<void(const NetworkMember&)>& fn) = 0;

  /// Adds an account (account_id and created_at are the store's); returns its id. Throws
  /// UsageError when the token id is taken.
  virtual std::int64_t add_account(const Account& account) = 0;
  /// Revokes an account; returns it as it now stands (revoked_at kept from an earlier
  /// revocation), nullopt when there is no such account.
  virtual std::optional<Account> revoke_account(std::int64_t account_id) = 0;
  /// Every account, by account_id (with its hash: callers show no more than they must).
  virtual std::vector<Account> accounts() = 0;
  /// The account whose token has this public prefix, revoked or not.
  virtual std::optional<Account> account_by_token_id(const std::string& token_id) = 0;
  /// The stored files holding records of `org` (every file when nullopt), by file_id.
  virtual std::vector<Delivery> deliveries(const std::optional<std::string>& org) = 0;
};

}  // namespace joindots
