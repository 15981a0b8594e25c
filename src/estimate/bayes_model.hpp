#pragma once
// The pieces of bayes_loglinear (bayes_loglinear.hpp has the method) that work on one model:
// the maximal model's design over every cell, one model's problem (design, prior, log
// posterior and its derivatives), its posterior mode with the Laplace approximation, and its
// importance draws. Internal to estimate/: the tests reach them through bayes_mode.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "estimate/bayes_loglinear.hpp"
#include "estimate/covariate_table.hpp"

namespace joindots::estimate::bayes {

// The maximal model's design over every cell, sum-to-zero coded.
struct Design {
  std::size_t ncells = 0;
  Eigen::MatrixXd x;      // ncells x p_max
  std::vector<int> term;  // per column: -1 intercept or main effect, else the two-way term
  std::vector<std::string> factors;            // lists, then covariates
  std::vector<std::string> pair_names;         // "S1:S2", ...
  std::vector<std::size_t> observed, missing;  // cells
  std::vector<std::size_t> missing_stratum;
  Eigen::VectorXd y_observed;
  double log_factorials = 0;  // sum log y! over the observed cells
  // Censored cells (conting's `cens`): the true count is between 1 and the count given.
  std::vector<std::size_t> censored, censored_stratum;
  Eigen::VectorXd y_censored;
};

/// The design of `t`'s maximal model; the cells of list `censored_list` alone (-1: none)
/// are censored (conting's `cens`).
Design make_design(const CovariateCaptureTable& t, int censored_list);

// One model: its design on the observed and missing cells, and its prior.
struct ModelProblem {
  Eigen::MatrixXd xo, xm, xc;  // observed, missing and censored cells
  Eigen::MatrixXd prior;       // p x p precision, zero first row and column (flat intercept)
  double prior_log_norm = 0;   // log of the normal prior's normalising constant
  int p = 0;

  /// Model `mask` (bit i: two-way term i) with prior precision X'X / g.
  ModelProblem(const Design& d, std::uint64_t mask, double g);

  // Log posterior density up to the flat intercept's constant (log likelihood of the
  // observed cells with its log y! terms, plus the log prior density).
  double log_post(const Eigen::VectorXd& beta, const Design& d) const;

  // Gradient and Hessian (of minus the log posterior) at beta. The censored cells' curvature
  // is a central difference of their exact first derivative, floored at 0 away from the mode
  // (Newton's step then stays an ascent direction).
  void derivatives(const Eigen::VectorXd& beta, const Design& d, Eigen::VectorXd& g,
                   Eigen::MatrixXd& h, bool floor_curvature) const;
};

struct Mode {
  bool converged = false;
  Eigen::VectorXd beta;
  Eigen::MatrixXd hessian;  // of minus the log posterior
  double log_post = 0;
  double laplace = 0;
};

/// Newton's method from the intercept-only start; `laplace` the Laplace approximation of
/// log p(y | m).
Mode find_mode(const ModelProblem& mp, const Design& d);

// A model's importance draws: log weight and the missing cells' means per draw.
struct ModelDraws {
  std::uint64_t mask = 0;
  int p = 0;
  double laplace = 0;
  double unobserved_mode = 0;
  std::vector<double> log_w;           // S
  std::vector<double> lambda;          // S x missing cells
  std::vector<std::int64_t> censored;  // S x censored cells: their counts drawn given beta
};

/// S = o.draws_per_model importance draws from a multivariate t centred at the mode, from
/// Rng(o.seed, "bayes_loglinear", mask).
ModelDraws draw_model(const Design& d, std::uint64_t mask, const BayesLogLinearOptions& o,
                      const Mode& mode, const ModelProblem& mp);

/// conting style: "S1 + S2 + S3 + eth + S2:S3"; the interactions appended to `interactions`.
std::string formula_of(const Design& d, std::uint64_t mask, std::vector<std::string>* interactions);

}  // namespace joindots::estimate::bayes
