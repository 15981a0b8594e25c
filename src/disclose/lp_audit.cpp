#include "disclose/lp_audit.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "core/simplex.hpp"

namespace joindots::disclose {

namespace {

struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

Interval prior_bounds(const PublishedCell& c, const Rules& rules, bool secondary_may_be_zero) {
  const double inf = std::numeric_limits<double>::infinity();
  const auto threshold = static_cast<double>(rules.threshold);
  switch (c.status) {
    case CellStatus::Primary:
      return {1, threshold - 1};
    case CellStatus::Secondary:
      return {secondary_may_be_zero ? 0.0 : threshold, inf};
    case CellStatus::Published:
      break;
  }
  if (c.value == 0) return {0, 0};
  const auto half = static_cast<double>(rules.base / 2);
  return {std::max(threshold, static_cast<double>(c.value) - half), static_cast<double>(c.value) + half};
}

/// The ranges of the cells of one connected set of relations; false when infeasible.
bool solve_component(const std::vector<std::size_t>& cells, const std::vector<const Relation*>& relations,
                     const std::vector<PublishedCell>& published, const Rules& rules, bool secondary_may_be_zero,
                     std::vector<Interval>& ranges) {
  std::map<std::size_t, Eigen::Index> column;
  for (std::size_t k = 0; k < cells.size(); ++k) column[cells[k]] = static_cast<Eigen::Index>(k);
  const auto n = static_cast<Eigen::Index>(cells.size());
  const auto m = static_cast<Eigen::Index>(relations.size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    const Relation& r = *relations[static_cast<std::size_t>(i)];
    a(i, column.at(r.total)) += 1.0;
    for (auto p : r.parts) a(i, column.at(p)) -= 1.0;
  }
  Eigen::VectorXd lo(n), hi(n);
  for (Eigen::Index k = 0; k < n; ++k) {
    const Interval b = prior_bounds(published[cells[static_cast<std::size_t>(k)]], rules, secondary_may_be_zero);
    lo(k) = b.lo;
    hi(k) = b.hi;
  }
  const BoundedSimplex lp(a, Eigen::VectorXd::Zero(m), lo, hi);
  if (!lp.feasible()) return false;
  for (Eigen::Index k = 0; k < n; ++k) {
    const std::size_t cell = cells[static_cast<std::size_t>(k)];
    Eigen::VectorXd c = Eigen::VectorXd::Zero(n);
    c(k) = 1.0;
    const auto low = lp.minimize(c);
    const auto high = lp.maximize(c);
    for (const auto* r : {&low, &high})
      if (r->status == LpStatus::IterationLimit || r->status == LpStatus::Infeasible)
        throw std::runtime_error(fmt::format("disclosure LP audit: the solver did not finish for cell {}", cell));
    // Integer counts: the LP range rounded inward.
    const double top = high.status == LpStatus::Unbounded ? std::numeric_limits<double>::infinity()
                                                                   : std::floor(high.value + 1e-6);
    ranges[cell] = {std::ceil(low.value - 1e-6), top};
  }
  return true;
}

}  // namespace

LpAuditResult lp_audit(const std::vector<PublishedCell>& published, const std::vector<Relation>& relations,
                       const Rules& rules) {
  const std::size_t n = published.size();
  for (const auto& r : relations) {
    if (r.total >= n) throw std::invalid_argument("disclosure LP audit: relation total out of range");
    for (auto p : r.parts)
      if (p >= n) throw std::invalid_argument("disclosure LP audit: relation part out of range");
  }
  LpAuditResult result;
  result.ranges.resize(n);
  result.required.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    result.ranges[i] = prior_bounds(published[i], rules, false);
    if (published[i].status == CellStatus::Primary) result.required[i] = static_cast<double>(rules.primary_min_width);
    if (published[i].status == CellStatus::Secondary) result.required[i] = static_cast<double>(rules.base - 1);
  }
  // Relations that share a cell are solved together; separate tables apart.
  UnionFind sets(n);
  for (const auto& r : relations)
    for (auto p : r.parts) sets.join(r.total, p);
  std::map<std::size_t, std::vector<std::size_t>> cells_of;
  std::map<std::size_t, std::vector<const Relation*>> relations_of;
  for (std::size_t i = 0; i < n; ++i) cells_of[sets.find(i)].push_back(i);
  for (const auto& r : relations) relations_of[sets.find(r.total)].push_back(&r);
  for (const auto& [root, rels] : relations_of) {
    const auto& cells = cells_of[root];
    if (!solve_component(cells, rels, published, rules, false, result.ranges) &&
        !solve_component(cells, rels, published, rules, true, result.ranges))
      result.feasible = false;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (published[i].suppressed() && result.ranges[i].width() < result.required[i]) result.leaks.push_back(i);
  return result;
}

}  // namespace joindots::disclose
