#include "estimate/loglinear.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <stdexcept>

#include "estimate/cell_glm.hpp"

namespace joindots::estimate {

std::vector<std::uint32_t> independent_terms(const LogLinearModel& model, const std::vector<std::uint8_t>& in_face) {
  const int k = model.k();
  std::vector<double> s(in_face.size());
  for (std::size_t c = 0; c < s.size(); ++c) s[c] = in_face[c] ? 1.0 : 0.0;
  superset_sums(s, k);
  const auto& terms = model.terms();
  // Cholesky of the Gram matrix X_F'X_F in column order; a column whose pivot vanishes
  // is a combination of the ones before it and is dropped.
  std::vector<std::uint32_t> kept;
  std::vector<std::vector<double>> l;  // rows of the Cholesky factor of the kept columns
  for (auto t : terms) {
    const std::size_t m = kept.size();
    std::vector<double> row(m + 1, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
      double v = s[t | kept[i]];
      for (std::size_t j = 0; j < i; ++j) v -= row[j] * l[i][j];
      row[i] = v / l[i][i];
    }
    double d = s[t];
    for (std::size_t i = 0; i < m; ++i) d -= row[i] * row[i];
    if (d > 1e-9 * std::max(1.0, s[t])) {
      row[m] = std::sqrt(d);
      l.push_back(std::move(row));
      kept.push_back(t);
    }
  }
  return kept;
}

namespace {

// Whether the heterogeneity column is linearly independent of the kept term columns on the
// facial set (boundary cells can make it redundant even when it is not on all cells).
bool heterogeneity_independent(const LogLinearModel& model, const std::vector<std::uint32_t>& kept,
                               const std::vector<std::uint8_t>& in_face) {
  if (model.heterogeneity() == Heterogeneity::None) return false;
  // Every observed cell in the face and every term kept: the existence check has already
  // found the column independent of the terms on the observed cells.
  bool whole = kept.size() == model.terms().size();
  for (std::uint32_t c = 1; c < in_face.size() && whole; ++c) whole = in_face[c] != 0;
  if (whole) return true;
  std::vector<std::uint32_t> face;
  for (std::uint32_t c = 1; c < in_face.size(); ++c)
    if (in_face[c]) face.push_back(c);
  // The kept mask columns and h, on the face: is h outside their span?
  const Eigen::MatrixXd x = design_matrix(kept, model.heterogeneity(), face);
  Eigen::FullPivLU<Eigen::MatrixXd> lu(x);
  lu.setThreshold(1e-10);
  return lu.rank() == x.cols();
}

}  // namespace

LogLinearFit fit_loglinear(const CaptureTable& table, const LogLinearModel& model) {
  return fit_loglinear(table, model, check_existence(table, model), nullptr);
}

LogLinearFit fit_loglinear(const CaptureTable& table, const LogLinearModel& model, ExistenceCheck existence,
                           const std::vector<double>* start) {
  if (model.k() != table.k()) throw std::invalid_argument("fit_loglinear: model: K differs from the table's");
  LogLinearFit fit;
  fit.model = model;
  fit.observed = table.observed();
  fit.existence = std::move(existence);
  if (fit.existence.status != MleStatus::Exists) return fit;

  const std::uint32_t ncells = table.cells();
  const auto& face = fit.existence.in_face;
  fit.estimated_terms = fit.existence.boundary_cells.empty() && !model.has_term(ncells - 1)
                            ? model.terms()
                            : independent_terms(model, face);
  fit.estimated_heterogeneity = heterogeneity_independent(model, fit.estimated_terms, face);
  std::vector<double> y(ncells);
  for (std::uint32_t c = 0; c < ncells; ++c) y[c] = static_cast<double>(table.counts[c]);
  CellGlm glm(table.k(), fit.estimated_terms, fit.estimated_heterogeneity ? model.heterogeneity_column() : std::vector<double>{});
  const std::size_t p = fit.estimated_terms.size() + fit.estimated_heterogeneity;
  if (start && start->size() == p) fit.beta = *start;
  const auto r = glm.fit(y, face, fit.beta);
  fit.converged = r.converged;
  fit.iterations = r.iterations;
  fit.fitted = glm.fitted();
  {
    const Eigen::MatrixXd cov = glm.covariance();
    fit.se.resize(fit.beta.size());
    for (std::size_t j = 0; j < fit.beta.size(); ++j)
      fit.se[j] = std::sqrt(std::max(0.0, cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j))));
  }
  double lfact = 0, dev = 0;
  int cells_in_face = 0;
  for (std::uint32_t c = 1; c < ncells; ++c) {
    if (!face[c]) {
      fit.fitted[c] = 0.0;
      continue;
    }
    ++cells_in_face;
    lfact += std::lgamma(y[c] + 1.0);
    const double mu = fit.fitted[c];
    dev += (y[c] > 0 ? y[c] * std::log(y[c] / mu) : 0.0) - (y[c] - mu);
  }
  fit.loglik = r.loglik_kernel - lfact;
  fit.deviance = 2.0 * dev;
  fit.parameters = static_cast<int>(p);
  fit.df = cells_in_face - fit.parameters;
  fit.aic = -2.0 * fit.loglik + 2.0 * fit.parameters;
  fit.bic = -2.0 * fit.loglik + std::log(static_cast<double>(fit.observed)) * fit.parameters;
  fit.unobserved = fit.fitted[0];
  fit.estimate = static_cast<double>(fit.observed) + fit.unobserved;
  if (!std::isfinite(fit.unobserved)) fit.converged = false;
  return fit;
}

