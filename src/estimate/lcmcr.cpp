#include "estimate/lcmcr.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "core/rng.hpp"
#include "estimate/bootstrap.hpp"
#include "estimate/loglinear.hpp"
#include "estimate/sampling.hpp"

namespace joindots::estimate {

namespace {

struct Chain {
  std::vector<double> draws;
  double seconds = 0;
};

Chain run_chain(const CaptureTable& table, const LcmcrOptions& o, int chain_id,
                const std::vector<double>& start_capture) {
  Rng rng(o.seed, "lcmcr", static_cast<std::uint64_t>(chain_id));
  const int kl = table.k();
  const int kc = o.max_classes;
  std::vector<std::uint32_t> pats;
  std::vector<std::int64_t> cnt;
  for (std::uint32_t c = 1; c < table.cells(); ++c)
    if (table.counts[c] > 0) {
      pats.push_back(c);
      cnt.push_back(table.counts[c]);
    }
  const std::int64_t n = table.observed();

  std::vector<double> lambda(static_cast<std::size_t>(kc * kl)), pi(static_cast<std::size_t>(kc)),
      v(static_cast<std::size_t>(kc)), w(static_cast<std::size_t>(kc)), miss(static_cast<std::size_t>(kc));
  std::vector<std::int64_t> m(static_cast<std::size_t>(kc)), s(static_cast<std::size_t>(kc * kl));
  auto lam = [&](int k, int j) -> double& { return lambda[static_cast<std::size_t>(k * kl + j)]; };
  // Start near the independence model (capture probabilities n_j / N^ with N^ its MLE,
  // jittered by class): starting from the prior, a chain can sit for tens of thousands of
  // iterations in a low-N mode (seen on the UK 2013 table).
  double alpha = 1.0;
  for (int k = 0; k < kc; ++k) {
    for (int j = 0; j < kl; ++j)
      lam(k, j) = std::clamp(start_capture[static_cast<std::size_t>(j)] * (0.75 + 0.5 * rng.uniform()), 0.01, 0.99);
    v[static_cast<std::size_t>(k)] = k + 1 < kc ? rng.beta(1.0, alpha) : 1.0;
  }
  auto set_pi = [&] {
    double rest = 1.0;
    for (int k = 0; k < kc; ++k) {
      pi[static_cast<std::size_t>(k)] = v[static_cast<std::size_t>(k)] * rest;
      rest *= 1.0 - v[static_cast<std::size_t>(k)];
    }
  };
  set_pi();

  Chain out;
  out.draws.reserve(static_cast<std::size_t>(o.samples));
  const auto t0 = std::chrono::steady_clock::now();
  const long total_iter = static_cast<long>(o.burn_in) + static_cast<long>(o.samples) * o.thin;
  for (long it = 0; it < total_iter; ++it) {
    std::fill(m.begin(), m.end(), 0);
    std::fill(s.begin(), s.end(), 0);
    std::vector<std::int64_t> split(static_cast<std::size_t>(kc));
    // 1. classes of the observed, pattern by pattern.
    for (std::size_t i = 0; i < pats.size(); ++i) {
      double total = 0;
      for (int k = 0; k < kc; ++k) {
        double pr = pi[static_cast<std::size_t>(k)];
        for (int j = 0; j < kl; ++j) pr *= (pats[i] >> j & 1u) ? lam(k, j) : 1.0 - lam(k, j);
        w[static_cast<std::size_t>(k)] = pr;
        total += pr;
      }
      std::fill(split.begin(), split.end(), 0);
      multinomial_add(rng, cnt[i], w, total, split);
      for (int k = 0; k < kc; ++k) {
        const std::int64_t x = split[static_cast<std::size_t>(k)];
        if (x == 0) continue;
        m[static_cast<std::size_t>(k)] += x;
        for (int j = 0; j < kl; ++j)
          if (pats[i] >> j & 1u) s[static_cast<std::size_t>(k * kl + j)] += x;
      }
    }
    // 2. the unobserved: how many, and their classes.
    double p0 = 0;
    for (int k = 0; k < kc; ++k) {
      double pr = pi[static_cast<std::size_t>(k)];
      for (int j = 0; j < kl; ++j) pr *= 1.0 - lam(k, j);
      miss[static_cast<std::size_t>(k)] = pr;
      p0 += pr;
    }
    p0 = std::min(p0, 1.0 - 1e-12);
    const std::int64_t n0 =
        p0 > 0 ? rng.negative_binomial(static_cast<double>(n) * p0 / (1.0 - p0), static_cast<double>(n)) : 0;
    if (n0 > 0) multinomial_add(rng, n0, miss, p0, m);
    // 3. capture probabilities.
    for (int k = 0; k < kc; ++k)
      for (int j = 0; j < kl; ++j) {
        const double sj = static_cast<double>(s[static_cast<std::size_t>(k * kl + j)]);
        lam(k, j) = rng.beta(1.0 + sj, 1.0 + static_cast<double>(m[static_cast<std::size_t>(k)]) - sj);
      }
    // 4. stick-breaking weights.
    std::int64_t above = 0;
    for (int k = kc - 1; k >= 0; --k) {
      if (k + 1 < kc)
        v[static_cast<std::size_t>(k)] =
            rng.beta(1.0 + static_cast<double>(m[static_cast<std::size_t>(k)]), alpha + static_cast<double>(above));
      above += m[static_cast<std::size_t>(k)];
    }
    set_pi();
    // 5. the concentration.
    double sum_log = 0;
    for (int k = 0; k + 1 < kc; ++k) sum_log += std::log(std::max(1.0 - v[static_cast<std::size_t>(k)], 1e-300));
    alpha = rng.gamma(o.alpha_shape + kc - 1, 1.0 / (o.alpha_rate - sum_log));
    alpha = std::max(alpha, 1e-300);

    if (it >= o.burn_in && (it - o.burn_in) % o.thin == 0) out.draws.push_back(static_cast<double>(n + n0));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

double mean_of(const std::vector<double>& x, std::size_t b, std::size_t e) {
  double s = 0;
  for (std::size_t i = b; i < e; ++i) s += x[i];
  return s / static_cast<double>(e - b);
}

}  // namespace

double split_rhat(const std::vector<std::vector<double>>& chains) {
  std::vector<std::pair<const std::vector<double>*, std::pair<std::size_t, std::size_t>>> halves;
  std::size_t len = std::numeric_limits<std::size_t>::max();
  for (const auto& c : chains) len = std::min(len, c.size() / 2);
  if (len < 2 || chains.empty()) return std::numeric_limits<double>::quiet_NaN();
  for (const auto& c : chains) {
    halves.push_back({&c, {0, len}});
    halves.push_back({&c, {c.size() - len, c.size()}});
  }
  const double nd = static_cast<double>(len);
  std::vector<double> means, vars;
  for (auto& [c, r] : halves) {
    const double mu = mean_of(*c, r.first, r.second);
    double ss = 0;
    for (std::size_t i = r.first; i < r.second; ++i) ss += ((*c)[i] - mu) * ((*c)[i] - mu);
    means.push_back(mu);
    vars.push_back(ss / (nd - 1.0));
  }
  const double w = std::accumulate(vars.begin(), vars.end(), 0.0) / static_cast<double>(vars.size());
  const double grand = std::accumulate(means.begin(), means.end(), 0.0) / static_cast<double>(means.size());
  double b = 0;
  for (double mu : means) b += (mu - grand) * (mu - grand);
  b *= nd / (static_cast<double>(means.size()) - 1.0);
  if (w <= 0) return b <= 0 ? 1.0 : std::numeric_limits<double>::infinity();
  const double var_plus = (nd - 1.0) / nd * w + b / nd;
  return std::sqrt(var_plus / w);
}

double effective_sample_size(const std::vector<std::vector<double>>& chains) {
  if (chains.empty()) return 0;
  std::size_t n = std::numeric_limits<std::size_t>::max();
  for (const auto& c : chains) n = std::min(n, c.size());
  if (n < 4) return 0;
  const double nd = static_cast<double>(n);
  const std::size_t m = chains.size();
  std::vector<double> means(m), vars(m);
  for (std::size_t i = 0; i < m; ++i) {
    means[i] = mean_of(chains[i], 0, n);
    double ss = 0;
    for (std::size_t t = 0; t < n; ++t) ss += (chains[i][t] - means[i]) * (chains[i][t] - means[i]);
    vars[i] = ss / (nd - 1.0);
  }
  const double w = std::accumulate(vars.begin(), vars.end(), 0.0) / static_cast<double>(m);
  double b = 0;
  if (m > 1) {
    const double grand = std::accumulate(means.begin(), means.end(), 0.0) / static_cast<double>(m);
    for (double mu : means) b += (mu - grand) * (mu - grand);
    b *= nd / (static_cast<double>(m) - 1.0);
  }
  const double var_plus = (nd - 1.0) / nd * w + b / nd;
  if (var_plus <= 0) return static_cast<double>(m) * nd;
  auto rho = [&](std::size_t lag) {
    double acov = 0;  // mean over chains of the lag autocovariance
    for (std::size_t i = 0; i < m; ++i) {
      double s = 0;
      for (std::size_t t = 0; t + lag < n; ++t) s += (chains[i][t] - means[i]) * (chains[i][t + lag] - means[i]);
      acov += s / nd;
    }
    acov /= static_cast<double>(m);
    return 1.0 - (w - acov) / var_plus;
  };
  // Geyer's initial positive sequence: sum pairs rho_{2t} + rho_{2t+1} while positive.
  double sum = 0;
  double prev_pair = std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; 2 * t + 1 < n; ++t) {
    double pair = rho(2 * t) + rho(2 * t + 1);
    if (pair <= 0) break;
    pair = std::min(pair, prev_pair);  // initial monotone sequence
    sum += pair;
    prev_pair = pair;
  }
  const double tau = -1.0 + 2.0 * sum;
  return static_cast<double>(m) * nd / std::max(tau, 1.0 / std::log10(std::max(10.0, nd)));
}

LcmcrResult run_lcmcr(const CaptureTable& table, const LcmcrOptions& o) {
  if (o.max_classes < 1) throw std::invalid_argument("run_lcmcr: max_classes: must be >= 1");
  if (o.chains < 1 || o.samples < 2 || o.burn_in < 0 || o.thin < 1)
    throw std::invalid_argument("run_lcmcr: chains >= 1, samples >= 2, burn_in >= 0, thin >= 1");
  if (!(o.alpha_shape > 0 && o.alpha_rate > 0)) throw std::invalid_argument("run_lcmcr: alpha prior: must be positive");
  if (table.observed() <= 0) throw std::invalid_argument("run_lcmcr: table: no one observed");
  const auto t0 = std::chrono::steady_clock::now();
  const auto indep = fit_loglinear(table, LogLinearModel(table.k()));
  const double n_start = indep.ok() ? indep.estimate : 2.0 * static_cast<double>(table.observed());
  std::vector<double> start;
  for (int j = 0; j < table.k(); ++j) start.push_back(static_cast<double>(table.list_total(j)) / n_start);
  std::vector<Chain> chains(static_cast<std::size_t>(o.chains));
  const int threads = std::max(1, std::min(o.threads, o.chains));
  auto work = [&](int worker) {
    for (int c = worker; c < o.chains; c += threads) chains[static_cast<std::size_t>(c)] = run_chain(table, o, c, start);
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& t : pool) t.join();
  }
  LcmcrResult r;
  std::vector<double> all;
  double chain_seconds = 0;
  for (auto& c : chains) {
    all.insert(all.end(), c.draws.begin(), c.draws.end());
    chain_seconds += c.seconds;
    r.draws.push_back(std::move(c.draws));
  }
  std::sort(all.begin(), all.end());
  const double a = (1.0 - o.level) / 2.0;
  r.median = quantile_sorted(all, 0.5);
  r.mean = std::accumulate(all.begin(), all.end(), 0.0) / static_cast<double>(all.size());
  r.interval.level = o.level;
  r.interval.kind = "posterior equal-tailed credible interval";
  r.interval.low = quantile_sorted(all, a);
  r.interval.high = quantile_sorted(all, 1.0 - a);
  r.rhat = o.chains > 1 || o.samples >= 4 ? split_rhat(r.draws) : std::numeric_limits<double>::quiet_NaN();
  r.ess = effective_sample_size(r.draws);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double iters = static_cast<double>(o.burn_in) + static_cast<double>(o.samples) * o.thin;
  r.iterations_per_second = chain_seconds > 0 ? iters * o.chains / chain_seconds : 0;
  return r;
}

}  // namespace joindots::estimate
