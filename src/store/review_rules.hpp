#pragma once
// What both stores' clerical review shares (review_store.hpp):
// the identifiers a reviewer is shown, the order a pair is stored in, and the refusals of
// ReviewStore::add_decision, worded once so that the API names the same field on either store.
#include <array>
#include <string>
#include <string_view>

#include "store/review_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots::review_rules {

/// The records' columns shown side by side (identifiers only: never a record's attributes).
inline constexpr std::string_view kIdentifierColumns =
    "given_name, family_name, other_names, dob, sex, postcode, nhs_number, upn, pnc_id";
inline constexpr std::array<std::string_view, 9> kIdentifierNames = {
    "given_name", "family_name", "other_names", "dob", "sex", "postcode", "nhs_number", "upn", "pnc_id"};
/// Whether a stored value is shown: empty (NULL) and an unknown sex are not values.
inline bool shown_identifier(std::string_view value) { return !value.empty() && value != "unknown"; }

/// SQL (both stores) for the latest decision's id on the band pair of link_review `v`, whose
/// records are `ra` and `rb`, in either order; NULL when there is none.
inline constexpr std::string_view kLatestDecisionOfBandPair =
    "(SELECT max(d.decision_id) FROM review_decisions d WHERE d.role = v.role AND ((d.org_a = ra.source_org AND "
    "d.record_id_a = ra.record_id AND d.org_b = rb.source_org AND d.record_id_b = rb.record_id) OR (d.org_a = "
    "rb.source_org AND d.record_id_a = rb.record_id AND d.org_b = ra.source_org AND d.record_id_b = ra.record_id)))";

/// SQL (both stores): a decision's columns, as read_decision reads them, on `review_decisions d`.
inline constexpr std::string_view kDecisionColumns =
    "d.decision_id, d.role, d.org_a, d.record_id_a, d.org_b, d.record_id_b, d.decision, d.account_id, d.actor, "
    "d.decided_at, d.note";
/// A decision from a row of kDecisionColumns, on either store: `text(i)` and `integer_or_null(i)`
/// read column i of the row; `db.fail(message)` throws the store's error for a stored value
/// that is not one.
template <typename Db, typename Text, typename IntegerOrNull>
ClericalDecision decision_from_row(const Db& db, Text text, IntegerOrNull integer_or_null) {
  ClericalDecision d;
  d.decision_id = integer_or_null(0).value_or(0);
  d.role = stored::enum_value<Role>(db, kRoleNames, text(1), "role");
  d.org_a = text(2);
  d.record_id_a = text(3);
  d.org_b = text(4);
  d.record_id_b = text(5);
  const std::string verdict = text(6);
  const auto parsed = clerical_verdict_from_string(verdict);
  if (!parsed) db.fail("stored decision '" + verdict + "' is not a clerical decision");
  d.verdict = *parsed;
  d.account_id = integer_or_null(7);
  d.actor = text(8);
  d.decided_at = text(9);
  d.note = text(10);
  return d;
}

/// SQL (both stores): whether both of decision `d`'s records are stored with role d.role.
inline constexpr std::string_view kBothStored =
    "EXISTS (SELECT 1 FROM records r WHERE r.source_org = d.org_a AND r.record_id = d.record_id_a AND r.role = d.role) "
    "AND EXISTS (SELECT 1 FROM records r WHERE r.source_org = d.org_b AND r.record_id = d.record_id_b AND "
    "r.role = d.role)";

/// SQL (both stores): decision `d` is the latest of its pair (the one that counts).
inline constexpr std::string_view kLatestOfItsPair =
    "d.decision_id = (SELECT max(e.decision_id) FROM review_decisions e WHERE e.role = d.role AND e.org_a = "
    "d.org_a AND e.record_id_a = d.record_id_a AND e.org_b = d.org_b AND e.record_id_b = d.record_id_b)";

/// The decision with its pair in the stored order: (org_a, record_id_a) < (org_b, record_id_b)
/// bytewise, so one pair is one key whichever way round it was named.
ClericalDecision in_stored_order(const ClericalDecision& d);

/// Throws UsageError naming side `side` (0: a, 1: b) when its record is not stored
/// (`stored_role` null) or not of `role`.
void check_side(int side, const std::string& org, const std::string& id, const std::string& role,
                const std::string* stored_role);
[[noreturn]] void same_record(const ClericalDecision& d);
[[noreturn]] void not_in_band(const ClericalDecision& d, std::int64_t run_id);

}  // namespace joindots::review_rules
