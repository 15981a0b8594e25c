#include "core/simplex.hpp"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace joindots {

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One step of maximize_simplex: how far the entering variable moves (theta) and which basic
// row leaves (-1: none, the entering variable reaches its other bound), to 0 or its upper
// bound.
struct Step {
  double theta;
  Eigen::Index leave = -1;
  bool leave_to_upper = false;
};

// Ratio test: the step before a basic variable reaches 0 or its upper bound, or the entering
// one its other bound; ties broken by the lowest variable index (Bland).
Step ratio_test(const RowMajor& t, const std::vector<Eigen::Index>& basis, const Eigen::VectorXd& value,
                const Eigen::VectorXd& hi, Eigen::Index enter, double dir, double tol) {
  Step step{hi(enter)};
  for (Eigen::Index i = 0; i < t.rows(); ++i) {
    const double rate = -dir * t(i, enter);  // change of basic i per unit step
    const Eigen::Index k = basis[static_cast<std::size_t>(i)];
    double limit;
    bool to_upper;
    if (rate < -tol) {
      limit = value(k) / -rate;
      to_upper = false;
    } else if (rate > tol && std::isfinite(hi(k))) {
      limit = (hi(k) - value(k)) / rate;
      to_upper = true;
    } else {
      continue;
    }
    limit = std::max(limit, 0.0);
    if (limit < step.theta - tol ||
        (step.leave >= 0 && limit <= step.theta + tol && k < basis[static_cast<std::size_t>(step.leave)])) {
      step.theta = std::min(step.theta, limit);
      step.leave = i;
      step.leave_to_upper = to_upper;
    }
  }
  return step;
}

}  // namespace

LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          double tol) {
  return maximize_simplex(a, b, c, Eigen::VectorXd::Constant(c.size(), std::numeric_limits<double>::infinity()), tol);
}

LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          const Eigen::VectorXd& upper, double tol) {
  const Eigen::Index m = a.rows(), n = a.cols();
  if (b.size() != m || c.size() != n || upper.size() != n)
    throw std::invalid_argument("maximize_simplex: a, b, c, upper: sizes disagree");
  if (m > 0 && b.minCoeff() < 0) throw std::invalid_argument("maximize_simplex: b: must be >= 0");
  if (n > 0 && !(upper.minCoeff() >= 0)) throw std::invalid_argument("maximize_simplex: upper: must be >= 0");
  // Tableau B^-1 [A | I], row-major: a pivot updates whole rows, which are then contiguous.
  // Variables 0..n-1 structural, n..n+m-1 slacks (no upper bound); a nonbasic variable
  // sits at 0 or at its upper bound, `value` holds every variable's current value.
  const Eigen::Index total = n + m;
  RowMajor t = RowMajor::Zero(m, total);
  t.leftCols(n) = a;
  for (Eigen::Index i = 0; i < m; ++i) t(i, n + i) = 1.0;
  Eigen::VectorXd hi = Eigen::VectorXd::Constant(total, std::numeric_limits<double>::infinity());
  hi.head(n) = upper;
  Eigen::RowVectorXd reduced = Eigen::RowVectorXd::Zero(total);  // c_j - c_B' B^-1 A_j
  reduced.head(n) = c.transpose();
  Eigen::VectorXd value = Eigen::VectorXd::Zero(total);
  value.tail(m) = b;
  std::vector<Eigen::Index> basis(static_cast<std::size_t>(m));
  std::vector<std::uint8_t> is_basic(static_cast<std::size_t>(total), 0), at_upper(static_cast<std::size_t>(total), 0);
  for (Eigen::Index i = 0; i < m; ++i) {
    basis[static_cast<std::size_t>(i)] = n + i;
    is_basic[static_cast<std::size_t>(n + i)] = 1;
  }

  LpResult result;
  const int max_iter = 50 * static_cast<int>(total) + 100;
  bool bland = false;
  int degenerate_run = 0;
  for (int iter = 0;; ++iter) {
    if (iter >= max_iter) {
      result.status = LpStatus::IterationLimit;
      break;
    }
    // The nonbasic variable with the steepest improvement enters (Dantzig), rising from 0 or
    // falling from its upper bound; after a run of degenerate steps (most right-hand sides
    // here are 0) Bland's rule, the lowest index that improves, which cannot cycle.
    Eigen::Index enter = -1;
    double dir = 0, steepest = tol;
    for (Eigen::Index j = 0; j < total; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      if (is_basic[uj] || hi(j) <= tol) continue;
      const double gain = at_upper[uj] ? -reduced(j) : reduced(j);
      if (gain > steepest) {
        enter = j, dir = at_upper[uj] ? -1 : 1, steepest = gain;
        if (bland) break;
      }
    }
    if (enter < 0) break;  // optimal
    const Step step = ratio_test(t, basis, value, hi, enter, dir, tol);
    const double theta = step.theta;
    const Eigen::Index leave = step.leave;
    const bool leave_to_upper = step.leave_to_upper;
    if (leave < 0 && !std::isfinite(theta)) {
      result.status = LpStatus::Unbounded;
      break;
    }
    degenerate_run = theta > tol ? 0 : degenerate_run + 1;
    if (degenerate_run > 50) bland = true;
    for (Eigen::Index i = 0; i < m; ++i) value(basis[static_cast<std::size_t>(i)]) -= dir * theta * t(i, enter);
    value(enter) += dir * theta;
    if (leave < 0) {  // the entering variable reaches its other bound: no pivot
      at_upper[static_cast<std::size_t>(enter)] = dir > 0;
      value(enter) = dir > 0 ? hi(enter) : 0.0;
      continue;
    }
    const Eigen::Index out = basis[static_cast<std::size_t>(leave)];
    value(out) = leave_to_upper ? hi(out) : 0.0;
    at_upper[static_cast<std::size_t>(out)] = leave_to_upper;
    at_upper[static_cast<std::size_t>(enter)] = 0;
    is_basic[static_cast<std::size_t>(out)] = 0;
    is_basic[static_cast<std::size_t>(enter)] = 1;
    basis[static_cast<std::size_t>(leave)] = enter;
    t.row(leave) /= t(leave, enter);
    for (Eigen::Index i = 0; i < m; ++i)
      if (i != leave && t(i, enter) != 0.0) t.row(i) -= t(i, enter) * t.row(leave);
    if (reduced(enter) != 0.0) reduced -= reduced(enter) * t.row(leave);
  }
  result.x = value.head(n);
  result.value = result.status == LpStatus::Unbounded ? std::numeric_limits<double>::infinity() : c.dot(result.x);
  return result;
}

