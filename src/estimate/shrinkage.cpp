#include "estimate/shrinkage.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "estimate/lcmcr.hpp"
#include "estimate/loglinear_model.hpp"
#include "estimate/poisson_mixture.hpp"

namespace joindots::estimate {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
constexpr double kInf = std::numeric_limits<double>::infinity();

// The log posterior over theta = (b_0, b_1..b_K, g or z per pair, log tau unless fixed).
struct Target {
  int k = 0, npairs = 0, d = 0;
  bool centred = false, free_tau = true, has_mean = false;
  ShrinkageOptions o;
  std::vector<double> y;                       // observed cells 1 .. 2^K - 1
  std::vector<std::vector<int>> mains, pairs;  // per cell: its lists, its pairs

  int pair_index(int p) const { return 1 + k + p; }
  int mean_index() const { return 1 + k + npairs; }
  double mean(const VectorXd& th) const { return has_mean ? th[mean_index()] : 0.0; }
  double tau(const VectorXd& th) const { return free_tau ? std::exp(th[d - 1]) : o.fixed_tau; }

  // An interaction's prior at its standardised value u = (g - m) / tau, up to a constant:
  // normal, or Student-t with interaction_df degrees of freedom; and minus its derivative.
  double log_prior(double u) const {
    const double nu = o.interaction_df;
    return nu > 0 ? -0.5 * (nu + 1) * std::log1p(u * u / nu) : -0.5 * u * u;
  }
  double prior_score(double u) const {
    const double nu = o.interaction_df;
    return nu > 0 ? (nu + 1) * u / (nu + u * u) : u;
  }

  double log_post(const VectorXd& th, VectorXd* grad) const {
    const double t = tau(th), mg = mean(th);
    VectorXd g(npairs), gl = VectorXd::Zero(npairs);
    for (int p = 0; p < npairs; ++p) g[p] = centred ? th[pair_index(p)] : mg + t * th[pair_index(p)];
    VectorXd gr = VectorXd::Zero(d);
    double lp = 0;
    for (std::size_t c = 0; c < y.size(); ++c) {
      double eta = th[0];
      for (int i : mains[c]) eta += th[1 + i];
      for (int p : pairs[c]) eta += g[p];
      if (!(eta < 600)) return -kInf;
      const double m = std::exp(eta), r = y[c] - m;
      lp += y[c] * eta - m;
      gr[0] += r;
      for (int i : mains[c]) gr[1 + i] += r;
      for (int p : pairs[c]) gl[p] += r;
    }
    if (std::isfinite(o.main_effect_sd)) {
      const double prec = 1.0 / (o.main_effect_sd * o.main_effect_sd);
      for (int i = 0; i < k; ++i) lp -= 0.5 * prec * th[1 + i] * th[1 + i], gr[1 + i] -= prec * th[1 + i];
    }
    double grad_s = 0, grad_m = 0;
    if (centred) {
      const VectorXd dev = g.array() - mg;
      lp -= npairs * std::log(t);
      grad_s = -npairs;
      for (int p = 0; p < npairs; ++p) {
        const double u = dev[p] / t;  // standardised
        const double psi = prior_score(u);
        lp += log_prior(u);
        gr[pair_index(p)] = gl[p] - psi / t;
        grad_s += psi * u;
        grad_m += psi / t;
      }
    } else {
      for (int p = 0; p < npairs; ++p) {
        const double z = th[pair_index(p)];
        lp += log_prior(z);
        gr[pair_index(p)] = t * gl[p] - prior_score(z);
        grad_s += (g[p] - mg) * gl[p];
        grad_m += gl[p];
      }
    }
    if (has_mean) {
      const double prec = 1.0 / (o.interaction_mean_sd * o.interaction_mean_sd);
      const double dm = mg - o.interaction_mean_centre;
      lp -= 0.5 * prec * dm * dm;
      gr[mean_index()] = grad_m - prec * dm;
    }
    if (free_tau) {
      const double s2 = o.tau_scale * o.tau_scale;
      if (o.tau_prior == TauPrior::HalfNormal) {
        lp += -0.5 * t * t / s2 + th[d - 1];
        grad_s += -t * t / s2 + 1;
      } else {
        lp += -std::log1p(t * t / s2) + th[d - 1];
        grad_s += -2 * t * t / (s2 + t * t) + 1;
      }
      gr[d - 1] = grad_s;
    }
    if (grad) *grad = gr;
    return lp;
  }

