#pragma once
// The audit trail's hash chain (issue 17, item 4; docs/hub.md). Every request that reads
// restricted data or changes state, and every command that changes accounts, appends a row:
// who (actor), what (action), when (at), the outcome; the row's hash is SHA-256 over its
// canonical form, which includes the hash of the row before it (64 zeros before the first).
// Editing a row breaks its own hash; deleting one leaves a gap in seq and breaks the next
// row's link; swapping two breaks both. The chain is not keyed: whoever can write the store
// can rewrite every hash after a change. `audit verify` prints the head (the last row's seq
// and hash): kept outside the hub and given back with --anchor, it catches that rewrite, and
// rows cut from the end, too.
#include <cstdint>
#include <optional>
#include <string>

#include "store/audit_trail.hpp"

namespace joindots {

/// The prev_hash of the first row.
inline const std::string kAuditGenesis(64, '0');

/// SHA-256 (hex) of the row's canonical form: a version tag, then seq, at, actor, action,
/// outcome and prev_hash, each as its length in bytes, ':', its bytes and '\n' (so no two
/// different rows share a form, whatever bytes they hold).
std::string audit_row_hash(const AuditRow& row);

/// The row that follows `last` (nullopt: the first) for `entry`, at the current time.
AuditRow next_audit_row(const std::optional<AuditRow>& last, const AuditEntry& entry);

struct AuditVerdict {
  std::int64_t rows = 0;           // rows read (all of them when intact)
  bool intact = true;
  std::int64_t first_bad_seq = 0;  // the first row found edited, deleted or out of place
  std::string problem;             // what is wrong there, in plain words
  AuditRow head;                   // the last row (seq 0 when the trail is empty)
};

/// An anchor kept from an earlier verification: the row `seq` had hash `hash`.
struct AuditAnchor {
  std::int64_t seq = 0;
  std::string hash;
};

/// Walks the trail in seq order and checks each row's hash, its link to the row before and
/// that seq counts 1, 2, 3, ...; with an anchor, also that the anchored row is still there
/// with that hash.
AuditVerdict verify_audit_chain(AuditTrail& trail, const std::optional<AuditAnchor>& anchor = std::nullopt);

}  // namespace joindots
