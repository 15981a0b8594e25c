#include "estimate/cell_glm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace joindots::estimate {

void subset_sums(std::vector<double>& v, int k) {
  const std::uint32_t n = std::uint32_t{1} << k;
  for (int i = 0; i < k; ++i) {
    const std::uint32_t bit = std::uint32_t{1} << i;
    for (std::uint32_t c = 0; c < n; ++c)
      if (c & bit) v[c] += v[c ^ bit];
  }
}

void superset_sums(std::vector<double>& v, int k) {
  const std::uint32_t n = std::uint32_t{1} << k;
  for (int i = 0; i < k; ++i) {
    const std::uint32_t bit = std::uint32_t{1} << i;
    for (std::uint32_t c = 0; c < n; ++c)
      if (!(c & bit)) v[c] += v[c | bit];
  }
}

CellGlm::CellGlm(int k, std::vector<std::uint32_t> terms, std::vector<double> extra)
    : k_(k), ncells_(std::uint32_t{1} << k), terms_(std::move(terms)), extra_(std::move(extra)) {
  if (terms_.empty() || terms_[0] != 0)
    throw std::invalid_argument("CellGlm: terms: the intercept (0) must come first");
  if (!extra_.empty() && extra_.size() != ncells_) throw std::invalid_argument("CellGlm: extra: need 2^K cells");
  p_ = terms_.size() + (extra_.empty() ? 0 : 1);
  xsup_.resize(ncells_);
  eta_.resize(ncells_);
  mu_.resize(ncells_);
  fitted_all_.resize(ncells_);
  sup_.resize(ncells_);
  ysup_.resize(ncells_);
  const auto p = static_cast<Eigen::Index>(p_);
  h_.resize(p, p);
  g_.resize(p);
  delta_.resize(p);
}

double CellGlm::evaluate(const std::vector<double>& beta, std::span<const double> y,
                         std::span<const std::uint8_t> include) {
  std::fill(eta_.begin(), eta_.end(), 0.0);
  for (std::size_t j = 0; j < terms_.size(); ++j) eta_[terms_[j]] = beta[j];
  subset_sums(eta_, k_);
  if (!extra_.empty())
    for (std::uint32_t c = 0; c < ncells_; ++c) eta_[c] += beta[terms_.size()] * extra_[c];
  double ll = 0;
  for (std::uint32_t c = 0; c < ncells_; ++c) {
    const double e = std::min(eta_[c], 700.0);
    fitted_all_[c] = std::exp(e);
    mu_[c] = include[c] ? fitted_all_[c] : 0.0;
    if (include[c]) ll += (y[c] > 0 ? y[c] * e : 0.0) - mu_[c];
  }
  return ll;
}

void CellGlm::information(std::span<const std::uint8_t>) {
  sup_ = mu_;
  superset_sums(sup_, k_);
  const std::size_t p = terms_.size();
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t l = j; l < p; ++l) {
      const double v = sup_[terms_[j] | terms_[l]];
      h_(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) = v;
      h_(static_cast<Eigen::Index>(l), static_cast<Eigen::Index>(j)) = v;
    }
    g_(static_cast<Eigen::Index>(j)) = ysup_[terms_[j]] - sup_[terms_[j]];
  }
  if (!extra_.empty()) g_(static_cast<Eigen::Index>(terms_.size())) = y_extra_ - add_extra_column(mu_);
}

// The row and column of the extra column in h_, with weights w_c (the means):
// H_{t,x} = sum_{c ⊇ t} w_c x_c, H_{x,x} = sum w_c x_c^2. Returns sum w_c x_c; the caller sets g_x.
double CellGlm::add_extra_column(const std::vector<double>& w) {
  const auto e = static_cast<Eigen::Index>(terms_.size());
  double wxx = 0, wx = 0;
  for (std::uint32_t c = 0; c < ncells_; ++c) {
    xsup_[c] = w[c] * extra_[c];
    wx += xsup_[c];
    wxx += xsup_[c] * extra_[c];
  }
  superset_sums(xsup_, k_);
  for (std::size_t j = 0; j < terms_.size(); ++j) {
    h_(static_cast<Eigen::Index>(j), e) = xsup_[terms_[j]];
    h_(e, static_cast<Eigen::Index>(j)) = xsup_[terms_[j]];
  }
  h_(e, e) = wxx;
  return wx;
}

