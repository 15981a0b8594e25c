#include "estimate/existence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/simplex.hpp"

namespace joindots::estimate {

const char* to_string(MleStatus s) {
  switch (s) {
    case MleStatus::Exists: return "exists";
    case MleStatus::DoesNotExist: return "MLE does not exist";
    case MleStatus::NotIdentifiable: return "not identifiable";
  }
  return "?";
}

Eigen::MatrixXd design_matrix(const LogLinearModel& model, const std::vector<std::uint32_t>& cells) {
  return design_matrix(model.terms(), model.heterogeneity(), cells);
}

Eigen::MatrixXd design_matrix(const std::vector<std::uint32_t>& terms, Heterogeneity h,
                              const std::vector<std::uint32_t>& cells) {
  const auto columns = terms.size() + (h != Heterogeneity::None);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(cells.size()), static_cast<Eigen::Index>(columns));
  for (std::size_t i = 0; i < cells.size(); ++i) {
    for (std::size_t j = 0; j < terms.size(); ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = (cells[i] & terms[j]) == terms[j] ? 1.0 : 0.0;
    if (h != Heterogeneity::None)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(terms.size())) =
          heterogeneity_value(h, std::popcount(cells[i]));
  }
  return x;
}

namespace {

constexpr double kTol = 1e-9;

int rank_of(const Eigen::MatrixXd& m) {
  if (m.rows() == 0 || m.cols() == 0) return 0;
  Eigen::FullPivLU<Eigen::MatrixXd> lu(m);
  lu.setThreshold(1e-10);
  return static_cast<int>(lu.rank());
}

// max s'u over {u : A u <= 0, s'u <= 1}, with u free (split as u+ - u-).
double max_over_cone(const Eigen::MatrixXd& a, const Eigen::VectorXd& s) {
  const Eigen::Index m = a.rows(), r = a.cols();
  Eigen::MatrixXd lp(m + 1, 2 * r);
  lp.topLeftCorner(m, r) = a;
  lp.topRightCorner(m, r) = -a;
  lp.bottomLeftCorner(1, r) = s.transpose();
  lp.bottomRightCorner(1, r) = -s.transpose();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(m + 1);
  b(m) = 1.0;
  Eigen::VectorXd c(2 * r);
  c.head(r) = s;
  c.tail(r) = -s;
  const LpResult res = maximize_simplex(lp, b, c);
  return res.status == LpStatus::Unbounded ? 1.0 : res.value;
}

// The rows of A up to positive scaling: two rows that are positive multiples of each other
// are negative for the same directions u, and a row of zeros never is, so the programs need
// each direction once. Sparse tables have a null space of few dimensions and hundreds of
// zero cells, most of them repeating a handful of directions. `group[i]` is row i's row in
// `rows`, or -1 when row i vanishes.
struct DistinctRows {
  Eigen::MatrixXd rows;
  std::vector<Eigen::Index> group;
};

DistinctRows distinct_directions(const Eigen::MatrixXd& a) {
  DistinctRows out;
  out.group.assign(static_cast<std::size_t>(a.rows()), -1);
  const double scale = a.size() > 0 ? std::max(1.0, a.cwiseAbs().maxCoeff()) : 1.0;
  // Each nonzero row scaled to a largest entry of 1 and rounded to 1e-8: rows equal up to
  // positive scaling get the same key (a pair split by the rounding is merely kept twice).
  struct KeyHash {
    std::size_t operator()(const std::vector<std::int64_t>& v) const {
      std::size_t h = 1469598103934665603ull;
      for (auto x : v) h = (h ^ static_cast<std::size_t>(x)) * 1099511628211ull;
      return h;
    }
  };
  std::unordered_map<std::vector<std::int64_t>, Eigen::Index, KeyHash> seen;
  std::vector<Eigen::Index> first;  // a representative row of each group
  std::vector<std::int64_t> key(static_cast<std::size_t>(a.cols()));
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    const double norm = a.row(i).cwiseAbs().maxCoeff();
    if (norm <= kTol * scale) continue;
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      key[static_cast<std::size_t>(j)] = static_cast<std::int64_t>(std::nearbyint(a(i, j) / norm * 1e8));
    const auto [it, added] = seen.emplace(key, static_cast<Eigen::Index>(first.size()));
    if (added) first.push_back(i);
    out.group[static_cast<std::size_t>(i)] = it->second;
  }
  out.rows.resize(static_cast<Eigen::Index>(first.size()), a.cols());
  for (std::size_t g = 0; g < first.size(); ++g) out.rows.row(static_cast<Eigen::Index>(g)) = a.row(first[g]);
  return out;
}