ProfileInterval profile_interval(const CaptureTable& table, const LogLinearFit& fit, double level) {
  if (!fit.ok()) throw std::invalid_argument("profile_interval: fit: the model has no valid fit");
  if (!(level > 0 && level < 1)) throw std::invalid_argument("profile_interval: level: must be in (0, 1)");
  const std::uint32_t ncells = table.cells();
  const double n = static_cast<double>(fit.observed);
  std::vector<double> y(ncells);
  for (std::uint32_t c = 0; c < ncells; ++c) y[c] = static_cast<double>(table.counts[c]);
  std::vector<std::uint8_t> include = fit.existence.in_face;
  include[0] = 1;
  CellGlm glm(table.k(), fit.estimated_terms,
              fit.estimated_heterogeneity ? fit.model.heterogeneity_column() : std::vector<double>{});
  std::vector<double> beta = fit.beta;

  auto profile = [&](double n0) {
    y[0] = n0;
    const auto r = glm.fit(y, include, beta);
    const double total = n + n0;
    // At the Poisson MLE sum mu = N, so sum y log(mu / N) = kernel - N log N + N; the
    // kernel form is stationary at the optimum, hence insensitive to the last digits of
    // the fit, unlike sum y log(mu / N) itself.
    return std::lgamma(total + 1.0) - std::lgamma(n0 + 1.0) + r.loglik_kernel - total * std::log(total) + total;
  };

  // Maximise over n0 >= 0: bracket around the conditional MLE, then Brent.
  const double n0_hat = fit.unobserved;
  double hi = 2.0 * n0_hat + 10.0;
  const double l_hat = profile(n0_hat);
  while (profile(hi) > l_hat && hi < 1e13) hi *= 2.0;
  const auto best = boost::math::tools::brent_find_minima([&](double n0) { return -profile(n0); }, 0.0, hi, 52);
  double n0_max = best.first, l_max = -best.second;
  if (l_hat > l_max) {
    n0_max = n0_hat;
    l_max = l_hat;
  }
  const double crit = boost::math::quantile(boost::math::chi_squared(1.0), level);
  auto g = [&](double n0) { return 2.0 * (l_max - profile(n0)) - crit; };
  auto tol = [](double a, double b) { return std::abs(b - a) <= 1e-7 * std::max(1.0, std::abs(a)); };

  ProfileInterval out;
  out.level = level;
  out.profile_mle = n + n0_max;
  if (g(0.0) <= 0) {
    out.low = n;
  } else {
    std::uintmax_t iters = 200;
    const auto r = boost::math::tools::toms748_solve(g, 0.0, n0_max, tol, iters);
    out.low = n + 0.5 * (r.first + r.second);
  }
  double upper = std::max(2.0 * n0_max, 10.0);
  while (g(upper) < 0 && upper < 1e13) upper *= 2.0;
  if (g(upper) < 0) {
    out.high = std::numeric_limits<double>::infinity();
  } else {
    std::uintmax_t iters = 200;
    const auto r = boost::math::tools::toms748_solve(g, n0_max, upper, tol, iters);
    out.high = n + 0.5 * (r.first + r.second);
  }
  return out;
}

}  // namespace joindots::estimate
