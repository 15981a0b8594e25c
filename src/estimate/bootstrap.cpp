#include "estimate/bootstrap.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include <boost/math/distributions/normal.hpp>

#include "core/rng.hpp"
#include "estimate/sampling.hpp"

namespace joindots::estimate {

double quantile_sorted(const std::vector<double>& v, double p) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

BootstrapResult bootstrap_loglinear(const CaptureTable& table, const ModelSelection& selection,
                                    const BootstrapOptions& options) {
  if (selection.empty()) throw std::invalid_argument("bootstrap_loglinear: selection: no valid model to resample from");
  if (options.replicates < 1) throw std::invalid_argument("bootstrap_loglinear: replicates: must be >= 1");
  const auto best_fit = fit_loglinear(table, selection.best().model);
  if (!best_fit.ok()) throw std::invalid_argument("bootstrap_loglinear: selection: the best model no longer fits");
  std::vector<double> means = best_fit.fitted;
  if (options.from_averaged) {
    std::fill(means.begin(), means.end(), 0.0);
    double total = 0;
    for (const auto& r : selection.ranked) {
      if (r.weight < 1e-6) continue;
      const auto f = fit_loglinear(table, r.model);
      if (!f.ok()) continue;
      for (std::size_t c = 0; c < means.size(); ++c) means[c] += r.weight * f.fitted[c];
      total += r.weight;
    }
    for (auto& m : means) m /= total;
  }

  // Candidates: the chosen model and then, best first, the models holding `candidate_weight`
  // of the weight, at most `max_candidates` (the cost of a replicate is one fit per
  // candidate: bounded by weight, not by how many models the search visited).
  std::vector<LogLinearModel> candidates{selection.best().model};
  if (options.reselect) {
    double held = selection.best().weight;
    for (std::size_t i = 1; i < selection.ranked.size() && candidates.size() < options.max_candidates &&
                            held < options.candidate_weight;
         ++i) {
      candidates.push_back(selection.ranked[i].model);
      held += selection.ranked[i].weight;
    }
  }

  const int reps = options.replicates;
  std::vector<double> est(static_cast<std::size_t>(reps), std::numeric_limits<double>::quiet_NaN());
  std::vector<int> chosen(static_cast<std::size_t>(reps), -1);
  std::vector<double> avg(static_cast<std::size_t>(reps), std::numeric_limits<double>::quiet_NaN());
  ExistenceCache own_cache;
  ExistenceCache& cache = options.existence_cache ? *options.existence_cache : own_cache;
  std::atomic<int> started{0};  // replicates begun, shown as progress
  auto work = [&](int worker, int workers) {
    std::vector<std::int64_t> y(table.cells(), 0);
    for (int r = worker; r < reps; r += workers) {
      const int begun = started++;
      if (worker == 0 && options.progress) options.progress->set(begun);
      Rng rng(options.seed, "bootstrap", static_cast<std::uint64_t>(r));
      for (std::uint32_t c = 1; c < table.cells(); ++c) y[c] = rng.poisson(means[c]);
      std::int64_t n = 0;
      for (auto v : y) n += v;
      if (n == 0) continue;
      const auto star = CaptureTable::from_counts(table.lists, y);
      const auto choice = choose_among(star, candidates, selection.criterion, options.drop_negative_heterogeneity, &cache);
      if (!choice.found) continue;
      est[static_cast<std::size_t>(r)] = choice.estimate;
      avg[static_cast<std::size_t>(r)] = choice.averaged;
      chosen[static_cast<std::size_t>(r)] = static_cast<int>(choice.index);
    }
  };
  const int threads = std::max(1, std::min(options.threads, reps));
  if (threads == 1) {
    work(0, 1);
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w) pool.emplace_back(work, w, threads);
    for (auto& t : pool) t.join();
  }

  BootstrapResult out;
  out.replicates = reps;
  out.candidates = candidates.size();
  out.existence_computed = cache.misses();
  out.existence_reused = cache.hits();
  for (int r = 0; r < reps; ++r) {
    if (chosen[static_cast<std::size_t>(r)] < 0) {
      ++out.failed;
      continue;
    }
    out.estimates.push_back(est[static_cast<std::size_t>(r)]);
    out.averaged.push_back(avg[static_cast<std::size_t>(r)]);
    ++out.chosen[candidates[static_cast<std::size_t>(chosen[static_cast<std::size_t>(r)])].to_string()];
  }
  std::vector<double> sorted = out.estimates;
  std::sort(sorted.begin(), sorted.end());
  const double a = (1.0 - options.level) / 2.0;
  out.interval.level = options.level;
  out.interval.kind = options.reselect ? "parametric bootstrap percentile, with model selection"
                                       : "parametric bootstrap percentile, selected model only";
  out.interval.low = quantile_sorted(sorted, a);
  out.interval.high = quantile_sorted(sorted, 1.0 - a);
  out.median = quantile_sorted(sorted, 0.5);
  std::vector<double> sorted_avg = out.averaged;
  std::sort(sorted_avg.begin(), sorted_avg.end());
  out.averaged_interval.level = options.level;
  out.averaged_interval.kind = "parametric bootstrap percentile of the model-averaged estimate";
  out.averaged_interval.low = quantile_sorted(sorted_avg, a);
  out.averaged_interval.high = quantile_sorted(sorted_avg, 1.0 - a);
  return out;
}

