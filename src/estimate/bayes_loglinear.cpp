#include "estimate/bayes_loglinear.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace joindots::estimate {

namespace {

constexpr int kBatches = 10;
constexpr double kLog2Pi = 1.8378770664093453;

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

// One model: its design on the observed and missing cells, and its prior.
struct ModelProblem {
  Eigen::MatrixXd xo, xm, xc;  // observed, missing and censored cells
  Eigen::MatrixXd prior;       // p x p precision, zero first row and column (flat intercept)
  double prior_log_norm = 0;   // log of the normal prior's normalising constant
  int p = 0;

  ModelProblem(const Design& d, std::uint64_t mask, double g) {
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

  // Log posterior density up to the flat intercept's constant (log likelihood of the
  // observed cells with its log y! terms, plus the log prior density).
  double log_post(const Eigen::VectorXd& beta, const Design& d) const {
    const Eigen::VectorXd eta = xo * beta;
    double l = d.y_observed.dot(eta) - eta.array().exp().sum() - d.log_factorials;
    if (xc.rows() > 0) {
      const Eigen::VectorXd etac = xc * beta;
      for (Eigen::Index i = 0; i < etac.size(); ++i)
        l += log_censored(d.y_censored(i), std::exp(etac(i)));
    }
    return l - 0.5 * beta.dot(prior * beta) + prior_log_norm;
  }

  // Gradient and Hessian (of minus the log posterior) at beta. The censored cells' curvature
  // is a central difference of their exact first derivative, floored at 0 away from the mode
  // (Newton's step then stays an ascent direction).
  void derivatives(const Eigen::VectorXd& beta, const Design& d, Eigen::VectorXd& g,
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
};

struct Mode {
  bool converged = false;
  Eigen::VectorXd beta;
  Eigen::MatrixXd hessian;  // of minus the log posterior
  double log_post = 0;
  double laplace = 0;
};

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

// A weighted mixture of Poisson(lambda) distributions of the unobserved count: exact
// probabilities for k below kDenseCap, and the components beyond it (a tail that only a
// prior-dominated model reaches, e.g. an interaction the data cannot see) kept as point
// masses at lambda: there sd / lambda = lambda^-1/2 < 0.2%.
constexpr std::size_t kDenseCap = std::size_t{1} << 18;

struct Mixture {
  std::vector<double> dense;
  std::vector<std::pair<double, double>> far;  // (lambda, weight)

  // Adds w * Poisson(lambda) shifted by `offset`.
  void add(double lambda, double w, std::size_t offset = 0) {
    if (!(lambda >= 0) || !std::isfinite(lambda)) return;
    if (lambda < 1e-300) {
      if (dense.size() <= offset) dense.resize(offset + 1, 0.0);
      dense[offset] += w;
      return;
    }
    const double spread = 10.0 * std::sqrt(lambda) + 20.0;
    if (lambda + spread + static_cast<double>(offset) >= static_cast<double>(kDenseCap)) {
      far.emplace_back(lambda + static_cast<double>(offset), w);
      return;
    }
    const auto mode = static_cast<std::size_t>(std::floor(lambda));
    const std::size_t hi = static_cast<std::size_t>(lambda + spread);
    if (dense.size() <= hi + offset) dense.resize(hi + offset + 1, 0.0);
    double* acc = dense.data() + offset;
    const double pm = std::exp(static_cast<double>(mode) * std::log(lambda) - lambda -
                               std::lgamma(static_cast<double>(mode) + 1.0));
    double v = pm;
    for (std::size_t k = mode; k <= hi; ++k) {
      acc[k] += w * v;
      v *= lambda / static_cast<double>(k + 1);
      if (v < 1e-18 * pm) break;
    }
    v = pm;
    for (std::size_t k = mode; k-- > 0;) {
      v *= static_cast<double>(k + 1) / lambda;
      acc[k] += w * v;
      if (v < 1e-18 * pm) break;
    }
  }
  void merge(const Mixture& o) {
    if (dense.size() < o.dense.size()) dense.resize(o.dense.size(), 0.0);
    for (std::size_t k = 0; k < o.dense.size(); ++k) dense[k] += o.dense[k];
    far.insert(far.end(), o.far.begin(), o.far.end());
  }
};

struct PmfSummary {
  double mean = 0, sd = 0, median = 0, et_low = 0, et_high = 0, hpd_low = 0, hpd_high = 0;
};

PmfSummary summarise_mixture(Mixture m, double level, std::int64_t shift) {
  PmfSummary s;
  std::sort(m.far.begin(), m.far.end());
  double far_w = 0;
  for (const auto& [lam, w] : m.far) far_w += w;
  const double total = std::accumulate(m.dense.begin(), m.dense.end(), 0.0) + far_w;
  double m1 = 0, m2 = 0;
  for (std::size_t k = 0; k < m.dense.size(); ++k) {
    m1 += static_cast<double>(k) * m.dense[k];
    m2 += static_cast<double>(k) * static_cast<double>(k) * m.dense[k];
  }
  for (const auto& [lam, w] : m.far) {
    m1 += lam * w;
    m2 += lam * (lam + 1) * w;
  }
  m1 /= total;
  m2 /= total;
  const double n = static_cast<double>(shift);
  s.mean = m1 + n;
  s.sd = std::sqrt(std::max(0.0, m2 - m1 * m1));
  auto quantile = [&](double q) {
    double c = 0;
    for (std::size_t k = 0; k < m.dense.size(); ++k) {
      c += m.dense[k] / total;
      if (c >= q) return static_cast<double>(k) + n;
    }
    for (const auto& [lam, w] : m.far) {
      c += w / total;
      if (c >= q) return std::round(lam) + n;
    }
    return (m.far.empty() ? static_cast<double>(m.dense.size() - 1)
                          : std::round(m.far.back().first)) +
           n;
  };
  s.median = quantile(0.5);
  s.et_low = quantile(0.5 * (1 - level));
  s.et_high = quantile(1 - 0.5 * (1 - level));
  if (far_w / total < 1e-9) {
    const auto [a, b] = hpd_of_pmf(m.dense, level);
    s.hpd_low = static_cast<double>(a) + n;
    s.hpd_high = static_cast<double>(b) + n;
  } else if (far_w / total < 1 - level) {
    // The shortest interval holding `level` of all the mass, within the dense part.
    std::vector<double> p = m.dense;
    p.push_back(
        far_w);  // the far tail as one last cell, so that hpd_of_pmf's target is level * total
    auto [a, b] = hpd_of_pmf(p, level);
    if (b == p.size() - 1) b = quantile(1.0) - n;  // reaches into the far tail: up to its end
    s.hpd_low = static_cast<double>(a) + n;
    s.hpd_high = static_cast<double>(b) + n;
  } else {
    // Most of the mass is spread over a tail beyond 2^18: equal-tailed ends.
    s.hpd_low = s.et_low;
    s.hpd_high = s.et_high;
  }
  return s;
}

double spread_se(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / (n - 1) / n);
}

}  // namespace

std::pair<std::size_t, std::size_t> hpd_of_pmf(const std::vector<double>& p, double level) {
  // Two pointers over the cumulative sums: for each start a, the first end b with mass >= level.
  std::vector<double> cum(p.size() + 1, 0.0);
  for (std::size_t k = 0; k < p.size(); ++k) cum[k + 1] = cum[k] + p[k];
  const double target = level * cum.back() * (1 - 1e-12);  // rounding in the sums
  std::pair<std::size_t, std::size_t> best{0, p.empty() ? 0 : p.size() - 1};
  double best_mass = cum.back();
  std::size_t b = 0;
  for (std::size_t a = 0; a < p.size(); ++a) {
    if (b < a) b = a;
    while (b < p.size() && cum[b + 1] - cum[a] < target) ++b;
    if (b == p.size()) break;
    const double mass = cum[b + 1] - cum[a];
    if (b - a < best.second - best.first ||
        (b - a == best.second - best.first && mass > best_mass)) {
      best = {a, b};
      best_mass = mass;
    }
  }
  return best;
}

BayesModeFit bayes_mode(const CovariateCaptureTable& table, std::uint64_t mask, double prior_scale,
                        int censored_list) {
  const Design d = make_design(table, censored_list);
  const double g = prior_scale > 0 ? prior_scale : static_cast<double>(d.ncells);
  const ModelProblem mp(d, mask, g);
  const Mode m = find_mode(mp, d);
  BayesModeFit f;
  f.converged = m.converged;
  f.beta.assign(m.beta.data(), m.beta.data() + m.beta.size());
  std::vector<Eigen::Index> cols;
  for (std::size_t j = 0; j < d.term.size(); ++j)
    if (d.term[j] < 0 || (mask >> d.term[j] & 1u)) cols.push_back(static_cast<Eigen::Index>(j));
  f.fitted.resize(d.ncells);
  for (std::size_t i = 0; i < d.ncells; ++i) {
    double eta = 0;
    for (std::size_t j = 0; j < cols.size(); ++j)
      eta += d.x(static_cast<Eigen::Index>(i), cols[j]) * m.beta(static_cast<Eigen::Index>(j));
    f.fitted[i] = std::exp(eta);
  }
  for (auto c : d.missing) f.unobserved += f.fitted[c];
  f.log_marginal_laplace = m.laplace;
  return f;
}

BayesLogLinearResult bayes_loglinear(const CovariateCaptureTable& table,
                                     const BayesLogLinearOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.draws_per_model < 2 * kBatches)
    throw UsageError(
        fmt::format("bayes_loglinear: need at least {} draws per model", 2 * kBatches));
  if (o.censored_list >= table.k())
    throw UsageError("bayes_loglinear: the censored list is not a list of the table");
  const Design d = make_design(table, o.censored_list);
  const std::size_t nterms = d.pair_names.size();
  if (nterms > 62)
    throw UsageError(fmt::format("bayes_loglinear: {} two-way terms: too many factors", nterms));
  const double g = o.prior_scale > 0 ? o.prior_scale : static_cast<double>(d.ncells);
  const std::uint64_t nmodels = std::uint64_t{1} << nterms;
  const int threads = std::max(1, o.threads);

