#pragma once
// Disclosure control for published outputs (docs/privacy.md), following ONS practice for
// small counts: counts 1 to threshold-1 are suppressed (primary suppression), the rest are
// rounded to the nearest `base`, and further cells are suppressed (secondary suppression)
// until no suppressed cell can be recovered from the published cells and the additive
// relations between them (totals, subtotals, the same total in two tables).
//
// A release is a set of cells and linear relations `total = sum(parts)`. The audit plays the
// attacker: it knows each published value only to within its rounding (v +- floor(base/2),
// and at least `threshold` since smaller counts are never published), knows a suppressed cell
// only to be >= 0, and tightens every cell's interval through the relations until nothing
// changes (interval constraint propagation: sound, so any leak it finds is real). A
// suppressed cell leaks when its interval is narrower than `min_width`.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace joindots::disclose {

struct Rules {
  std::int64_t threshold = 10;  // counts 1..threshold-1 are suppressed
  std::int64_t base = 5;        // published counts are rounded to the nearest multiple
  /// A suppressed cell must stay uncertain over at least this many values (its feasible
  /// interval [lo, hi] must have hi - lo >= min_width).
  std::int64_t min_width = 10;
  /// The exact (LP) audit, which also uses what a cell's label says (a primary cell lies in
  /// 1..threshold-1): a primary cell's range must stay at least this wide, i.e. hold at
  /// least 5 of the band's 9 values (lp_audit.hpp).
  std::int64_t primary_min_width = 4;
};

struct Relation {
  std::size_t total;               // index of the cell that is the sum
  std::vector<std::size_t> parts;  // indices of the cells summed
};

struct Release {
  std::vector<std::int64_t> values;  // true counts, >= 0
  std::vector<Relation> relations;
  /// Adds a cell; returns its index.
  std::size_t add(std::int64_t value) {
    values.push_back(value);
    return values.size() - 1;
  }
};

enum class CellStatus { Published, Primary, Secondary };

struct PublishedCell {
  CellStatus status = CellStatus::Published;
  std::int64_t value = 0;  // rounded value when Published; 0 otherwise
  bool suppressed() const { return status != CellStatus::Published; }
};

struct Interval {
  double lo = 0, hi = std::numeric_limits<double>::infinity();
  double width() const { return hi - lo; }
};

struct AuditResult {
  std::vector<Interval> bounds;       // what an attacker can infer about each cell
  std::vector<std::size_t> leaks;     // suppressed cells narrower than min_width
  bool safe() const { return leaks.empty(); }
};

/// Rounds a count to the nearest multiple of `base` (halves away from zero: 12.5 -> 15).
std::int64_t round_to_base(std::int64_t value, std::int64_t base);

/// Primary suppression, rounding and secondary suppression of a whole release. Secondary
/// cells are chosen greedily: for a leaking cell, the smallest published non-total cell
/// sharing a relation with it, until the audit passes. Throws std::invalid_argument on
/// negative counts or relations with indices out of range.
std::vector<PublishedCell> protect(const Release& release, const Rules& rules = {});

/// The attacker's view of a published release (see the file comment).
AuditResult audit(const std::vector<PublishedCell>& published, const std::vector<Relation>& relations,
                  const Rules& rules = {});

/// Rounds an interval outward for publication: to 2 significant figures of its width's
/// scale (e.g. [8994, 12110] -> [8900, 12200]).
std::pair<double, double> round_interval(double lo, double hi);

}  // namespace joindots::disclose