std::string not_identifiable_reason(const std::vector<std::uint32_t>& boundary_cells, int k) {
  std::string cells;
  for (auto c : boundary_cells) cells += (cells.empty() ? "" : ", ") + pattern_string(c, k);
  return fmt::format(
      "not identifiable: with the zero cells {} fitted at 0, the fit to the other cells does not determine the "
      "unobserved count (it can move either way at no cost)",
      cells.empty() ? "(none)" : cells);
}

}  // namespace

bool heterogeneity_redundant(const LogLinearModel& model) {
  // On all 2^K cells the term columns x_t(c) = [t ⊆ c] are a basis (the Moebius basis), so
  // h = sum_t a_t x_t with a the Moebius inverse of h. Without cell 0 they have one relation,
  // sum_t (-1)^|t| x_t = [c = 0] = 0, so on the observed cells h lies in the span of the
  // model's terms iff some lambda gives a_t = lambda (-1)^|t| for every term t not in the
  // model: iff a_t (-1)^|t| is one constant over the terms left out. O(K 2^K).
  const int k = model.k();
  std::vector<double> a = model.heterogeneity_column();
  const std::uint32_t n = static_cast<std::uint32_t>(a.size());
  for (int i = 0; i < k; ++i) {  // inverse zeta transform over subsets
    const std::uint32_t bit = std::uint32_t{1} << i;
    for (std::uint32_t c = 0; c < n; ++c)
      if (c & bit) a[c] -= a[c ^ bit];
  }
  std::vector<std::uint8_t> in_model(n, 0);
  for (auto t : model.terms()) in_model[t] = 1;
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::abs(v));
  bool first = true;
  double lambda = 0;
  for (std::uint32_t t = 0; t < n; ++t) {
    if (in_model[t]) continue;
    const double b = (std::popcount(t) % 2 == 0 ? 1.0 : -1.0) * a[t];
    if (first) {
      lambda = b;
      first = false;
    } else if (std::abs(b - lambda) > 1e-9 * std::max(1.0, scale)) {
      return false;
    }
  }
  return true;
}

