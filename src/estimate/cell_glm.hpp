#pragma once
// The fitting engine: a Poisson log-linear GLM on the cells of a 2^K table, by Newton's
// method (for the canonical log link, Newton's method is IRLS) with step-halving.
//
// Model: log mu_c = sum_{t in terms, t ⊆ c} beta_t for the cells c with include[c] = 1;
// log-likelihood kernel l(beta) = sum_c include_c (y_c log mu_c - mu_c).
// Score: g_t = sum_{c ⊇ t} (y_c - mu_c); information: H_{t,u} = sum_{c ⊇ t ∪ u} mu_c.
//
// Both are superset sums, so each iteration computes them for all 2^K masks at once with
// the fast zeta transform (K 2^{K-1} additions) instead of forming X'WX from the design:
// an iteration costs O(K 2^K + p^3), about a microsecond at K = 6. The linear predictor is
// the subset-sum transform of beta. This is what makes the exhaustive search over 32,768
// models and the profile likelihood cheap.
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

namespace joindots::estimate {

class CellGlm {
 public:
  struct Result {
    bool converged = false;
    int iterations = 0;
    double loglik_kernel = 0;  // sum include_c (y_c eta_c - mu_c)
  };

  /// `terms` are the design columns as masks; they must be linearly independent on the
  /// included cells (the caller drops the rest), with the intercept (0) first. `extra`,
  /// when not empty, is one more design column given by value per cell (size 2^K; the
  /// heterogeneity column h(|c|)); its coefficient comes last in beta. Its products with
  /// the mask columns are superset sums too, so the fast path holds.
  CellGlm(int k, std::vector<std::uint32_t> terms, std::vector<double> extra = {});

  /// Fits to counts `y` (size 2^K) on the cells with include[c] != 0. `beta` holds the
  /// start on entry (empty: the usual GLM start from mu = y + 0.5) and the estimate on exit.
  Result fit(std::span<const double> y, std::span<const std::uint8_t> include, std::vector<double>& beta,
             int max_iterations = 60, double tolerance = 1e-10);

  /// Fitted means exp(eta_c) for every cell (also the cells not included, e.g. cell 0).
  const std::vector<double>& fitted() const { return fitted_all_; }
  /// The inverse information at the last fit (covariance of beta).
  Eigen::MatrixXd covariance() const;
  const std::vector<std::uint32_t>& terms() const { return terms_; }

 private:
  double evaluate(const std::vector<double>& beta, std::span<const double> y, std::span<const std::uint8_t> include);
  void information(std::span<const std::uint8_t> include);
  double add_extra_column(const std::vector<double>& w);

  int k_;
  std::uint32_t ncells_;
  std::vector<std::uint32_t> terms_;
  std::vector<double> extra_;  // empty, or the extra column per cell
  std::size_t p_;              // parameters: terms plus the extra column
  double y_extra_ = 0;         // sum_c include_c y_c extra_c
  std::vector<double> xsup_;   // superset sums of mu_c extra_c
  std::vector<double> eta_, mu_, fitted_all_, sup_, ysup_;
  Eigen::MatrixXd h_;
  Eigen::VectorXd g_, delta_;
  Eigen::LDLT<Eigen::MatrixXd> ldlt_;
};

/// In-place subset sums: v[c] <- sum_{s ⊆ c} v[s] (the zeta transform over subsets).
void subset_sums(std::vector<double>& v, int k);
/// In-place superset sums: v[c] <- sum_{s ⊇ c} v[s].
void superset_sums(std::vector<double>& v, int k);

}  // namespace joindots::estimate