BcaResult bca_bootstrap(const CaptureTable& table, const std::function<double(const CaptureTable&)>& estimator,
                        int replicates, std::uint64_t seed, double level, int threads, Progress* progress) {
  if (replicates < 2) throw std::invalid_argument("bca_bootstrap: replicates: must be >= 2");
  BcaResult out;
  out.replicates = replicates;
  out.estimate = estimator(table);
  if (!std::isfinite(out.estimate)) throw std::invalid_argument("bca_bootstrap: estimator: no estimate on the data");
  const std::int64_t n = table.observed();
  std::vector<double> weights(table.counts.begin(), table.counts.end());
  std::vector<double> est(static_cast<std::size_t>(replicates), std::numeric_limits<double>::quiet_NaN());
  std::atomic<int> started{0};  // replicates begun, shown as progress
  auto work = [&](int worker, int workers) {
    for (int r = worker; r < replicates; r += workers) {
      const int begun = started++;
      if (worker == 0 && progress) progress->set(begun);
      Rng rng(seed, "bca", static_cast<std::uint64_t>(r));
      std::vector<std::int64_t> y(table.cells(), 0);
      multinomial_add(rng, n, weights, static_cast<double>(n), y);
      est[static_cast<std::size_t>(r)] = estimator(CaptureTable::from_counts(table.lists, y));
    }
  };
  const int nt = std::max(1, std::min(threads, replicates));
  if (nt == 1) {
    work(0, 1);
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < nt; ++w) pool.emplace_back(work, w, nt);
    for (auto& t : pool) t.join();
  }
  for (double e : est) {
    if (std::isfinite(e))
      out.estimates.push_back(e);
    else
      ++out.failed;
  }
  std::vector<double> sorted = out.estimates;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return out;
  // Bias correction.
  const double below = static_cast<double>(std::count_if(sorted.begin(), sorted.end(),
                                                         [&](double e) { return e < out.estimate; }));
  const boost::math::normal norm;
  const double share = std::clamp(below / static_cast<double>(sorted.size()), 0.5 / sorted.size(),
                                  1.0 - 0.5 / sorted.size());
  out.z0 = boost::math::quantile(norm, share);
  // Acceleration from the leave-one-person-out jackknife.
  std::vector<double> jack(table.cells(), 0.0);
  double wsum = 0, wmean = 0;
  for (std::uint32_t c = 1; c < table.cells(); ++c) {
    if (table.counts[c] == 0) continue;
    auto y = table.counts;
    --y[c];
    jack[c] = estimator(CaptureTable::from_counts(table.lists, y));
    wsum += static_cast<double>(table.counts[c]);
    wmean += static_cast<double>(table.counts[c]) * jack[c];
  }
  wmean /= wsum;
  double s2 = 0, s3 = 0;
  for (std::uint32_t c = 1; c < table.cells(); ++c) {
    if (table.counts[c] == 0 || !std::isfinite(jack[c])) continue;
    const double d = wmean - jack[c];
    s2 += static_cast<double>(table.counts[c]) * d * d;
    s3 += static_cast<double>(table.counts[c]) * d * d * d;
  }
  out.acceleration = s2 > 0 ? s3 / (6.0 * std::pow(s2, 1.5)) : 0.0;
  auto adjusted = [&](double alpha) {
    const double z = boost::math::quantile(norm, alpha);
    const double zz = out.z0 + z;
    return boost::math::cdf(norm, out.z0 + zz / (1.0 - out.acceleration * zz));
  };
  const double a = (1.0 - level) / 2.0;
  out.interval.level = level;
  out.interval.kind = "nonparametric bootstrap, BCa";
  out.interval.low = quantile_sorted(sorted, adjusted(a));
  out.interval.high = quantile_sorted(sorted, adjusted(1.0 - a));
  return out;
}

}  // namespace joindots::estimate