namespace {

// The model's terms with a positive margin (kept) and, when reducing, those with a zero
// margin (dropped): every zero cell holding a dropped term is outside F and leaves `zero`.
struct ZeroMarginSplit {
  std::vector<std::uint32_t> terms, dropped;
};
ZeroMarginSplit split_zero_margin_terms(const LogLinearModel& model, const std::vector<std::uint32_t>& pos,
                                        bool reduce_zero_margins, std::vector<std::uint32_t>& zero,
                                        ExistenceCheck& out) {
  ZeroMarginSplit split;
  for (auto t : model.terms()) {
    const bool seen = std::any_of(pos.begin(), pos.end(), [t](std::uint32_t c) { return (c & t) == t; });
    (seen || !reduce_zero_margins ? split.terms : split.dropped).push_back(t);
  }
  if (!split.dropped.empty()) {
    std::vector<std::uint32_t> rest;
    for (auto c : zero) {
      const bool holds =
          std::any_of(split.dropped.begin(), split.dropped.end(), [c](std::uint32_t t) { return (c & t) == t; });
      if (holds)
        out.in_face[c] = 0;
      else
        rest.push_back(c);
    }
    zero = std::move(rest);
  }
  return split;
}

// Facial set: maximise sum t subject to A u + t <= 0, 0 <= t <= 1 (u = u+ - u-; the bounds
// on t kept out of the tableau), A the distinct directions of the zero cells; a zero cell
// whose t reaches 1 is outside F.
void mark_cells_outside_face(const DistinctRows& distinct, const std::vector<std::uint32_t>& zero,
                             ExistenceCheck& out) {
  const Eigen::MatrixXd& a = distinct.rows;
  const Eigen::Index m0 = a.rows(), r = a.cols();
  Eigen::MatrixXd lp(m0, 2 * r + m0);
  lp.leftCols(r) = a;
  lp.middleCols(r, r) = -a;
  lp.rightCols(m0).setIdentity();
  const Eigen::VectorXd b = Eigen::VectorXd::Zero(m0);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(2 * r + m0);
  c.tail(m0).setOnes();
  Eigen::VectorXd upper = Eigen::VectorXd::Constant(2 * r + m0, std::numeric_limits<double>::infinity());
  upper.tail(m0).setOnes();
  const LpResult res = maximize_simplex(lp, b, c, upper);
  for (std::size_t i = 0; i < zero.size(); ++i) {
    const Eigen::Index g = distinct.group[i];
    if (g >= 0 && res.x(2 * r + g) > 0.5) out.in_face[zero[i]] = 0;
  }
}

// e_0 is not in the row space of X_F: the unobserved count can move in both directions
// (not identifiable) or in one only, without bound (the MLE does not exist). Sets the
// verdict and its reason.
void say_why_no_estimate(const Eigen::MatrixXd& a, const Eigen::VectorXd& s0, int k, ExistenceCheck& out) {
  const double up = max_over_cone(a, s0);
  const double down = max_over_cone(a, -s0);
  std::string cells;
  for (auto c : out.boundary_cells) cells += (cells.empty() ? "" : ", ") + pattern_string(c, k);
  if (up > kTol && down > kTol) {
    out.status = MleStatus::NotIdentifiable;
    out.reason = not_identifiable_reason(out.boundary_cells, k);
  } else {
    out.status = MleStatus::DoesNotExist;
    out.reason = fmt::format(
        "MLE does not exist: the likelihood keeps increasing as the estimated unobserved count goes to {} (zero cells "
        "{} pushed to 0)",
        up > kTol ? "infinity" : "zero", cells.empty() ? "(none)" : cells);
  }
}

}  // namespace

