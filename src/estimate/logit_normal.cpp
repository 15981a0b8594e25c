#include "estimate/logit_normal.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "estimate/cell_glm.hpp"

namespace joindots::estimate {

namespace {

constexpr int kNodes = 161;  // z in [-8, 8], step 0.1: finer than 1 / sigma
constexpr double kZMax = 8;  // normal density there is e^-32 of its peak
// A logit sd of 4 puts a child one sd above the mean at e^4 = 55 times the odds of the
// average child on every list. Past it the model describes a hidden part of the population
// of any size, which the lists cannot bound (Link 2003): a fit that runs there is unbounded,
// as a latent class that no list sees is (on the simulator's log-normal visibility at
// 100,000 children, fits reached sd 5.5-5.9 and N 9-14 times the truth while fitting the
// observed cells better than any log-linear model).
constexpr double kMaxSigma = 4;
constexpr double kUnboundedRatio = 1000;  // unseen count this many times the observed: unbounded
constexpr int kMaxIterations = 500;

struct Objective {
  int k = 0;
  std::uint32_t cells = 0;
  std::vector<std::uint32_t> terms;  // without the intercept
  std::vector<double> y;             // y[0] = 0
  double n = 0;
  std::vector<double> z, w;  // nodes and weights (summing to 1)
  std::vector<double> q;     // P(c | z_i), node-major, from the last evaluation
  std::vector<double> p;     // P(c)

  double sigma_of(double rho) const { return std::exp(std::min(rho, std::log(kMaxSigma))); }

  // P(c) for parameters x = (beta over terms, log sigma); fills q and p.
  void probabilities(const Eigen::VectorXd& x) {
    const double sigma = sigma_of(x[static_cast<Eigen::Index>(terms.size())]);
    // eta_c = sum of beta_t over the terms t ⊆ c: the subset-sum transform (cell_glm.hpp).
    std::vector<double> eta(cells, 0.0);
    for (std::size_t t = 0; t < terms.size(); ++t) eta[terms[t]] = x[static_cast<Eigen::Index>(t)];
    subset_sums(eta, k);
    q.assign(static_cast<std::size_t>(kNodes) * cells, 0.0);
    p.assign(cells, 0.0);
    for (int i = 0; i < kNodes; ++i) {
      double* qi = &q[static_cast<std::size_t>(i) * cells];
      double top = -std::numeric_limits<double>::infinity();
      for (std::uint32_t c = 0; c < cells; ++c) {
        qi[c] = eta[c] + sigma * z[i] * std::popcount(c);
        top = std::max(top, qi[c]);
      }
      double total = 0;
      for (std::uint32_t c = 0; c < cells; ++c) total += (qi[c] = std::exp(qi[c] - top));
      for (std::uint32_t c = 0; c < cells; ++c) {
        qi[c] /= total;
        p[c] += w[i] * qi[c];
      }
    }
  }

  // Minus the conditional log-likelihood over n, and its gradient.
  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd* grad) {
    probabilities(x);
    const double p0 = p[0];
    if (!(p0 < 1 - 1e-12)) return std::numeric_limits<double>::infinity();
    double ll = -n * std::log1p(-p0);
    std::vector<double> coef(cells, 0.0);
    coef[0] = n / (1 - p0);
    for (std::uint32_t c = 1; c < cells; ++c)
      if (y[c] > 0) {
        ll += y[c] * std::log(std::max(p[c], 1e-300));
        coef[c] = y[c] / std::max(p[c], 1e-300);
      }
    if (grad) {
      const std::size_t nt = terms.size();
      const double sigma = sigma_of(x[static_cast<Eigen::Index>(nt)]);
      const bool capped = x[static_cast<Eigen::Index>(nt)] >= std::log(kMaxSigma);
      // d P(c | z) / d theta = P(c | z) (x_c(z) - E[x(z) | z]); summed with each cell's
      // coefficient: per node, d_c = r_c - R q_c with r_c = w coef_c q_c and R = sum r.
      std::vector<double> per_cell(cells, 0.0);
      double g_rho = 0;
      for (int i = 0; i < kNodes; ++i) {
        const double* qi = &q[static_cast<std::size_t>(i) * cells];
        double big_r = 0;
        for (std::uint32_t c = 0; c < cells; ++c) big_r += w[i] * coef[c] * qi[c];
        for (std::uint32_t c = 0; c < cells; ++c) {
          const double d = w[i] * coef[c] * qi[c] - big_r * qi[c];
          per_cell[c] += d;
          g_rho += d * sigma * z[i] * std::popcount(c);
        }
      }
      grad->setZero(static_cast<Eigen::Index>(nt + 1));
      superset_sums(per_cell, k);  // a term's score sums the cells that hold it
      for (std::size_t t = 0; t < nt; ++t) (*grad)[static_cast<Eigen::Index>(t)] = -per_cell[terms[t]] / n;
      (*grad)[static_cast<Eigen::Index>(nt)] = capped ? 0.0 : -g_rho / n;
    }
    return -ll / n;
  }
};

struct Minimum {
  Eigen::VectorXd x;
  double value = std::numeric_limits<double>::infinity();
  int iterations = 0;
  bool converged = false;
};

// BFGS with an Armijo backtracking line search (Nocedal & Wright 2006, alg. 6.1).
Minimum bfgs(Objective& f, Eigen::VectorXd x) {
  const Eigen::Index dim = x.size();
  Eigen::MatrixXd h = Eigen::MatrixXd::Identity(dim, dim);
  Eigen::VectorXd g(dim), g_new(dim);
  double fx = f(x, &g);
  Minimum m;
  if (!std::isfinite(fx)) return m;
  int it = 0;
  for (; it < kMaxIterations; ++it) {
    if (g.lpNorm<Eigen::Infinity>() < 1e-9) {
      m.converged = true;
      break;
    }
    Eigen::VectorXd d = -h * g;
    double slope = g.dot(d);
    if (slope >= 0) {  // not a descent direction: restart from steepest descent
      h.setIdentity();
      d = -g;
      slope = -g.squaredNorm();
    }
    double step = 1, f_new = 0;
    Eigen::VectorXd x_new;
    for (;;) {
      x_new = x + step * d;
      f_new = f(x_new, &g_new);
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
      if (step < 1e-14) break;
    }
    if (!(step >= 1e-14)) {
      m.converged = g.lpNorm<Eigen::Infinity>() < 1e-6;
      break;
    }
    const Eigen::VectorXd s = x_new - x, yk = g_new - g;
    const double sy = s.dot(yk);
    const bool small_change = std::abs(fx - f_new) < 1e-14 * std::max(1.0, std::abs(fx));
    x = x_new;
    fx = f_new;
    g = g_new;
    if (small_change && g.lpNorm<Eigen::Infinity>() < 1e-6) {
      m.converged = true;
      break;
    }
    if (sy > 1e-16) {
      if (it == 0) h *= sy / yk.squaredNorm();
      const double rho = 1 / sy;
      const Eigen::VectorXd hy = h * yk;
      h += (rho * rho * yk.dot(hy) + rho) * (s * s.transpose()) - rho * (hy * s.transpose() + s * hy.transpose());
    }
  }
  m.x = x;
  m.value = fx;
  m.iterations = it;
  return m;
}

}  // namespace

