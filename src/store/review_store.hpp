#pragma once
// Clerical review (issue 17, item 5; docs/hub.md): analysts' decisions on pairs of records of
// a link run's review band, and the band read a page at a time with both records'
// identifiers. Kept in the store (schema version 10), beside the Store interface as the audit
// trail is (audit_trail.hpp): the server and `joindots link --db` open it on a connection of
// their own. Both backends implement it (sqlite/review_decisions.cpp,
// postgres/pg_review_decisions.cpp); the review contract in tests/store runs for each.
//
// A decision names each record by its key in the store (source_org, record_id), not its
// record_pk, so that it outlives re-ingest and re-link. Decisions are appended, never
// updated: a pair's latest wins, the history stays. `unsure` leaves the model's decision.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace joindots {

enum class ClericalVerdict { match, non_match, unsure };
std::string to_string(ClericalVerdict verdict);
/// The verdict named `name` (match, non_match, unsure); nullopt when it names none.
std::optional<ClericalVerdict> clerical_verdict_from_string(const std::string& name);

struct ClericalDecision {
  std::int64_t decision_id = 0;  // the store's, in the order made
  Role role = Role::victim;
  std::string org_a, record_id_a, org_b, record_id_b;  // stored with (org_a, record_id_a) < (org_b, record_id_b)
  ClericalVerdict verdict = ClericalVerdict::unsure;
  std::optional<std::int64_t> account_id;  // the analyst's account; nullopt for the token file's
  std::string actor;                       // as the audit trail names it: account:ID, token-file
  std::string decided_at;                  // UTC, ISO 8601 (the store's)
  std::string note;                        // optional, free text
  bool records_stored = true;              // read back: both records are still stored, of `role`
};

/// A review pair with what the reviewer compares: each record's identifiers (the stored
/// values of given_name, family_name, other_names, dob, sex, postcode, nhs_number, upn and
/// pnc_id that it holds; never its attributes) and the pair's latest decision.
struct ReviewItem {
  StoredReviewPair pair;
  std::vector<std::pair<std::string, std::string>> identifiers_a, identifiers_b;
  std::optional<ClericalDecision> decision;
};
struct ReviewPage {
  std::int64_t total = 0;    // pairs in the band
  std::int64_t decided = 0;  // of them, pairs with a decision (unsure counts: the pair was seen)
  std::vector<ReviewItem> items;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;
  /// The clerical review of the store at `location` (as Store::open takes it), which must
  /// exist; its schema is migrated to the current version first.
  static std::unique_ptr<ReviewStore> open(const std::string& location);
  /// As Store::limit_cache: caps this connection's page cache (SQLite) at `kib` KiB.
  virtual void limit_cache(std::int64_t kib) { (void)kib; }
  /// Appends a decision (decision_id and decided_at are the store's; the pair is put in the
  /// stored order). Throws UsageError naming the side (`a: ...`, `b: ...`) when a record is
  /// not stored or not of the decision's role, or when both name one record; with
  /// `band_run`, also when the pair is not in that link run's review band for the role
  /// (`pair: ...`). Nothing is written then. Returns its id.
  virtual std::int64_t add_decision(const ClericalDecision& decision,
                                    std::optional<std::int64_t> band_run = std::nullopt) = 0;
  /// The decisions of `role` (every role when nullopt): with `history`, every one by
  /// decision_id; otherwise the latest of each pair, by pair (bytewise).
  virtual std::vector<ClericalDecision> decisions(std::optional<Role> role, bool history) = 0;
  /// One page of a link run's review band for `role`, ordered as Store::review_pairs orders
  /// it, each pair with both records' identifiers and its latest decision; with the band's
  /// size and how many of its pairs have a decision.
  virtual ReviewPage page(std::int64_t run_id, Role role, std::size_t offset, std::size_t limit) = 0;
};

}  // namespace joindots
