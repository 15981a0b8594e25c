#pragma once
// The exact disclosure audit: for a published release (cells and the additive relations
// between them), the feasible range of every suppressed cell found by linear programming.
//
// The attacker knows every relation `total = sum(parts)` and what each cell's publication
// says about it:
//   - a published zero is exactly 0; a published count v lies in [max(threshold, v - base/2),
//     v + base/2] (rounding to the nearest `base`, and counts below `threshold` are never
//     published);
//   - a cell marked "primary" lies in [1, threshold - 1] (the label says it is small);
//   - a cell marked "secondary" was publishable, so is at least `threshold` (secondary
//     suppression never hides a zero unless nothing else is left; if the release is then
//     infeasible, the audit retries with >= 0).
// For each suppressed cell it minimises and maximises the cell over that polytope (the LP
// relaxation; the integer range is its rounding inward). Unlike interval propagation
// (disclosure.hpp), this finds leaks that need several relations combined at once.
//
// Protection required:
//   - a primary cell, whose label already confines it to the band [1, threshold - 1], must
//     keep a range at least `primary_min_width` wide (with the defaults: at least 5 of the 9
//     values 1-9), so that no small count is pinned down;
//   - a secondary cell is a count that could have been published, rounded: it must not be
//     known more precisely than rounding would have told, i.e. its range must be at least
//     base - 1 wide (what it reveals about the small cells it hides shows in their ranges,
//     since the LP uses every relation at once).
// Secondary suppression itself (protect()) keeps using the propagation audit's wider
// `min_width` for the cells it hides; this audit checks the result.
#include <vector>

#include "disclose/disclosure.hpp"

namespace joindots::disclose {

struct LpAuditResult {
  /// Per cell: the attacker's feasible range (integers). Published cells: their rounding
  /// interval tightened by the relations.
  std::vector<Interval> ranges;
  /// Per cell: the width its range must have (0 for published cells).
  std::vector<double> required;
  std::vector<std::size_t> leaks;  // suppressed cells whose range is narrower than required
  bool feasible = true;            // false: the published values contradict the relations
  bool safe() const { return feasible && leaks.empty(); }
};

/// The exact audit of a published release. Throws std::invalid_argument when a relation's
/// index is out of range, std::runtime_error when the LP solver does not finish.
LpAuditResult lp_audit(const std::vector<PublishedCell>& published, const std::vector<Relation>& relations,
                       const Rules& rules = {});

}  // namespace joindots::disclose