  // Minus the Hessian of the log posterior in every coordinate but log tau (held fixed).
  MatrixXd hessian(const VectorXd& th) const {
    const int m = 1 + k + npairs + has_mean;
    const double t = tau(th), mg = mean(th);
    MatrixXd h = MatrixXd::Zero(m, m);
    std::vector<int> idx;
    std::vector<double> w;
    for (std::size_t c = 0; c < y.size(); ++c) {
      idx.assign(1, 0);
      w.assign(1, 1.0);
      double eta = th[0];
      for (int i : mains[c]) idx.push_back(1 + i), w.push_back(1.0), eta += th[1 + i];
      for (int p : pairs[c]) {
        idx.push_back(pair_index(p));
        w.push_back(centred ? 1.0 : t);
        eta += centred ? th[pair_index(p)] : mg + t * th[pair_index(p)];
      }
      if (has_mean && !centred && !pairs[c].empty())
        idx.push_back(mean_index()), w.push_back(static_cast<double>(pairs[c].size()));
      const double mu = std::exp(std::min(eta, 600.0));
      for (std::size_t a = 0; a < idx.size(); ++a)
        for (std::size_t b = 0; b < idx.size(); ++b) h(idx[a], idx[b]) += mu * w[a] * w[b];
    }
    if (std::isfinite(o.main_effect_sd))
      for (int i = 0; i < k; ++i) h(1 + i, 1 + i) += 1.0 / (o.main_effect_sd * o.main_effect_sd);
    for (int p = 0; p < npairs; ++p) h(pair_index(p), pair_index(p)) += centred ? 1.0 / (t * t) : 1.0;
    if (has_mean) {
      h(mean_index(), mean_index()) += 1.0 / (o.interaction_mean_sd * o.interaction_mean_sd);
      if (centred) {
        h(mean_index(), mean_index()) += npairs / (t * t);
        for (int p = 0; p < npairs; ++p) {
          h(pair_index(p), mean_index()) -= 1 / (t * t);
          h(mean_index(), pair_index(p)) -= 1 / (t * t);
        }
      }
    }
    return h;
  }
};

Target make_target(const CaptureTable& table, const ShrinkageOptions& o) {
  Target tg;
  tg.o = o;
  tg.k = table.k();
  std::vector<std::uint32_t> pairs = o.pairs.empty() ? all_pairs(tg.k) : o.pairs;
  tg.npairs = static_cast<int>(pairs.size());
  tg.free_tau = !(o.fixed_tau > 0);
  tg.has_mean = o.interaction_mean_sd > 0;
  tg.d = 1 + tg.k + tg.npairs + (tg.has_mean ? 1 : 0) + (tg.free_tau ? 1 : 0);
  bool well_informed = true;
  for (auto pm : pairs) {
    std::int64_t overlap = 0;
    for (std::uint32_t c = 1; c < table.cells(); ++c)
      if ((c & pm) == pm) overlap += table.counts[c];
    well_informed = well_informed && overlap >= o.centred_overlap;
  }
  tg.centred = well_informed;
  for (std::uint32_t c = 1; c < table.cells(); ++c) {
    tg.y.push_back(static_cast<double>(table.counts[c]));
    std::vector<int> mains, ps;
    for (int i = 0; i < tg.k; ++i)
      if (c >> i & 1u) mains.push_back(i);
    for (int p = 0; p < tg.npairs; ++p)
      if ((c & pairs[static_cast<std::size_t>(p)]) == pairs[static_cast<std::size_t>(p)]) ps.push_back(p);
    tg.mains.push_back(std::move(mains));
    tg.pairs.push_back(std::move(ps));
  }
  return tg;
}

// The posterior mode with log tau held at its start, by damped Newton; the start of the
// chains and the first mass matrix.
struct Start {
  VectorXd mode;
  MatrixXd cov;  // d x d: the inverse Hessian, log tau's variance on the diagonal
};

Start find_start(const CaptureTable& table, const Target& tg) {
  const int m = 1 + tg.k + tg.npairs + tg.has_mean;
  VectorXd th = VectorXd::Zero(tg.d);
  const double n = static_cast<double>(table.observed());
  th[0] = std::log(n);
  for (int i = 0; i < tg.k; ++i) th[1 + i] = std::log(std::max(0.5, static_cast<double>(table.list_total(i))) / n);
  if (tg.free_tau) th[tg.d - 1] = std::log(0.67 * tg.o.tau_scale);
  VectorXd grad;
  double lp = tg.log_post(th, &grad);
  for (int it = 0; it < 100; ++it) {
    const MatrixXd h = tg.hessian(th);
    const VectorXd step = h.ldlt().solve(grad.head(m));
    double f = 1.0;
    VectorXd next = th;
    double lp_next = -kInf;
    for (int half = 0; half < 30; ++half, f *= 0.5) {
      next.head(m) = th.head(m) + f * step;
      lp_next = tg.log_post(next, nullptr);
      if (lp_next >= lp - 1e-10) break;
    }
    if (!(lp_next >= lp - 1e-10)) break;
    th = next;
    lp = tg.log_post(th, &grad);
    if (f * step.norm() < 1e-8) break;
  }
  Start s;
  s.mode = th;
  s.cov = MatrixXd::Zero(tg.d, tg.d);
  s.cov.topLeftCorner(m, m) = tg.hessian(th).inverse();
  if (tg.free_tau) s.cov(tg.d - 1, tg.d - 1) = 0.25;
  return s;
}

// One chain of HMC with a dense mass matrix (inverse of `cov`), warm-up as Stan's windows.
struct Chain {
  std::vector<double> log_mu0, tau;
  std::vector<std::vector<double>> g;  // per draw, per pair
  std::vector<double> mean;
  double accept_sum = 0, steps_sum = 0, step_size = 0;
  int divergences = 0;
};

struct DualAveraging {
  double mu = 0, hbar = 0, log_eps = 0, log_eps_bar = 0;
  int m = 0;
  void restart(double eps) { mu = std::log(10 * eps), hbar = 0, log_eps = std::log(eps), log_eps_bar = 0, m = 0; }
  void update(double alpha) {
    constexpr double kDelta = 0.9, kGamma = 0.05, kT0 = 10, kKappa = 0.75;
    ++m;
    const double eta = 1.0 / (m + kT0);
    hbar = (1 - eta) * hbar + eta * (kDelta - alpha);
    log_eps = mu - std::sqrt(static_cast<double>(m)) / kGamma * hbar;
    const double x = std::pow(static_cast<double>(m), -kKappa);
    log_eps_bar = x * log_eps + (1 - x) * log_eps_bar;
  }
};

class Hmc {
 public:
  Hmc(const Target& tg, const MatrixXd& cov) : tg_(tg) { set_cov(cov); }
  void set_cov(const MatrixXd& cov) {
    cov_ = cov;
    chol_ = cov.llt().matrixL();
  }
  // One transition from th (log posterior lp, gradient gr): the acceptance probability.
  double step(Rng& rng, double eps, VectorXd& th, double& lp, VectorXd& gr, int& steps, bool& divergent) {
    constexpr double kTime = 2.0;
    steps = std::clamp(static_cast<int>(std::ceil(kTime * (0.5 + rng.uniform()) / eps)), 1, 400);
    VectorXd xi(tg_.d);
    for (int i = 0; i < tg_.d; ++i) xi[i] = rng.normal();
    VectorXd p = chol_.transpose().triangularView<Eigen::Upper>().solve(xi);
    const double h0 = -lp + 0.5 * xi.squaredNorm();
    VectorXd q = th, g = gr;
    double lq = lp;
    p += 0.5 * eps * g;
    divergent = false;
    for (int l = 0; l < steps; ++l) {
      q += eps * (cov_ * p);
      lq = tg_.log_post(q, &g);
      if (!std::isfinite(lq)) break;
      if (l + 1 < steps) p += eps * g;
    }
    double alpha = 0;
    if (std::isfinite(lq)) {
      p += 0.5 * eps * g;
      const double h1 = -lq + 0.5 * (chol_.transpose() * p).squaredNorm();
      divergent = h1 - h0 > 1000;
      alpha = std::isfinite(h1) ? std::min(1.0, std::exp(h0 - h1)) : 0.0;
    } else {
      divergent = true;
    }
    if (rng.uniform() < alpha) th = q, lp = lq, gr = g;
    return alpha;
  }

