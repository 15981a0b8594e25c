#include "estimate/lcmcr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
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

/// What a chain needs to know about the table to start: each list's capture probability
/// under the independence model, its estimate N^ and the observed count n.
struct StartPoint {
  std::vector<double> capture;  // n_j / N^
  double n_hat = 0;
  double observed = 0;
};

/// A chain's first state (capture probabilities by class, stick-breaking weights) for its
/// kind of start; the first sweep then allocates the observed and draws N from it.
void start_state(Rng& rng, ChainStart start, const StartPoint& sp,
                 const std::vector<double>& list_share, int kc, int kl, std::vector<double>& lambda,
                 std::vector<double>& v) {
  auto lam = [&](int k, int j) -> double& { return lambda[static_cast<std::size_t>(k * kl + j)]; };
  // N far above the independence estimate: capture probabilities scaled down by N^ / N_far.
  const double n_far = sp.n_hat + 3.0 * std::max(sp.n_hat - sp.observed, 0.5 * sp.observed);
  for (int k = 0; k < kc; ++k) {
    for (int j = 0; j < kl; ++j) {
      const double p = sp.capture[static_cast<std::size_t>(j)];
      double x = 0;
      switch (start) {
        case ChainStart::Independence:
          x = p * (0.75 + 0.5 * rng.uniform());
          break;
        case ChainStart::FarAbove:
          x = p * sp.n_hat / n_far * (0.75 + 0.5 * rng.uniform());
          break;
        case ChainStart::NearObserved:
          x = list_share[static_cast<std::size_t>(j)];
          break;
        case ChainStart::RandomClasses:
          x = 0.05 + 0.9 * rng.uniform();
          break;
      }
      lam(k, j) = std::clamp(x, 0.01, 0.99);
    }
    v[static_cast<std::size_t>(k)] = k + 1 < kc ? rng.beta(1.0, 1.0) : 1.0;
  }
  if (start == ChainStart::NearObserved && kc > 1) v[0] = 0.999;  // everyone in the first class
}

// Iterations done across a run's chains, for LcmcrOptions::report_fraction.
struct IterationCount {
  std::atomic<long> done{0};
  double total = 1;
};

// Step 1 of an iteration: the observed people of each pattern spread over the classes
// (multinomial on pi_k times the pattern's probability in class k); their class sizes added
// to m, their captures by class and list to s. `w` is scratch, kc long.
void assign_observed(Rng& rng, const std::vector<std::uint32_t>& pats, const std::vector<std::int64_t>& cnt,
                     const std::vector<double>& pi, const std::vector<double>& lambda, int kc, int kl,
                     std::vector<double>& w, std::vector<std::int64_t>& m, std::vector<std::int64_t>& s) {
  auto lam = [&](int k, int j) { return lambda[static_cast<std::size_t>(k * kl + j)]; };
  std::vector<std::int64_t> split(static_cast<std::size_t>(kc));
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
}