  BayesLogLinearResult r;
  r.models_in_space = nmodels;
  r.terms = d.pair_names;
  r.maximal_model = formula_of(d, nmodels - 1, nullptr);
  r.prior_scale = g;
  r.prior =
      o.prior_scale > 0
          ? fmt::format("normal, precision X'X / {:g}; flat intercept", g)
          : fmt::format("unit information (X'X / {} cells); flat intercept; uniform over models",
                        d.ncells);
  r.cells = static_cast<int>(d.ncells);
  r.missing_cells = static_cast<int>(d.missing.size());
  r.censored_cells = static_cast<int>(d.censored.size());
  r.seed = o.seed;

  // 1. The Laplace approximation of every model's marginal likelihood: all 2^P models when
  //    P <= max_enumerated_terms, else every model a Metropolis chain over the model space
  //    (MC^3, Madigan & York 1995) visits or proposes. Each value is a function of its model
  //    alone, so the outcome does not depend on the threads.
  std::vector<std::uint64_t> candidates;
  std::vector<double> laplace;  // NaN: the mode was not found
  if (nterms <= static_cast<std::size_t>(o.max_enumerated_terms)) {
    r.search = "enumerated";
    candidates.resize(nmodels);
    std::iota(candidates.begin(), candidates.end(), std::uint64_t{0});
    laplace.assign(nmodels, std::numeric_limits<double>::quiet_NaN());
    std::atomic<std::uint64_t> next{0};
    auto work = [&] {
      for (std::uint64_t m; (m = next++) < nmodels;) {
        const Mode mode = find_mode(ModelProblem(d, m, g), d);
        if (mode.converged) laplace[m] = mode.laplace;
      }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
  } else {
    r.search = "MC3";
    // Chain c starts from no interaction (c even) or every interaction (c odd); a step
    // proposes adding or dropping one two-way term, uniformly, and is accepted with
    // probability min(1, p(y | m') / p(y | m)) (Laplace). Every model evaluated is a
    // candidate, visited or not.
    const int chains = std::max(1, o.model_chains);
    std::vector<std::unordered_map<std::uint64_t, double>> cache(static_cast<std::size_t>(chains));
    std::vector<std::unordered_map<std::uint64_t, int>> visits(static_cast<std::size_t>(chains));
    std::vector<std::size_t> accepted(static_cast<std::size_t>(chains), 0);
    auto run_chain = [&](int c) {
      auto& memo = cache[static_cast<std::size_t>(c)];
      auto eval = [&](std::uint64_t m) {
        const auto it = memo.find(m);
        if (it != memo.end()) return it->second;
        const Mode mode = find_mode(ModelProblem(d, m, g), d);
        const double v = mode.converged ? mode.laplace : -std::numeric_limits<double>::infinity();
        memo.emplace(m, v);
        return v;
      };
      Rng rng(o.seed, "bayes_loglinear_models", static_cast<std::uint64_t>(c));
      std::uint64_t cur = c % 2 == 0 ? 0 : nmodels - 1;
      double lcur = eval(cur);
      for (int it = 0; it < o.model_chain_iterations; ++it) {
        const std::uint64_t prop = cur ^ (std::uint64_t{1} << rng.below(nterms));
        const double lprop = eval(prop);
        if (std::log(rng.uniform()) < lprop - lcur) {
          cur = prop;
          lcur = lprop;
          ++accepted[static_cast<std::size_t>(c)];
        }
        ++visits[static_cast<std::size_t>(c)][cur];
      }
    };
    {
      std::atomic<int> next{0};
      auto work = [&] {
        for (int c; (c = next++) < chains;) run_chain(c);
      };
      std::vector<std::thread> pool;
      for (int i = 1; i < threads && i < chains; ++i) pool.emplace_back(work);
      work();
      for (auto& th : pool) th.join();
    }
    std::map<std::uint64_t, double> all;  // ordered: the same candidates in the same order always
    for (const auto& memo : cache)
      for (const auto& [m, v] : memo) all.emplace(m, v);
    for (const auto& [m, v] : all) {
      candidates.push_back(m);
      laplace.push_back(std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN());
    }
    std::size_t total_accepted = 0;
    for (auto a : accepted) total_accepted += a;
    r.model_chain_acceptance = static_cast<double>(total_accepted) /
                               (static_cast<double>(chains) * o.model_chain_iterations);
    r.model_chains = chains;
    r.model_chain_iterations = o.model_chain_iterations;
    std::set<std::uint64_t> visited;
    for (const auto& v : visits)
      for (const auto& [m, n] : v) visited.insert(m);
    r.models_visited = visited.size();
    // Convergence check: the Laplace probability (renormalised over the candidates) of the
    // models that some chain never visited.
    double top = -std::numeric_limits<double>::infinity();
    for (double v : laplace)
      if (!std::isnan(v)) top = std::max(top, v);
    double sum = 0, missed = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (std::isnan(laplace[i])) continue;
      const double w = std::exp(laplace[i] - top);
      sum += w;
      for (const auto& v : visits)
        if (!v.contains(candidates[i])) {
          missed += w;
          break;
        }
    }
    r.mass_missed_by_a_chain = missed / sum;
  }
  r.models_evaluated = candidates.size();
  double best = -std::numeric_limits<double>::infinity();
  for (double v : laplace)
    if (!std::isnan(v)) best = std::max(best, v);
  if (!std::isfinite(best))
    throw InternalError("bayes_loglinear: no model's posterior mode was found");
  double laplace_total = 0;
  for (double v : laplace)
    if (!std::isnan(v)) laplace_total += std::exp(v - best);
  // Kept: the models above the screening threshold, at most max_sampled_models of them (the
  // most probable).
  std::vector<std::pair<double, std::uint64_t>> ranked;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const double prob = std::isnan(laplace[i]) ? 0.0 : std::exp(laplace[i] - best) / laplace_total;
    if (prob >= o.screen_probability) {
      ranked.emplace_back(prob, candidates[i]);
    } else {
      ++r.models_screened_out;
      r.screened_out_probability += prob;
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  while (ranked.size() > static_cast<std::size_t>(std::max(1, o.max_sampled_models))) {
    ++r.models_screened_out;
    r.screened_out_probability += ranked.back().first;
    ranked.pop_back();
  }
  std::vector<std::uint64_t> kept;
  for (const auto& [p, m] : ranked) kept.push_back(m);
  std::sort(kept.begin(), kept.end());

  // 2. Importance sampling for the models kept (the same number of draws for each).
  BayesLogLinearOptions od = o;
  const double budget = static_cast<double>(o.max_total_draws);
  if (static_cast<double>(o.draws_per_model) * static_cast<double>(kept.size()) > budget)
    od.draws_per_model =
        std::max(20 * kBatches,
                 static_cast<int>(budget / static_cast<double>(kept.size())) / kBatches * kBatches);
  r.draws_per_model = od.draws_per_model;
  std::vector<ModelDraws> draws(kept.size());
  {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t i; (i = next++) < kept.size();) {
        const ModelProblem mp(d, kept[i], g);
        draws[i] = draw_model(d, kept[i], od, find_mode(mp, d), mp);
      }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
  }