 private:
  const Target& tg_;
  MatrixXd cov_, chol_;
};

// Stan's warm-up windows for `warmup` iterations: the ends of the windows after which the
// mass matrix is re-estimated.
std::vector<int> window_ends(int warmup) {
  const int init = warmup * 75 / 1000, term = warmup * 50 / 1000;
  std::vector<int> ends;
  int start = init, size = std::max(1, warmup * 25 / 1000);
  while (start + size < warmup - term) {
    int end = start + size;
    if (end + 2 * size > warmup - term) end = warmup - term;
    ends.push_back(end);
    start = end;
    size *= 2;
  }
  return ends;
}

MatrixXd regularised_cov(const std::vector<VectorXd>& draws) {
  const auto n = static_cast<double>(draws.size());
  VectorXd mean = VectorXd::Zero(draws.front().size());
  for (const auto& x : draws) mean += x;
  mean /= n;
  MatrixXd s = MatrixXd::Zero(mean.size(), mean.size());
  for (const auto& x : draws) s += (x - mean) * (x - mean).transpose();
  s /= std::max(1.0, n - 1);
  return (n / (n + 5)) * s + 1e-3 * (5 / (n + 5)) * MatrixXd::Identity(mean.size(), mean.size());
}

Chain run_chain(const Target& tg, const Start& start, const ShrinkageOptions& o, int chain) {
  Rng rng(o.seed, "loglinear_shrinkage", static_cast<std::uint64_t>(chain));
  // A dispersed start: the mode plus a draw from twice the Laplace approximation's spread.
  const MatrixXd l0 = start.cov.llt().matrixL();
  VectorXd xi(tg.d);
  for (int i = 0; i < tg.d; ++i) xi[i] = 2.0 * rng.normal();
  VectorXd th = start.mode + l0 * xi, gr;
  double lp = tg.log_post(th, &gr);
  if (!std::isfinite(lp)) th = start.mode, lp = tg.log_post(th, &gr);
  Hmc hmc(tg, start.cov);
  DualAveraging da;
  double eps = 0.5;
  da.restart(eps);
  const auto ends = window_ends(o.warmup);
  std::size_t next_end = 0;
  const int window_start = o.warmup * 75 / 1000;
  std::vector<VectorXd> window;
  Chain out;
  for (int it = 0; it < o.warmup + o.samples; ++it) {
    int steps = 0;
    bool divergent = false;
    const double alpha = hmc.step(rng, eps, th, lp, gr, steps, divergent);
    if (it < o.warmup) {
      da.update(alpha);
      eps = std::exp(da.log_eps);
      if (it >= window_start) window.push_back(th);
      if (next_end < ends.size() && it + 1 == ends[next_end]) {
        hmc.set_cov(regularised_cov(window));
        window.clear();
        ++next_end;
        da.restart(eps);
      }
      if (it + 1 == o.warmup) eps = std::exp(da.log_eps_bar), out.step_size = eps;
      continue;
    }
    out.accept_sum += alpha;
    out.steps_sum += steps;
    out.divergences += divergent;
    out.log_mu0.push_back(th[0]);
    out.tau.push_back(tg.tau(th));
    std::vector<double> g(static_cast<std::size_t>(tg.npairs));
    for (int p = 0; p < tg.npairs; ++p)
      g[static_cast<std::size_t>(p)] =
          tg.centred ? th[tg.pair_index(p)] : tg.mean(th) + tg.tau(th) * th[tg.pair_index(p)];
    out.g.push_back(std::move(g));
    out.mean.push_back(tg.mean(th));
  }
  return out;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  return i + 1 < v.size() ? v[i] + (pos - static_cast<double>(i)) * (v[i + 1] - v[i]) : v.back();
}

void summarise(const CaptureTable& table, const ShrinkageOptions& o, const std::vector<Chain>& chains,
               ShrinkageResult& r) {
  bayes::Mixture mix;
  std::vector<std::vector<double>> per_chain;
  std::vector<double> taus, means;
  double accept = 0, steps = 0;
  int draws = 0;
  for (const auto& c : chains) {
    per_chain.push_back(c.log_mu0);
    for (double l : c.log_mu0) mix.add(std::exp(l), 1.0), r.log_unobserved.push_back(l);
    taus.insert(taus.end(), c.tau.begin(), c.tau.end());
    means.insert(means.end(), c.mean.begin(), c.mean.end());
    accept += c.accept_sum, steps += c.steps_sum, draws += static_cast<int>(c.log_mu0.size());
    r.divergences += c.divergences;
    r.step_size += c.step_size / static_cast<double>(chains.size());
  }
  const auto s = bayes::summarise_mixture(std::move(mix), o.level, table.observed());
  r.median = s.median, r.mean = s.mean, r.sd = s.sd;
  r.interval.low = s.et_low, r.interval.high = s.et_high, r.interval.level = o.level;
  r.interval.kind = fmt::format("{:.0f}% equal-tailed posterior interval", 100 * o.level);
  r.hpd.low = s.hpd_low, r.hpd.high = s.hpd_high, r.hpd.level = o.level;
  r.hpd.kind = fmt::format("{:.0f}% highest posterior density", 100 * o.level);
  r.acceptance = accept / draws;
  r.mean_leapfrog_steps = steps / draws;
  r.rhat = chains.size() > 1 || draws >= 4 ? split_rhat(per_chain) : 1.0;
  r.ess = effective_sample_size(per_chain);
  const double a = 0.5 * (1 - o.level);
  r.tau_median = quantile(taus, 0.5);
  r.mean_interaction = quantile(means, 0.5);
  r.tau_interval.low = quantile(taus, a), r.tau_interval.high = quantile(taus, 1 - a), r.tau_interval.level = o.level;
  for (std::size_t p = 0; p < r.pairs.size(); ++p) {
    std::vector<double> gp;
    for (const auto& c : chains)
      for (const auto& g : c.g) gp.push_back(g[p]);
    r.interaction_median.push_back(quantile(gp, 0.5));
  }
}

}  // namespace

