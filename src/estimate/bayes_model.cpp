#include "estimate/bayes_model.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rng.hpp"

namespace joindots::estimate::bayes {

namespace {

constexpr double kLog2Pi = 1.8378770664093453;

// log P(1 <= Y <= y) for Y ~ Poisson(mu), summed by ratios outward from the most likely
// count in [1, y] (no overflow whatever y / mu), with one lgamma.
double log_censored(double y, double mu) {
  if (y < 1 || !(mu > 0) || !std::isfinite(mu)) return -std::numeric_limits<double>::infinity();
  const double m = std::clamp(std::floor(mu), 1.0, y);
  const double lpm = m * std::log(mu) - mu - std::lgamma(m + 1.0);
  double sum = 1, r = 1;
  for (double k = m; k < y; ++k) {
    r *= mu / (k + 1);
    sum += r;
    if (r < 1e-17 * sum) break;
  }
  r = 1;
  for (double k = m; k > 1; --k) {
    r *= k / mu;
    sum += r;
    if (r < 1e-17 * sum) break;
  }
  return lpm + std::log(sum);
}

// d/d eta of log P(1 <= Y <= y), mu = exp(eta): mu (P(Y = 0) - P(Y = y)) / P(1 <= Y <= y).
double d_log_censored(double y, double eta) {
  const double mu = std::exp(eta);
  const double lg = log_censored(y, mu);
  const double lpy = y * eta - mu - std::lgamma(y + 1.0);
  return mu * (std::exp(-mu - lg) - std::exp(lpy - lg));
}

// Draws Y ~ Poisson(mu) given 1 <= Y <= y.
std::int64_t draw_censored(Rng& rng, double y, double mu) {
  const auto n = static_cast<std::size_t>(y);
  std::vector<double> w(n + 1, 0.0);
  const double m = std::clamp(std::floor(mu), 1.0, y);
  const auto mi = static_cast<std::size_t>(m);
  w[mi] = 1;
  for (std::size_t k = mi; k < n; ++k) w[k + 1] = w[k] * mu / static_cast<double>(k + 1);
  for (std::size_t k = mi; k > 1; --k) w[k - 1] = w[k] * static_cast<double>(k) / mu;
  double total = 0;
  for (double v : w) total += v;
  double u = rng.uniform() * total;
  for (std::size_t k = 1; k <= n; ++k) {
    u -= w[k];
    if (u <= 0) return static_cast<std::int64_t>(k);
  }
  return static_cast<std::int64_t>(n);
}

}  // namespace

Design make_design(const CovariateCaptureTable& t, int censored_list) {
  Design d;
  const int k = t.k();
  const std::size_t strata = t.strata();
  const std::uint32_t patterns = t.patterns();
  d.ncells = strata * patterns;
  // Levels per factor and the level of every cell.
  std::vector<std::size_t> nlev;
  for (int j = 0; j < k; ++j) {
    d.factors.push_back(t.lists[static_cast<std::size_t>(j)]);
    nlev.push_back(2);
  }
  for (const auto& c : t.covariates) {
    d.factors.push_back(c.name);
    nlev.push_back(c.levels.size());
  }
  const std::size_t nf = d.factors.size();
  auto level = [&](std::size_t cell, std::size_t f) -> std::size_t {
    const std::size_t s = cell / patterns;
    const std::uint32_t p = static_cast<std::uint32_t>(cell % patterns);
    if (f < static_cast<std::size_t>(k))
      return (p >> f & 1u) ? 1 : 0;  // levels (un, obs), as conting's data
    return t.level_of(s, f - static_cast<std::size_t>(k));
  };
  // contr.sum: column r of a factor with L levels is 1 at level r, -1 at level L-1, else 0.
  auto contrast = [&](std::size_t cell, std::size_t f, std::size_t r) -> double {
    const std::size_t l = level(cell, f);
    return l == r ? 1.0 : (l + 1 == nlev[f] ? -1.0 : 0.0);
  };
  std::vector<std::vector<double>> cols;
  cols.emplace_back(d.ncells, 1.0);
  d.term.push_back(-1);
  std::vector<std::vector<std::size_t>> main_cols(nf);
  for (std::size_t f = 0; f < nf; ++f)
    for (std::size_t r = 0; r + 1 < nlev[f]; ++r) {
      std::vector<double> c(d.ncells);
      for (std::size_t i = 0; i < d.ncells; ++i) c[i] = contrast(i, f, r);
      main_cols[f].push_back(cols.size());
      cols.push_back(std::move(c));
      d.term.push_back(-1);
    }
  int pair = 0;
  for (std::size_t a = 0; a < nf; ++a)
    for (std::size_t b = a + 1; b < nf; ++b, ++pair) {
      d.pair_names.push_back(d.factors[a] + ":" + d.factors[b]);
      for (auto ca : main_cols[a])
        for (auto cb : main_cols[b]) {
          std::vector<double> c(d.ncells);
          for (std::size_t i = 0; i < d.ncells; ++i) c[i] = cols[ca][i] * cols[cb][i];
          cols.push_back(std::move(c));
          d.term.push_back(pair);
        }
    }
  d.x.resize(static_cast<Eigen::Index>(d.ncells), static_cast<Eigen::Index>(cols.size()));
  for (std::size_t j = 0; j < cols.size(); ++j)
    for (std::size_t i = 0; i < d.ncells; ++i)
      d.x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = cols[j][i];
  std::vector<double> y, yc;
  for (std::size_t i = 0; i < d.ncells; ++i) {
    if (i % patterns == 0) {
      d.missing.push_back(i);
      d.missing_stratum.push_back(i / patterns);
    } else if (censored_list >= 0 && i % patterns == (std::size_t{1} << censored_list)) {
      d.censored.push_back(i);
      d.censored_stratum.push_back(i / patterns);
      yc.push_back(static_cast<double>(t.counts[i]));
    } else {
      d.observed.push_back(i);
      y.push_back(static_cast<double>(t.counts[i]));
      d.log_factorials += std::lgamma(y.back() + 1.0);
    }
  }
  d.y_observed = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  d.y_censored = Eigen::Map<Eigen::VectorXd>(yc.data(), static_cast<Eigen::Index>(yc.size()));
  return d;
}

ModelProblem::ModelProblem(const Design& d, std::uint64_t mask, double g) {
  std::vector<Eigen::Index> cols;
  for (std::size_t j = 0; j < d.term.size(); ++j)
    if (d.term[j] < 0 || (mask >> d.term[j] & 1u)) cols.push_back(static_cast<Eigen::Index>(j));
  p = static_cast<int>(cols.size());
  Eigen::MatrixXd x(static_cast<Eigen::Index>(d.ncells), p);
  for (int j = 0; j < p; ++j) x.col(j) = d.x.col(cols[static_cast<std::size_t>(j)]);
  xo.resize(static_cast<Eigen::Index>(d.observed.size()), p);
  for (std::size_t i = 0; i < d.observed.size(); ++i)
    xo.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(d.observed[i]));
  xc.resize(static_cast<Eigen::Index>(d.censored.size()), p);
  for (std::size_t i = 0; i < d.censored.size(); ++i)
    xc.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(d.censored[i]));
  xm.resize(static_cast<Eigen::Index>(d.missing.size()), p);
  for (std::size_t i = 0; i < d.missing.size(); ++i)
    xm.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(d.missing[i]));
  prior = Eigen::MatrixXd::Zero(p, p);
  if (p > 1) {
    const Eigen::MatrixXd x1 = x.rightCols(p - 1);
    const Eigen::MatrixXd prec = x1.transpose() * x1 / g;
    prior.bottomRightCorner(p - 1, p - 1) = prec;
    const Eigen::LLT<Eigen::MatrixXd> llt(prec);
    double logdet = 0;
    for (int i = 0; i < p - 1; ++i) logdet += 2.0 * std::log(llt.matrixL()(i, i));
    prior_log_norm = 0.5 * logdet - 0.5 * (p - 1) * kLog2Pi;
  }
}