CellGlm::Result CellGlm::fit(std::span<const double> y, std::span<const std::uint8_t> include,
                             std::vector<double>& beta, int max_iterations, double tolerance) {
  if (y.size() != ncells_ || include.size() != ncells_)
    throw std::invalid_argument("CellGlm::fit: y, include: need 2^K cells");
  const std::size_t p = p_;
  y_extra_ = 0;
  for (std::uint32_t c = 0; c < ncells_; ++c) {
    ysup_[c] = include[c] ? y[c] : 0.0;
    if (!extra_.empty()) y_extra_ += ysup_[c] * extra_[c];
  }
  superset_sums(ysup_, k_);
  Result res;

  if (beta.size() != p) {
    // The usual GLM start: one weighted least-squares step from mu = y + 0.5, eta = log mu.
    for (std::uint32_t c = 0; c < ncells_; ++c) mu_[c] = include[c] ? y[c] + 0.5 : 0.0;
    sup_ = mu_;
    superset_sums(sup_, k_);
    std::vector<double> wz(ncells_);
    double wz_extra = 0;
    for (std::uint32_t c = 0; c < ncells_; ++c) {
      wz[c] = include[c] ? mu_[c] * (std::log(mu_[c]) + (y[c] - mu_[c]) / mu_[c]) : 0.0;
      if (!extra_.empty()) wz_extra += wz[c] * extra_[c];
    }
    superset_sums(wz, k_);
    for (std::size_t j = 0; j < terms_.size(); ++j) {
      for (std::size_t l = 0; l < terms_.size(); ++l)
        h_(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) = sup_[terms_[j] | terms_[l]];
      g_(static_cast<Eigen::Index>(j)) = wz[terms_[j]];
    }
    if (!extra_.empty()) {
      add_extra_column(mu_);
      g_(static_cast<Eigen::Index>(terms_.size())) = wz_extra;
    }
    ldlt_.compute(h_);
    delta_ = ldlt_.solve(g_);
    beta.assign(p, 0.0);
    for (std::size_t j = 0; j < p; ++j) beta[j] = delta_(static_cast<Eigen::Index>(j));
    if (!delta_.allFinite()) beta.assign(p, 0.0);
  }

  double ll = evaluate(beta, y, include);
  std::vector<double> trial(p);
  double last_decrement = std::numeric_limits<double>::infinity();
  for (res.iterations = 0; res.iterations < max_iterations; ++res.iterations) {
    information(include);
    ldlt_.compute(h_);
    if (ldlt_.info() != Eigen::Success) break;
    delta_ = ldlt_.solve(g_);
    const double decrement = g_.dot(delta_);  // twice the predicted gain
    if (!std::isfinite(decrement)) break;
    // Stop when the predicted gain is negligible or the step no longer moves beta (the
    // second matters for flat directions, e.g. the intercept with cell 0 included, where
    // a tiny gain can still mean a visible change in mu_0).
    if (decrement < tolerance * 1e-5 * (1.0 + std::abs(ll)) || delta_.cwiseAbs().maxCoeff() < tolerance) {
      // Inside the region of quadratic convergence: one last full step squares the error.
      for (std::size_t j = 0; j < p; ++j) beta[j] += delta_(static_cast<Eigen::Index>(j));
      res.converged = true;
      break;
    }
    last_decrement = decrement;
    double step = 1.0;
    double ll_trial = ll;
    for (int halving = 0; halving < 40; ++halving) {
      for (std::size_t j = 0; j < p; ++j) trial[j] = beta[j] + step * delta_(static_cast<Eigen::Index>(j));
      ll_trial = evaluate(trial, y, include);
      if (std::isfinite(ll_trial) && ll_trial >= ll - 1e-12 * (1.0 + std::abs(ll))) break;
      step *= 0.5;
    }
    beta = trial;
    ll = ll_trial;
  }
  // Out of iterations at the limits of floating point: accept a loose criterion.
  if (!res.converged && last_decrement < 1e-8 * (1.0 + std::abs(ll))) res.converged = true;
  ll = evaluate(beta, y, include);
  information(include);
  res.loglik_kernel = ll;
  return res;
}

Eigen::MatrixXd CellGlm::covariance() const {
  return h_.ldlt().solve(Eigen::MatrixXd::Identity(h_.rows(), h_.cols()));
}

}  // namespace joindots::estimate
