#pragma once
// The exact disclosure audit of a public results bundle, as an attacker holding only the
// bundle would run it: every published cell, the additive relations between the bundle's
// tables (districts -> regions -> nation; source types -> all victim records; strata of
// each dimension -> known victims; capture patterns -> known victims; patterns -> each
// list's total) and the identities across tables that hold by construction (the map's total
// is the persons of its link run, which are also the known victims when the estimate used
// that run, and the persons in that run's published linkage diagnostics; the overlap's total
// is the known victims) and the offender networks' counts (their size bands add up to the
// total), then the LP audit (disclose/lp_audit.hpp) over all of them at once.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "disclose/lp_audit.hpp"

namespace joindots::report {

struct BundleAudit {
  disclose::Rules rules;
  std::vector<std::string> names;  // per cell: where it is in the bundle
  std::vector<disclose::PublishedCell> cells;
  std::vector<disclose::Relation> relations;
  disclose::LpAuditResult result;
  bool safe() const { return result.safe(); }
  /// One line per leak: the cell, its status, its feasible range and the width required.
  std::vector<std::string> problems() const;
};

/// Audits a public bundle. Throws UsageError when it is not a public bundle of this schema.
BundleAudit audit_public_bundle(const nlohmann::json& bundle);

}  // namespace joindots::report