Chain run_chain(const CaptureTable& table, const LcmcrOptions& o, Rng rng, ChainStart start,
                int burn_in, int samples, const StartPoint& sp, IterationCount* count = nullptr) {
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
  std::vector<double> list_share;  // n_j / n: capture probabilities that make N about n
  for (int j = 0; j < kl; ++j)
    list_share.push_back(static_cast<double>(table.list_total(j)) / static_cast<double>(n));
  // The independence start (chain 0) is also what a lone chain gets: starting from the
  // prior, a chain can sit for tens of thousands of iterations in a low-N mode (seen on the
  // UK 2013 table).
  double alpha = 1.0;
  start_state(rng, start, sp, list_share, kc, kl, lambda, v);
  auto set_pi = [&] {
    double rest = 1.0;
    for (int k = 0; k < kc; ++k) {
      pi[static_cast<std::size_t>(k)] = v[static_cast<std::size_t>(k)] * rest;
      rest *= 1.0 - v[static_cast<std::size_t>(k)];
    }
  };
  set_pi();

  Chain out;
  out.draws.reserve(static_cast<std::size_t>(samples));
  const auto t0 = std::chrono::steady_clock::now();
  const long total_iter = static_cast<long>(burn_in) + static_cast<long>(samples) * o.thin;
  constexpr long kReportEvery = 2048;
  for (long it = 0; it < total_iter; ++it) {
    if (count && o.report_fraction && it % kReportEvery == kReportEvery - 1)
      o.report_fraction(static_cast<double>(count->done += kReportEvery) / count->total);
    std::fill(m.begin(), m.end(), 0);
    std::fill(s.begin(), s.end(), 0);
    // 1. classes of the observed, pattern by pattern.
    assign_observed(rng, pats, cnt, pi, lambda, kc, kl, w, m, s);
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

    if (it >= burn_in && (it - burn_in) % o.thin == 0)
      out.draws.push_back(static_cast<double>(n + n0));
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

const char* to_string(ChainStart start) {
  switch (start) {
    case ChainStart::Independence:
      return "near the independence model's estimate";
    case ChainStart::FarAbove:
      return "far above the independence model's estimate";
    case ChainStart::NearObserved:
      return "near the observed count, one class";
    case ChainStart::RandomClasses:
      return "at random class profiles";
  }
  return "?";
}

std::optional<ChainDisagreement> chains_disagree(const std::vector<ChainSummary>& chains) {
  std::optional<ChainDisagreement> worst;
  for (const auto& a : chains)
    for (const auto& b : chains) {
      if (&a == &b) continue;
      const double width = std::max(b.interval.high - b.interval.low, 1.0);
      const double outside = std::max(b.interval.low - a.median, a.median - b.interval.high);
      if (outside <= 0) continue;
      if (!worst || outside / width > worst->distance)
        worst = ChainDisagreement{a, b, outside / width};
    }
  return worst;
}

std::string describe(const ChainSummary& c) {
  const char* half = c.half == 1 ? "the first half of " : c.half == 2 ? "the second half of " : "";
  if (c.check) return fmt::format("{}the check chain (started {})", half, to_string(c.start));
  return fmt::format("{}chain {} (started {})", half, c.chain + 1, to_string(c.start));
}

std::string multimodality_warning(const ChainDisagreement& d) {
  return fmt::format(
      "the chains disagree: {} has median {:.0f}, outside the {:.0f}% interval {:.0f}-{:.0f} of "
      "{}. "
      "The posterior has more than one mode (or the burn-in is too short for the chains to forget "
      "where they started), so the estimate depends on where the chains start; run more chains "
      "(--chains 8) with a longer burn-in (--burn-in 100000), and compare with the log-linear "
      "estimates, before using this one",
      describe(d.chain), d.chain.median, 100 * d.other.interval.level, d.other.interval.low,
      d.other.interval.high, describe(d.other));
}

nlohmann::ordered_json lcmcr_chains_json(const LcmcrResult& r) {
  auto one = [](const ChainSummary& c) {
    return nlohmann::ordered_json{{"chain", c.chain + 1},
                                  {"start", to_string(c.start)},
                                  {"check", c.check},
                                  {"half", c.half == 0   ? "whole"
                                           : c.half == 1 ? "first"
                                                         : "second"},
                                  {"draws", c.draws},
                                  {"median", c.median},
                                  {"interval", {c.interval.low, c.interval.high}}};
  };
  nlohmann::ordered_json chains = nlohmann::ordered_json::array();
  for (const auto& c : r.chains) chains.push_back(one(c));
  nlohmann::ordered_json out{{"chains", chains}, {"disagreement", nullptr}};
  if (r.disagreement)
    out["disagreement"] = {{"half", one(r.disagreement->chain)},
                           {"outside", one(r.disagreement->other)},
                           {"distance_in_widths", r.disagreement->distance}};
  if (!r.check_draws.empty())
    out["check_chain"] = {{"draws", r.check_draws.size()}, {"seconds", r.check_seconds}};
  return out;
}

namespace {

ChainSummary summarise(std::vector<double> draws, int chain, ChainStart start, bool check, int half,
                       double level) {
  ChainSummary c;
  c.chain = chain;
  c.start = start;
  c.check = check;
  c.half = half;
  c.draws = draws.size();
  std::sort(draws.begin(), draws.end());
  c.median = quantile_sorted(draws, 0.5);
  c.interval.level = level;
  c.interval.kind = "equal-tailed interval of the chain's draws";
  c.interval.low = quantile_sorted(draws, (1.0 - level) / 2.0);
  c.interval.high = quantile_sorted(draws, 1.0 - (1.0 - level) / 2.0);
  return c;
}

ChainStart start_of_chain(int chain) { return static_cast<ChainStart>(chain % 4); }

}  // namespace

LcmcrResult run_lcmcr(const CaptureTable& table, const LcmcrOptions& o) {
  if (o.max_classes < 1) throw std::invalid_argument("run_lcmcr: max_classes: must be >= 1");
  if (o.chains < 1 || o.samples < 2 || o.burn_in < 0 || o.thin < 1)
    throw std::invalid_argument("run_lcmcr: chains >= 1, samples >= 2, burn_in >= 0, thin >= 1");
  if (!(o.alpha_shape > 0 && o.alpha_rate > 0)) throw std::invalid_argument("run_lcmcr: alpha prior: must be positive");
  if (table.observed() <= 0) throw std::invalid_argument("run_lcmcr: table: no one observed");
  const auto t0 = std::chrono::steady_clock::now();
  const auto indep = fit_loglinear(table, LogLinearModel(table.k()));
  StartPoint sp;
  sp.observed = static_cast<double>(table.observed());
  sp.n_hat = indep.ok() ? std::max(indep.estimate, sp.observed) : 2.0 * sp.observed;
  for (int j = 0; j < table.k(); ++j)
    sp.capture.push_back(static_cast<double>(table.list_total(j)) / sp.n_hat);
  // The jobs: the chains, then the check chain when one chain is asked for (a quarter of
  // the kept draws after the full burn-in: a start far off needs the burn-in to forget).
  const bool with_check = o.chains == 1 && o.check_chain;
  const int jobs = o.chains + (with_check ? 1 : 0);
  const int check_samples = std::max(2, o.samples / 4);
  std::vector<Chain> chains(static_cast<std::size_t>(jobs));
  IterationCount count;
  count.total = static_cast<double>(o.chains) * (o.burn_in + static_cast<double>(o.samples) * o.thin) +
                (with_check ? o.burn_in + static_cast<double>(check_samples) * o.thin : 0.0);
  const int threads = std::max(1, std::min(o.threads, jobs));
  auto work = [&](int worker) {
    for (int c = worker; c < jobs; c += threads) {
      const bool check = c == o.chains;
      chains[static_cast<std::size_t>(c)] =
          check ? run_chain(table, o, Rng(o.seed, "lcmcr_check", 0), ChainStart::FarAbove,
                            o.burn_in, check_samples, sp, &count)
                : run_chain(table, o, Rng(o.seed, "lcmcr", static_cast<std::uint64_t>(c)),
                            start_of_chain(c), o.burn_in, o.samples, sp, &count);
    }
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
  std::vector<ChainSummary> halves;
  double chain_seconds = 0;
  for (int c = 0; c < jobs; ++c) {
    auto& ch = chains[static_cast<std::size_t>(c)];
    const bool check = c == o.chains;
    const ChainStart start = check ? ChainStart::FarAbove : start_of_chain(c);
    r.chains.push_back(summarise(ch.draws, c, start, check, 0, o.level));
    const auto mid = ch.draws.begin() + static_cast<std::ptrdiff_t>(ch.draws.size() / 2);
    if (ch.draws.size() >= 4) {
      halves.push_back(summarise({ch.draws.begin(), mid}, c, start, check, 1, o.level));
      halves.push_back(summarise({mid, ch.draws.end()}, c, start, check, 2, o.level));
    }
    if (check) {
      r.check_draws = std::move(ch.draws);
      r.check_seconds = ch.seconds;
      continue;
    }
    all.insert(all.end(), ch.draws.begin(), ch.draws.end());
    chain_seconds += ch.seconds;
    r.draws.push_back(std::move(ch.draws));
  }
  r.disagreement = chains_disagree(halves);
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
