#pragma once
// Fitting one log-linear model to a capture-history table, and the profile-likelihood
// interval for the population size.
//
// Fienberg (1972): fit the model to the 2^K - 1 observed cells as a Poisson GLM; the
// estimated number never observed is mu_0 = exp(beta_0), the intercept on the log scale,
// and N^ = n + mu_0. Before fitting, check_existence decides whether the (extended) MLE
// exists and identifies mu_0; the fit is then made on the facial set, dropping the terms
// that the face leaves unidentified (they do not affect mu_0).
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "estimate/capture_table.hpp"
#include "estimate/cell_glm.hpp"
#include "estimate/existence.hpp"
#include "estimate/loglinear_model.hpp"

namespace joindots::estimate {

struct LogLinearFit {
  LogLinearModel model{2};
  ExistenceCheck existence;
  std::int64_t observed = 0;
  /// The terms estimated (the model's terms, less any that the facial set leaves
  /// unidentified), with their coefficients.
  std::vector<std::uint32_t> estimated_terms;
  /// The heterogeneity column is estimated too: its coefficient eta is the last of beta.
  bool estimated_heterogeneity = false;
  std::vector<double> beta;
  std::vector<double> se;  // Wald standard errors of beta (inverse information)
  bool converged = false;
  int iterations = 0;
  /// Fitted means, size 2^K; fitted[0] is the estimated unobserved count mu_0.
  std::vector<double> fitted;
  double loglik = std::numeric_limits<double>::quiet_NaN();  // Poisson, observed cells, with the log y! terms
  double deviance = std::numeric_limits<double>::quiet_NaN();  // G^2 against the saturated model
  int parameters = 0;  // estimated parameters (rank of the design on the facial set)
  int df = 0;          // observed cells in the face minus parameters
  double aic = std::numeric_limits<double>::quiet_NaN();  // -2 loglik + 2 p
  double bic = std::numeric_limits<double>::quiet_NaN();  // -2 loglik + log(n) p
  double unobserved = std::numeric_limits<double>::quiet_NaN();  // mu_0
  double estimate = std::numeric_limits<double>::quiet_NaN();    // n + mu_0

  /// True when the MLE exists, identifies mu_0 and the fit converged.
  bool ok() const { return existence.status == MleStatus::Exists && converged; }
};

/// Checks existence, then fits. When the MLE does not exist or is not identifiable, the
/// result carries the verdict and NaN estimates (no exception: it is an expected outcome).
LogLinearFit fit_loglinear(const CaptureTable& table, const LogLinearModel& model);

/// As above with the existence check already made and an optional start for the
/// coefficients of `estimated_terms` (a warm start, used by the model search).
LogLinearFit fit_loglinear(const CaptureTable& table, const LogLinearModel& model, ExistenceCheck existence,
                           const std::vector<double>* start = nullptr);

/// The terms of `model` that are linearly independent on the cells with in_face = 1, in
/// order (the intercept first).
std::vector<std::uint32_t> independent_terms(const LogLinearModel& model, const std::vector<std::uint8_t>& in_face);

struct ProfileInterval {
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();  // +inf when the likelihood never falls far enough
  double profile_mle = std::numeric_limits<double>::quiet_NaN();  // N maximising the profile likelihood
  double level = 0.95;
};

/// Profile-likelihood interval for N (Cormack 1992; as Rcapture's closedpCI). With n0 the
/// unobserved count treated as a parameter, fit the model to the complete 2^K table with
/// n0 in cell 0 and take the multinomial profile log-likelihood
///
///   l(N) = log N! - log n0! + sum_{c, y_c > 0} y_c log(mu^_c(n0) / N),   N = n + n0,
///
/// (log-gamma for non-integer n0). The interval is {N : 2 (max l - l(N)) <= chi2_1(level)},
/// its ends found by root finding. Requires fit.ok().
ProfileInterval profile_interval(const CaptureTable& table, const LogLinearFit& fit, double level = 0.95);

/// The profile log-likelihood of N for one fitted model, as a curve: the interval above
/// reads off where its deviance crosses chi2_1(level); the model-averaged tail-area
/// interval (mata_interval) needs the whole curve.
class ProfileCurve {
 public:
  /// Requires fit.ok(). Finds the maximum of the profile likelihood.
  ProfileCurve(const CaptureTable& table, const LogLinearFit& fit);
  /// 2 (max l - l(N)) for N >= n (the number observed).
  double deviance(double total);
  /// The signed root sign(N - N_max) sqrt(deviance(N)) mapped through the normal CDF: a
  /// confidence distribution for N, 0.5 at the profile MLE; its alpha/2 and 1 - alpha/2
  /// points are the ends of the profile interval. `dispersion` (c-hat >= 1, quasi-likelihood)
  /// divides the deviance: a wider distribution for a model that fits the lists poorly.
  double confidence(double total, double dispersion = 1.0);
  double observed() const { return n_; }
  double profile_mle() const { return n_ + n0_max_; }

 private:
  double log_profile(double n0);
  double n_ = 0, n0_max_ = 0, l_max_ = 0;
  std::vector<double> y_;
  std::vector<std::uint8_t> include_;
  std::vector<double> beta_;
  std::shared_ptr<CellGlm> glm_;
};

/// The model-averaged tail-area profile-likelihood interval (Fletcher & Turek 2012, "MATA"):
/// the ends solve sum_m w_m C_m(N) = alpha/2 and 1 - alpha/2, C_m each model's confidence
/// distribution from its profile likelihood (ProfileCurve::confidence). Unlike the interval
/// of the single best model, it carries the uncertainty between models that the weights
/// leave; unlike a bootstrap hull it does not widen where the models agree. Weights below
/// 1e-4 are dropped (the rest renormalised). `profile_mle` of the result is the averaged
/// distribution's median, the point where the sum is 1/2 (for one model, its profile MLE).
/// `dispersion` (c-hat >= 1) divides every profile deviance (quasi-likelihood: Anderson,
/// Burnham & White 1994), for models that fit the lists poorly; 1 is the plain interval.
struct WeightedFit {
  const LogLinearFit* fit = nullptr;
  double weight = 0;
};
ProfileInterval mata_interval(const CaptureTable& table, const std::vector<WeightedFit>& models, double level = 0.95,
                              double dispersion = 1.0);

}  // namespace joindots::estimate