double ModelProblem::log_post(const Eigen::VectorXd& beta, const Design& d) const {
  const Eigen::VectorXd eta = xo * beta;
  double l = d.y_observed.dot(eta) - eta.array().exp().sum() - d.log_factorials;
  if (xc.rows() > 0) {
    const Eigen::VectorXd etac = xc * beta;
    for (Eigen::Index i = 0; i < etac.size(); ++i)
      l += log_censored(d.y_censored(i), std::exp(etac(i)));
  }
  return l - 0.5 * beta.dot(prior * beta) + prior_log_norm;
}

void ModelProblem::derivatives(const Eigen::VectorXd& beta, const Design& d, Eigen::VectorXd& g,
                 Eigen::MatrixXd& h, bool floor_curvature) const {
  const Eigen::VectorXd mu = (xo * beta).array().exp();
  g = xo.transpose() * (d.y_observed - mu) - prior * beta;
  h = xo.transpose() * mu.asDiagonal() * xo + prior;
  if (xc.rows() > 0) {
    const Eigen::VectorXd etac = xc * beta;
    Eigen::VectorXd gc(etac.size()), hc(etac.size());
    for (Eigen::Index i = 0; i < etac.size(); ++i) {
      const double y = d.y_censored(i), e = 1e-5;
      gc(i) = d_log_censored(y, etac(i));
      hc(i) = -(d_log_censored(y, etac(i) + e) - d_log_censored(y, etac(i) - e)) / (2 * e);
      if (floor_curvature) hc(i) = std::max(hc(i), 0.0);
    }
    g += xc.transpose() * gc;
    h += xc.transpose() * hc.asDiagonal() * xc;
  }
}