ExistenceCheck check_existence(const CaptureTable& table, const LogLinearModel& model, bool reduce_zero_margins) {
  const std::uint32_t ncells = table.cells();
  ExistenceCheck out;
  out.in_face.assign(ncells, 0);
  std::vector<std::uint32_t> pos, zero;
  for (std::uint32_t c = 1; c < ncells; ++c) {
    out.in_face[c] = 1;
    (table.counts[c] > 0 ? pos : zero).push_back(c);
  }
  // A heterogeneity column that the terms already span on the observed cells adds nothing
  // (Darroch's s^2/2 with every two-way interaction): the model is its own version without
  // it, so it is not a model of its own.
  if (model.heterogeneity() != Heterogeneity::None && heterogeneity_redundant(model)) {
    out.status = MleStatus::NotIdentifiable;
    out.reason = fmt::format(
        "the heterogeneity term {} is a combination of the model's terms: the model is {} "
        "without it",
        to_string(model.heterogeneity()), model.with_heterogeneity(Heterogeneity::None).to_string());
    return out;
  }
  // No zero cells and no K-way term: X has full column rank on the observed cells (the
  // Moebius matrix of all 2^K terms on all 2^K cells is invertible, and dropping cell 0
  // only removes the direction of the K-way term; a heterogeneity column passed the check
  // above), so the MLE exists.
  if (zero.empty() && !model.has_term(ncells - 1)) return out;
  // The zero cells outside F, from in_face, in cell order (every return below goes by here).
  const std::vector<std::uint32_t> all_zero = zero;
  auto finish = [&]() {
    for (auto c : all_zero)
      if (!out.in_face[c]) out.boundary_cells.push_back(c);
    return out;
  };
  // Terms with a zero margin (no positive cell holds all their lists; on sparse tables, the
  // pairs of lists that never overlap): every cell holding one is outside F, since the
  // direction -1 on those terms' coefficients is 0 on the positive cells and negative on
  // such cells. The rest is decided by the same question on the other cells and terms: its
  // cone is the projection of the whole one (the dropped coefficients can always be pushed
  // low enough), and d_0 is among the terms kept (the intercept's margin is n). The programs
  // shrink from every zero cell to the few that hold no such pair, and most often the terms
  // kept have full rank on the positive cells and no program runs at all.
  const ZeroMarginSplit split = split_zero_margin_terms(model, pos, reduce_zero_margins, zero, out);
  const std::vector<std::uint32_t>& terms = split.terms;
  const std::vector<std::uint32_t>& dropped = split.dropped;
  auto design = [&](const std::vector<std::uint32_t>& cells) {
    return design_matrix(terms, model.heterogeneity(), cells);
  };
  const Eigen::MatrixXd xpos = design(pos);
  const Eigen::Index p = xpos.cols();

  // The null space of X_{S+}: if trivial, D = {0} and the MLE exists.
  Eigen::FullPivLU<Eigen::MatrixXd> lu(xpos);
  lu.setThreshold(1e-10);
  if (lu.rank() == p) return finish();
  const Eigen::MatrixXd z = lu.kernel();  // p x r
  const Eigen::VectorXd s0 = z.row(0).transpose();  // d_0 = s0'u

  if (zero.empty()) {
    // X itself is rank-deficient on the observed cells (e.g. a K-way term).
    if (s0.cwiseAbs().maxCoeff() > kTol) {
      out.status = MleStatus::NotIdentifiable;
      out.reason =
          "the design is rank-deficient on the observed cells and confounds the intercept (the unobserved count)";
    }
    if (dropped.empty() || out.status == MleStatus::Exists) return finish();
    // Every zero cell held a zero-margin term: the whole problem's programs reach the same
    // verdict with those cells at 0, and say it in those words.
    finish();
    out.reason = not_identifiable_reason(out.boundary_cells, table.k());
    return out;
  }

  const Eigen::MatrixXd a_all = design(zero) * z;  // one row per zero cell
  const DistinctRows distinct = distinct_directions(a_all);
  const Eigen::MatrixXd& a = distinct.rows;
  const Eigen::Index m0 = a.rows();
  if (m0 > 0) mark_cells_outside_face(distinct, zero, out);
  // Is e_0 in the row space of X_F?
  std::vector<std::uint32_t> face;
  for (std::uint32_t c = 1; c < ncells; ++c)
    if (out.in_face[c]) face.push_back(c);
  const Eigen::MatrixXd xf = design(face);
  const int rank_all = rank_of(xf);
  const int rank_without_intercept = rank_of(xf.rightCols(p - 1));
  if (rank_all == rank_without_intercept + 1) return finish();  // the estimate exists and is unique
  finish();

  say_why_no_estimate(a, s0, table.k(), out);
  return out;
}

std::shared_ptr<const ExistenceCheck> ExistenceCache::check(const CaptureTable& table, const LogLinearModel& model) {
  std::string key = model.to_string();
  key.push_back('|');
  for (std::uint32_t c = 1; c < table.cells(); c += 8) {
    char bits = 0;
    for (std::uint32_t j = 0; j < 8 && c + j < table.cells(); ++j)
      if (table.counts[c + j] > 0) bits = static_cast<char>(bits | (1 << j));
    key.push_back(bits);
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = verdicts_.find(key); it != verdicts_.end()) {
      ++hits_;
      return it->second;
    }
  }
  auto verdict = std::make_shared<const ExistenceCheck>(check_existence(table, model));
  const std::lock_guard<std::mutex> lock(mutex_);
  ++misses_;
  if (verdicts_.size() >= capacity_) verdicts_.clear();
  verdicts_.emplace(std::move(key), verdict);
  return verdict;
}

std::size_t ExistenceCache::hits() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

std::size_t ExistenceCache::misses() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return misses_;
}

}  // namespace joindots::estimate
