#pragma once
// The logit-normal model of heterogeneity (Coull & Agresti 1999, Biometrics 55:294): each
// child has a visibility z ~ normal(0, 1), and given z the lists record independently, list
// j with chance logit^-1(a_j + sigma z). Unlike the log-linear forms (Poisson2, Darroch,
// Gamma3.5: a term in the log of the cell means), the chance saturates: the most visible
// children are on nearly every list, and the least visible on none. Interactions between
// lists (referral, avoidance) are kept as in a log-linear model, given z:
//
//   P(c | z) proportional to exp(sum_{t ⊆ c} beta_t + sigma z |c|),   P(c) = E_z P(c | z),
//
// which with main effects only is Coull & Agresti's M_h model exactly. At national scale
// the log-linear forms can all fit about as badly and sit together below the truth (the
// simulator's logit-normal visibility at a million records: every form within 400,000 to
// 424,000 against 447,375); this form is another reading the table cannot rule out, and
// under lack of fit auto's interval takes in its estimate beside theirs (mata.cpp,
// forms_about_as_bad). Its N is weakly identified on small tables (Link 2003): a fit whose
// sigma or unseen count runs off is said to be unbounded.
//
// Fitted by maximum conditional likelihood (the observed cells given that a child is seen;
// N = n / (1 - P0)) with BFGS on an analytic gradient, the expectation over z by the
// trapezoidal rule (exact to double precision for integrands analytic in a strip, as
// these are, given nodes finer than 1 / sigma).
#include <cmath>
#include <string>

#include "estimate/capture_table.hpp"
#include "estimate/loglinear_model.hpp"

namespace joindots::estimate {

struct LogitNormalFit {
  double estimate = 0;  // N; infinite when unbounded
  bool bounded = true;  // false: sigma reached 4 (logit_normal.cpp) or the unseen count ran off
  bool converged = false;
  double sigma = 0;           // sd of the logit visibility
  double deviance = 0;        // G^2 over the observed cells, fitted n P(c) / (1 - P0)
  int df = 0;                 // 2^K - 1 observed cells less the terms and sigma
  double log_likelihood = 0;  // conditional on being observed
  int iterations = 0;
  /// A figure to weigh: degrees of freedom left, bounded, estimate and deviance finite.
  bool usable() const { return df > 0 && bounded && std::isfinite(estimate) && std::isfinite(deviance); }
};

/// Up to eight lists (the fit's cost grows with the 2^K cells); three at least.
constexpr bool logit_normal_fits(int lists) { return lists >= 3 && lists <= 8; }

/// "[12,3]+logit-normal (sd 1.20)": the model's interactions and the fitted sd.
std::string logit_normal_label(const LogLinearModel& model, const LogitNormalFit& fit);

/// The logit-normal model with the interactions of `model` (its heterogeneity term, if any,
/// dropped: sigma takes its place). Best of a few starts of sigma.
LogitNormalFit fit_logit_normal(const CaptureTable& table, const LogLinearModel& model);

}  // namespace joindots::estimate