LogitNormalFit fit_logit_normal(const CaptureTable& table, const LogLinearModel& model) {
  const int k = table.k();
  if (model.k() != k) throw UsageError("logit-normal model: the model's lists are not the table's");
  Objective f;
  f.k = k;
  f.cells = table.cells();
  for (auto t : model.terms())
    if (t != 0) f.terms.push_back(t);
  f.y.assign(f.cells, 0.0);
  for (std::uint32_t c = 1; c < f.cells; ++c) f.y[c] = static_cast<double>(table.counts[c]);
  f.n = static_cast<double>(table.observed());
  if (f.n <= 0) throw UsageError("logit-normal model: the table is empty");
  double total_w = 0;
  for (int i = 0; i < kNodes; ++i) {
    const double z = -kZMax + 2 * kZMax * i / (kNodes - 1);
    f.z.push_back(z);
    f.w.push_back(std::exp(-0.5 * z * z));
    total_w += f.w.back();
  }
  for (double& v : f.w) v /= total_w;

  const Eigen::Index nt = static_cast<Eigen::Index>(f.terms.size());
  Minimum best;
  // Starts: each list's chance at half its observed share (the unseen as many as the seen),
  // no interaction, and sigma small, moderate and large: the likelihood in sigma can have
  // a shoulder where the table barely tells a visible core from a hidden rest.
  for (double sigma0 : {0.3, 1.0, 2.5}) {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(nt + 1);
    for (Eigen::Index t = 0; t < nt; ++t)
      if (std::popcount(f.terms[static_cast<std::size_t>(t)]) == 1) {
        const int j = std::countr_zero(f.terms[static_cast<std::size_t>(t)]);
        const double chance = std::clamp(static_cast<double>(table.list_total(j)) / (2 * f.n), 1e-4, 0.9);
        x[t] = std::log(chance / (1 - chance));
      }
    x[nt] = std::log(sigma0);
    auto m = bfgs(f, x);
    if (m.value < best.value - 1e-12) best = std::move(m);
  }
  LogitNormalFit fit;
  fit.df = static_cast<int>(f.cells) - 1 - static_cast<int>(model.terms().size()) - 1;
  if (!std::isfinite(best.value)) {
    fit.bounded = false;
    fit.estimate = std::numeric_limits<double>::infinity();
    fit.deviance = std::numeric_limits<double>::infinity();
    return fit;
  }
  f.probabilities(best.x);
  const double p0 = f.p[0];
  fit.sigma = f.sigma_of(best.x[nt]);
  fit.iterations = best.iterations;
  fit.converged = best.converged;
  fit.log_likelihood = -best.value * f.n;
  fit.bounded = fit.sigma < 0.99 * kMaxSigma && p0 < 1 && f.n * p0 / (1 - p0) < kUnboundedRatio * f.n;
  fit.estimate = fit.bounded ? f.n / (1 - p0) : std::numeric_limits<double>::infinity();
  for (std::uint32_t c = 1; c < f.cells; ++c)
    if (f.y[c] > 0) fit.deviance += 2 * f.y[c] * std::log(f.y[c] / (f.n * f.p[c] / (1 - p0)));
  return fit;
}

std::string logit_normal_label(const LogLinearModel& model, const LogitNormalFit& fit) {
  return fmt::format("{}+logit-normal (sd {:.2f})", model.to_string(), fit.sigma);
}

}  // namespace joindots::estimate