ShrinkageResult loglinear_shrinkage(const CaptureTable& table, const ShrinkageOptions& o) {
  if (o.chains < 1 || o.samples < 10 || o.warmup < 20)
    throw UsageError("loglinear_shrinkage: at least 1 chain, 20 warm-up iterations and 10 kept draws");
  if (!(o.tau_scale > 0)) throw UsageError("loglinear_shrinkage: the prior scale of tau must be positive");
  const auto t0 = std::chrono::steady_clock::now();
  Target tg = make_target(table, o);
  auto run = [&](const Target& t) {
    const Start start = find_start(table, t);
    std::vector<Chain> chains;
    for (int c = 0; c < o.chains; ++c) chains.push_back(run_chain(t, start, o, c));
    ShrinkageResult r;
    r.observed = table.observed();
    r.pairs = o.pairs.empty() ? all_pairs(table.k()) : o.pairs;
    r.centred = t.centred;
    summarise(table, o, chains, r);
    return r;
  };
  ShrinkageResult r = run(tg);
  // The parametrisation chosen by the overlaps can be the wrong one: centred sampling meets
  // Neal's funnel when the interactions are all near 0 (tau near 0, e.g. independent lists
  // on a dense table). When the chains did not mix, the other one is tried and the better kept.
  auto poor = [&](const ShrinkageResult& x) {
    return x.rhat > 1.05 || x.divergences > 0.01 * o.chains * o.samples;
  };
  if (poor(r)) {
    tg.centred = !tg.centred;
    ShrinkageResult other = run(tg);
    if (other.rhat < r.rhat && other.divergences <= r.divergences + 0.01 * o.chains * o.samples) r = std::move(other);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace joindots::estimate
