#include "estimate/simplex.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

namespace joindots::estimate {

LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          double tol) {
  const Eigen::Index m = a.rows(), n = a.cols();
  if (b.size() != m || c.size() != n) throw std::invalid_argument("maximize_simplex: a, b, c: sizes disagree");
  if (m > 0 && b.minCoeff() < 0) throw std::invalid_argument("maximize_simplex: b: must be >= 0");
  // Tableau: rows 0..m-1 constraints [A | I | b]; row m the objective [-c | 0 | 0].
  const Eigen::Index cols = n + m + 1;
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(m + 1, cols);
  t.topLeftCorner(m, n) = a;
  for (Eigen::Index i = 0; i < m; ++i) t(i, n + i) = 1.0;
  t.col(cols - 1).head(m) = b;
  t.row(m).head(n) = -c.transpose();
  std::vector<Eigen::Index> basis(static_cast<std::size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) basis[static_cast<std::size_t>(i)] = n + i;

  LpResult result;
  const int max_iter = 50 * static_cast<int>(m + n) + 100;
  for (int iter = 0;; ++iter) {
    if (iter >= max_iter) {
      result.status = LpStatus::IterationLimit;
      break;
    }
    // Bland: the lowest-index column with a negative reduced cost enters.
    Eigen::Index enter = -1;
    for (Eigen::Index j = 0; j < n + m; ++j)
      if (t(m, j) < -tol) {
        enter = j;
        break;
      }
    if (enter < 0) break;  // optimal
    // Ratio test; ties broken by the lowest basis index (Bland).
    Eigen::Index leave = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < m; ++i) {
      const double aij = t(i, enter);
      if (aij <= tol) continue;
      const double ratio = t(i, cols - 1) / aij;
      const bool better = leave < 0 || ratio < best - tol;
      const bool tie_lower_index = leave >= 0 && ratio <= best + tol &&
                                   basis[static_cast<std::size_t>(i)] < basis[static_cast<std::size_t>(leave)];
      if (better || tie_lower_index) {
        best = better ? ratio : std::min(best, ratio);
        leave = i;
      }
    }
    if (leave < 0) {
      result.status = LpStatus::Unbounded;
      break;
    }
    const double pivot = t(leave, enter);
    t.row(leave) /= pivot;
    for (Eigen::Index i = 0; i <= m; ++i)
      if (i != leave && t(i, enter) != 0.0) t.row(i) -= t(i, enter) * t.row(leave);
    basis[static_cast<std::size_t>(leave)] = enter;
  }
  result.x = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i < m; ++i)
    if (basis[static_cast<std::size_t>(i)] < n) result.x(basis[static_cast<std::size_t>(i)]) = t(i, cols - 1);
  result.value = c.dot(result.x);
  return result;
}

}  // namespace joindots::estimate