  // 3. Weights on one scale. With the same number of draws per model and a uniform model
  //    prior, the joint posterior over (model, beta) is the weighted set of all draws.
  double ref = -std::numeric_limits<double>::infinity();
  for (const auto& md : draws)
    for (double lw : md.log_w) ref = std::max(ref, lw);
  const std::size_t S = static_cast<std::size_t>(od.draws_per_model);
  const std::size_t nm = d.missing.size();
  const std::size_t nstrata = table.covariates.empty() ? 0 : table.strata();
  const std::size_t nc = d.censored.size();
  // The series summarised: 0 the total; 1 + l stratum l; then, with two or more covariates,
  // each level of each covariate over the others (a margin). in_series[series][stratum].
  std::vector<std::vector<char>> in_series(1, std::vector<char>(table.strata(), 1));
  std::vector<std::string> series_label{"total"};
  for (std::size_t l = 0; l < nstrata; ++l) {
    in_series.emplace_back(table.strata(), 0);
    in_series.back()[l] = 1;
    series_label.push_back(table.stratum_label(l));
  }
  const std::size_t first_margin = in_series.size();
  if (table.covariates.size() >= 2)
    for (std::size_t c = 0; c < table.covariates.size(); ++c)
      for (std::size_t v = 0; v < table.covariates[c].levels.size(); ++v) {
        in_series.emplace_back(table.strata(), 0);
        for (std::size_t l = 0; l < table.strata(); ++l)
          in_series.back()[l] = table.level_of(l, c) == v;
        series_label.push_back(table.covariates[c].name + "=" + table.covariates[c].levels[v]);
      }
  const std::size_t nseries = in_series.size();
  // The unobserved part of draw s of model i in a series: the Poisson mean of its missing
  // cells, and the censored cells' drawn counts.
  auto unseen = [&](std::size_t i, std::size_t s, std::size_t series) {
    double lam = 0;
    std::int64_t cens = 0;
    const auto& in = in_series[series];
    for (std::size_t j = 0; j < nm; ++j)
      if (in[d.missing_stratum[j]]) lam += draws[i].lambda[s * nm + j];
    for (std::size_t j = 0; j < nc; ++j)
      if (in[d.censored_stratum[j]]) cens += draws[i].censored[s * nc + j];
    return std::pair<double, std::int64_t>{lam, cens};
  };
  auto observed_in_series = [&](std::size_t series) {
    std::int64_t n = 0;
    for (std::size_t l = 0; l < table.strata(); ++l)
      if (in_series[series][l]) n += table.observed_in(l);
    return n;
  };
  // What the series observed for certain (the censored cells' counts are only bounds).
  auto certain = [&](std::size_t series) {
    std::int64_t n = observed_in_series(series);
    for (std::size_t j = 0; j < nc; ++j)
      if (in_series[series][d.censored_stratum[j]])
        n -= static_cast<std::int64_t>(d.y_censored(static_cast<Eigen::Index>(j)));
    return n;
  };
  std::vector<double> w_total(kept.size(), 0.0);
  std::vector<std::vector<double>> weights(kept.size());
  double w_all = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    weights[i].resize(S);
    double sw = 0, sw2 = 0, swl = 0, swll = 0;
    for (std::size_t s = 0; s < S; ++s) {
      const double w = std::exp(draws[i].log_w[s] - ref);
      weights[i][s] = w;
      sw += w;
      sw2 += w * w;
      const auto [lam, cens] = unseen(i, s, 0);
      const double x = lam + static_cast<double>(cens);
      swl += w * x;
      swll += w * (x * x + lam);  // E(X^2) of cens + Poisson(lam)
    }
    w_total[i] = sw;
    w_all += sw;
    BayesModel bm;
    bm.mask = kept[i];
    bm.formula = formula_of(d, kept[i], &bm.interactions);
    bm.parameters = draws[i].p;
    bm.log_marginal = std::log(sw / static_cast<double>(S)) + ref;
    bm.log_marginal_laplace = draws[i].laplace;
    bm.mean = static_cast<double>(certain(0)) + swl / sw;
    bm.sd = std::sqrt(std::max(0.0, swll / sw - (swl / sw) * (swl / sw)));
    bm.ess = sw2 > 0 ? sw * sw / sw2 : 0;
    bm.unobserved_mode = draws[i].unobserved_mode;
    r.models.push_back(bm);
  }
  for (std::size_t i = 0; i < kept.size(); ++i) r.models[i].probability = w_total[i] / w_all;

  // 4. The posterior of N (and per stratum): a mixture of Poissons, by batch.
  const double w_floor = 1e-14 * w_all;
  // mix[series][batch]: series 0 the total, 1 + l stratum l.
  std::vector<std::vector<Mixture>> mix(nseries, std::vector<Mixture>(kBatches));
  std::vector<double> batch_sw(kBatches, 0.0);
  std::vector<std::vector<double>> batch_swl(nseries, std::vector<double>(kBatches, 0.0));
  {
    // Each thread owns whole series, so the sums run in the same order whatever the threads.
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t series; (series = next++) < nseries;) {
        for (std::size_t i = 0; i < kept.size(); ++i)
          for (std::size_t s = 0; s < S; ++s) {
            const double w = weights[i][s];
            if (w < w_floor) continue;
            const std::size_t b = s * kBatches / S;
            const auto [lam, cens] = unseen(i, s, series);
            mix[series][b].add(lam, w, static_cast<std::size_t>(cens));
          }
      }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads && i < static_cast<int>(nseries); ++i) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
  }
  for (std::size_t i = 0; i < kept.size(); ++i)
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t b = s * kBatches / S;
      const double w = weights[i][s];
      batch_sw[b] += w;
      for (std::size_t series = 0; series < nseries; ++series) {
        const auto [lam, cens] = unseen(i, s, series);
        batch_swl[series][b] += w * (lam + static_cast<double>(cens));
      }
    }

  auto summarise = [&](std::size_t series, const std::string& label, std::int64_t observed,
                       const std::vector<double>& swl) {
    PosteriorCount pc;
    pc.label = label;
    pc.observed = observed;
    observed = certain(series);  // the shift of the mixture
    Mixture all;
    std::vector<double> means, lows, highs;
    double sw = 0, swl_all = 0;
    for (int b = 0; b < kBatches; ++b) {
      const auto& v = mix[series][static_cast<std::size_t>(b)];
      all.merge(v);
      sw += batch_sw[static_cast<std::size_t>(b)];
      swl_all += swl[static_cast<std::size_t>(b)];
      means.push_back(static_cast<double>(observed) +
                      swl[static_cast<std::size_t>(b)] / batch_sw[static_cast<std::size_t>(b)]);
      if (!v.dense.empty() || !v.far.empty()) {
        const auto sb = summarise_mixture(v, o.level, observed);
        lows.push_back(sb.hpd_low);
        highs.push_back(sb.hpd_high);
      }
    }
    const auto s = summarise_mixture(std::move(all), o.level, observed);
    pc.mean = static_cast<double>(observed) +
              swl_all / sw;  // exact mixture mean (the pmf's is the same to 1e-12)
    pc.median = s.median;
    pc.sd = s.sd;
    pc.hpd = {s.hpd_low, s.hpd_high, o.level, "highest posterior density"};
    pc.equal_tailed = {s.et_low, s.et_high, o.level, "equal-tailed"};
    pc.mean_se = spread_se(means);
    if (lows.size() == static_cast<std::size_t>(kBatches)) {
      pc.hpd_se_low = spread_se(lows);
      pc.hpd_se_high = spread_se(highs);
    }
    return pc;
  };
  r.total = summarise(0, "total", table.observed(), batch_swl[0]);
  for (std::size_t series = 1; series < nseries; ++series)
    (series < first_margin ? r.strata : r.margins)
        .push_back(
            summarise(series, series_label[series], observed_in_series(series), batch_swl[series]));

  std::sort(r.models.begin(), r.models.end(), [](const BayesModel& a, const BayesModel& b) {
    return a.probability > b.probability || (a.probability == b.probability && a.mask < b.mask);
  });
  r.ess = r.total.mean_se > 0 ? r.total.sd * r.total.sd / (r.total.mean_se * r.total.mean_se) : 0;
  r.min_importance_efficiency = 1.0;
  for (const auto& m : r.models)
    if (m.probability >= 0.01)
      r.min_importance_efficiency =
          std::min(r.min_importance_efficiency, m.ess / static_cast<double>(S));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace joindots::estimate