BoundedSimplex::BoundedSimplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& lo,
                               const Eigen::VectorXd& hi, double tolerance)
    : n_(a.cols()), m_(a.rows()), tol_(tolerance) {
  if (b.size() != m_ || lo.size() != n_ || hi.size() != n_)
    throw std::invalid_argument("BoundedSimplex: a, b, lo, hi: sizes disagree");
  for (Eigen::Index j = 0; j < n_; ++j)
    if (!std::isfinite(lo(j)) || lo(j) > hi(j))
      throw std::invalid_argument("BoundedSimplex: lo must be finite and <= hi");
  const Eigen::Index total = n_ + m_;
  lo_ = Eigen::VectorXd::Zero(total);
  hi_ = Eigen::VectorXd::Constant(total, std::numeric_limits<double>::infinity());
  lo_.head(n_) = lo;
  hi_.head(n_) = hi;
  // Every structural variable at its lower bound; artificial i takes up the residual of row
  // i with the sign that makes it >= 0, and the artificials form the first basis.
  State& s = start_;
  s.x = Eigen::VectorXd::Zero(total);
  s.x.head(n_) = lo;
  s.at_upper.assign(static_cast<std::size_t>(total), false);
  s.basis.resize(static_cast<std::size_t>(m_));
  s.t = Eigen::MatrixXd::Zero(m_, total + 1);
  const Eigen::VectorXd residual = b - a * lo;
  for (Eigen::Index i = 0; i < m_; ++i) {
    const double sign = residual(i) >= 0 ? 1.0 : -1.0;
    s.t.row(i).head(n_) = sign * a.row(i);
    s.t(i, n_ + i) = 1.0;
    s.t(i, total) = sign * b(i);
    s.x(n_ + i) = std::abs(residual(i));
    s.basis[static_cast<std::size_t>(i)] = n_ + i;
  }
  Eigen::VectorXd phase_one = Eigen::VectorXd::Zero(total);
  phase_one.tail(m_).setConstant(-1.0);
  const LpStatus status = iterate(s, phase_one);
  const double infeasibility = s.x.tail(m_).sum();
  const double scale = 1.0 + b.cwiseAbs().sum();
  feasible_ = status == LpStatus::Optimal && infeasibility <= 1e-7 * scale;
  // Artificials may not come back: fixed at zero from now on (one left basic at zero stays
  // degenerate, which the ratio test handles).
  hi_.tail(m_).setZero();
  for (Eigen::Index i = 0; i < m_; ++i)
    if (!s.at_upper[static_cast<std::size_t>(n_ + i)]) s.x(n_ + i) = std::max(0.0, s.x(n_ + i));
}

