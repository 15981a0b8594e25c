#pragma once
// Small dense simplex methods.
//
// maximize_simplex, for the linear programs of the MLE existence check:
//
//   maximise c'x  subject to  A x <= b,  x >= 0,  with b >= 0,
//
// so the slack basis (x = 0) is feasible and no first phase is needed. The steepest
// improving variable enters (Dantzig's rule); after a run of degenerate pivots (most
// right-hand sides in the existence check are 0) Bland's rule takes over, which cannot
// cycle. The tableau is row-major (a pivot updates contiguous rows): a sparse 8-list table
// has about 240 zero cells, one row each.
//
// BoundedSimplex, for the disclosure audit (src/disclose/lp_audit), whose programs have
// equality constraints and bounds on every variable:
//
//   optimise c'x  subject to  A x = b,  lo <= x <= hi  (lo finite, hi may be +inf),
//
// by the bounded-variable primal simplex (bounds kept out of the tableau: a variable leaves
// at either bound, or flips between its bounds without a pivot). A first phase with one
// artificial variable per row finds a feasible basis once; each objective then starts from
// it. Bland's rule again; the tableau has one row per equality, so hundreds of variables
// with tens of relations stay cheap.
#include <Eigen/Dense>
#include <vector>

namespace joindots {

enum class LpStatus { Optimal, Unbounded, IterationLimit, Infeasible };

struct LpResult {
  LpStatus status = LpStatus::Optimal;
  double value = 0;   // c'x at the optimum
  Eigen::VectorXd x;  // an optimal x
};

/// Solves the program above. Throws std::invalid_argument if sizes disagree or some b < 0.
LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          double tolerance = 1e-9);
/// The same with upper bounds x <= upper (entries may be +inf), kept out of the tableau: a
/// nonbasic variable sits at either bound (the facial-set program bounds one variable per
/// zero cell; as rows those bounds doubled the tableau).
LpResult maximize_simplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                          const Eigen::VectorXd& upper, double tolerance = 1e-9);

class BoundedSimplex {
 public:
  /// Runs the first phase. Throws std::invalid_argument if sizes disagree, some lo is not
  /// finite or some lo > hi.
  BoundedSimplex(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& lo,
                 const Eigen::VectorXd& hi, double tolerance = 1e-9);
  /// Whether some x satisfies the constraints.
  bool feasible() const { return feasible_; }
  /// max c'x (status Infeasible when there is no feasible x).
  LpResult maximize(const Eigen::VectorXd& c) const;
  /// min c'x, reported as its value (not negated).
  LpResult minimize(const Eigen::VectorXd& c) const;

 private:
  struct State {
    Eigen::MatrixXd t;               // B^-1 [A | S], then B^-1 b in the last column
    std::vector<Eigen::Index> basis; // per row, the basic variable
    std::vector<bool> at_upper;      // per variable, nonbasic at its upper bound
    Eigen::VectorXd x;               // values of all variables (artificials last)
  };
  /// Maximises cost'x from `state` (cost over every variable, artificials included).
  LpStatus iterate(State& state, const Eigen::VectorXd& cost) const;
  Eigen::Index n_ = 0, m_ = 0;
  Eigen::VectorXd lo_, hi_;  // over every variable; artificials' hi is 0 after phase one
  double tol_;
  bool feasible_ = false;
  State start_;
};

}  // namespace joindots