Mode find_mode(const ModelProblem& mp, const Design& d) {
  Mode m;
  const int p = mp.p;
  m.beta = Eigen::VectorXd::Zero(p);
  m.beta(0) = std::log(d.y_observed.mean() + 0.5);
  double lp = mp.log_post(m.beta, d);
  Eigen::VectorXd g;
  for (int it = 0; it < 200; ++it) {
    mp.derivatives(m.beta, d, g, m.hessian, true);
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(m.hessian);
    const Eigen::VectorXd step = ldlt.solve(g);
    const double decrement = g.dot(step);
    if (!std::isfinite(decrement)) break;
    if (decrement < 1e-18 * (1.0 + std::abs(lp))) {
      m.converged = true;
      break;
    }
    double t = 1.0;
    for (int h = 0; h < 60; ++h, t *= 0.5) {
      const Eigen::VectorXd b = m.beta + t * step;
      const double l2 = mp.log_post(b, d);
      if (std::isfinite(l2) && l2 >= lp - 1e-12 * std::abs(lp)) {
        m.beta = b;
        lp = l2;
        break;
      }
    }
  }
  mp.derivatives(m.beta, d, g, m.hessian, true);
  m.log_post = lp;
  const Eigen::LLT<Eigen::MatrixXd> llt(m.hessian);
  double logdet = 0;
  for (int i = 0; i < p; ++i) logdet += 2.0 * std::log(llt.matrixL()(i, i));
  m.laplace = lp + 0.5 * p * kLog2Pi - 0.5 * logdet;
  return m;
}

ModelDraws draw_model(const Design& d, std::uint64_t mask, const BayesLogLinearOptions& o,
                      const Mode& mode, const ModelProblem& mp) {
  ModelDraws md;
  md.mask = mask;
  md.p = mp.p;
  md.laplace = mode.laplace;
  md.unobserved_mode = (mp.xm * mode.beta).array().exp().sum();
  const int p = mp.p;
  const std::size_t s_count = static_cast<std::size_t>(o.draws_per_model);
  const std::size_t nm = d.missing.size();
  md.log_w.resize(s_count);
  md.lambda.resize(s_count * nm);
  const std::size_t nc = d.censored.size();
  md.censored.resize(s_count * nc);
  Rng rng_censored(o.seed, "bayes_loglinear_censored", mask);
  const Eigen::LLT<Eigen::MatrixXd> llt(mode.hessian);
  const Eigen::MatrixXd lt = llt.matrixU();  // H = U'U; delta = U^{-1} u gives delta'H delta = u'u
  double half_logdet = 0;
  for (int i = 0; i < p; ++i) half_logdet += std::log(lt(i, i));
  const double nu = o.t_degrees_of_freedom;
  const double log_t_norm = std::lgamma(0.5 * (nu + p)) - std::lgamma(0.5 * nu) -
                            0.5 * p * std::log(nu * M_PI) + half_logdet;
  Rng rng(o.seed, "bayes_loglinear", mask);
  Eigen::VectorXd u(p);
  for (std::size_t s = 0; s < s_count; ++s) {
    for (int i = 0; i < p; ++i) u(i) = rng.normal();
    const double chi2 = rng.gamma(0.5 * nu, 2.0);
    u *= std::sqrt(nu / chi2);
    const Eigen::VectorXd beta = mode.beta + lt.triangularView<Eigen::Upper>().solve(u);
    const double log_q = log_t_norm - 0.5 * (nu + p) * std::log1p(u.squaredNorm() / nu);
    md.log_w[s] = mp.log_post(beta, d) - log_q;
    const Eigen::VectorXd lam = (mp.xm * beta).array().exp();
    for (std::size_t j = 0; j < nm; ++j) md.lambda[s * nm + j] = lam(static_cast<Eigen::Index>(j));
    if (nc > 0) {
      const Eigen::VectorXd muc = (mp.xc * beta).array().exp();
      for (std::size_t j = 0; j < nc; ++j)
        md.censored[s * nc + j] =
            std::isfinite(muc(static_cast<Eigen::Index>(j)))
                ? draw_censored(rng_censored, d.y_censored(static_cast<Eigen::Index>(j)),
                                muc(static_cast<Eigen::Index>(j)))
                : 1;
    }
    if (!std::isfinite(md.log_w[s])) md.log_w[s] = -std::numeric_limits<double>::infinity();
  }
  return md;
}

std::string formula_of(const Design& d, std::uint64_t mask,
                       std::vector<std::string>* interactions) {
  std::string f;
  for (const auto& n : d.factors) f += (f.empty() ? "" : " + ") + n;
  for (std::size_t i = 0; i < d.pair_names.size(); ++i)
    if (mask >> i & 1u) {
      f += " + " + d.pair_names[i];
      if (interactions) interactions->push_back(d.pair_names[i]);
    }
  return f;
}

}  // namespace joindots::estimate::bayes