LpStatus BoundedSimplex::iterate(State& s, const Eigen::VectorXd& cost) const {
  const Eigen::Index total = n_ + m_;
  std::vector<bool> is_basic(static_cast<std::size_t>(total), false);
  for (auto k : s.basis) is_basic[static_cast<std::size_t>(k)] = true;
  const int max_iter = 100 * static_cast<int>(total) + 1000;
  Eigen::VectorXd cb(m_);
  for (int iter = 0; iter < max_iter; ++iter) {
    for (Eigen::Index i = 0; i < m_; ++i) cb(i) = cost(s.basis[static_cast<std::size_t>(i)]);
    // Reduced costs of the nonbasic variables; Bland: the lowest index that improves.
    const Eigen::RowVectorXd reduced = cost.transpose() - cb.transpose() * s.t.leftCols(total);
    Eigen::Index enter = -1;
    double dir = 0;
    for (Eigen::Index j = 0; j < total; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      if (is_basic[uj] || hi_(j) - lo_(j) <= tol_) continue;
      if (!s.at_upper[uj] && reduced(j) > tol_) {
        enter = j, dir = 1;
        break;
      }
      if (s.at_upper[uj] && reduced(j) < -tol_) {
        enter = j, dir = -1;
        break;
      }
    }
    if (enter < 0) return LpStatus::Optimal;
    // Ratio test: how far the entering variable can move before it reaches its other bound
    // or a basic variable reaches one of its bounds (ties: the lowest variable index).
    double theta = hi_(enter) - lo_(enter);
    Eigen::Index leave = -1;
    bool leave_to_upper = false;
    for (Eigen::Index i = 0; i < m_; ++i) {
      const double rate = -dir * s.t(i, enter);  // change of basic i per unit step
      const Eigen::Index k = s.basis[static_cast<std::size_t>(i)];
      double limit;
      bool to_upper;
      if (rate < -tol_) {
        limit = (s.x(k) - lo_(k)) / -rate;
        to_upper = false;
      } else if (rate > tol_ && std::isfinite(hi_(k))) {
        limit = (hi_(k) - s.x(k)) / rate;
        to_upper = true;
      } else {
        continue;
      }
      limit = std::max(limit, 0.0);
      if (limit < theta - tol_ ||
          (limit <= theta + tol_ && leave >= 0 && k < s.basis[static_cast<std::size_t>(leave)])) {
        theta = std::min(theta, limit);
        leave = i;
        leave_to_upper = to_upper;
      }
    }
    if (leave < 0 && !std::isfinite(theta)) return LpStatus::Unbounded;
    for (Eigen::Index i = 0; i < m_; ++i) s.x(s.basis[static_cast<std::size_t>(i)]) -= dir * theta * s.t(i, enter);
    s.x(enter) += dir * theta;
    if (leave < 0) {
      // The entering variable reaches its other bound: no pivot.
      s.at_upper[static_cast<std::size_t>(enter)] = dir > 0;
      s.x(enter) = dir > 0 ? hi_(enter) : lo_(enter);
      continue;
    }
    const Eigen::Index out = s.basis[static_cast<std::size_t>(leave)];
    s.x(out) = leave_to_upper ? hi_(out) : lo_(out);
    s.at_upper[static_cast<std::size_t>(out)] = leave_to_upper;
    s.at_upper[static_cast<std::size_t>(enter)] = false;
    is_basic[static_cast<std::size_t>(out)] = false;
    is_basic[static_cast<std::size_t>(enter)] = true;
    s.basis[static_cast<std::size_t>(leave)] = enter;
    s.t.row(leave) /= s.t(leave, enter);
    for (Eigen::Index i = 0; i < m_; ++i)
      if (i != leave && s.t(i, enter) != 0.0) s.t.row(i) -= s.t(i, enter) * s.t.row(leave);
  }
  return LpStatus::IterationLimit;
}

LpResult BoundedSimplex::maximize(const Eigen::VectorXd& c) const {
  if (c.size() != n_) throw std::invalid_argument("BoundedSimplex::maximize: c: size disagrees");
  LpResult result;
  if (!feasible_) {
    result.status = LpStatus::Infeasible;
    return result;
  }
  State s = start_;
  Eigen::VectorXd cost = Eigen::VectorXd::Zero(n_ + m_);
  cost.head(n_) = c;
  result.status = iterate(s, cost);
  result.x = s.x.head(n_);
  result.value = result.status == LpStatus::Unbounded ? std::numeric_limits<double>::infinity() : c.dot(result.x);
  return result;
}

LpResult BoundedSimplex::minimize(const Eigen::VectorXd& c) const {
  LpResult r = maximize(-c);
  r.value = -r.value;
  return r;
}

}  // namespace joindots
