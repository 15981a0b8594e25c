#pragma once
// A small dense simplex method for the linear programs of the MLE existence check.
//
//   maximise c'x  subject to  A x <= b,  x >= 0,  with b >= 0,
//
// so the slack basis (x = 0) is feasible and no first phase is needed. Bland's rule picks
// the entering and leaving variables, which cannot cycle on the degenerate programs the
// existence check produces (most right-hand sides are 0). Sizes here are tens of rows.
#include <Eigen/Dense>

namespace joindots::estimate {

enum class LpStatus { Optimal, Unbounded, IterationLimit };

struct LpResult {
  LpStatus status = LpStatus::Optimal;
  double value = 0;   // c'x at the optimum
  Eigen::VectorXd x;  // an optimal x
};

/// Solves the program above. Throws std::invalid_argument if sizes disagree or some b < 0.
LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          double tolerance = 1e-9);

}  // namespace joindots::estimate
