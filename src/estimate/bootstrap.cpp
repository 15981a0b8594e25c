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

std::vector<double> bootstrap_means(const CaptureTable& table, const ModelSelection& selection, bool from_averaged) {
  if (selection.empty()) throw std::invalid_argument("bootstrap_loglinear: selection: no valid model to resample from");
  const auto best_fit = fit_loglinear(table, selection.best().model);
  if (!best_fit.ok()) throw std::invalid_argument("bootstrap_loglinear: selection: the best model no longer fits");
  std::vector<double> means = best_fit.fitted;
  if (from_averaged) {
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
  return means;
}

bool same_means(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t c = 0; c < a.size(); ++c)
    if (std::abs(a[c] - b[c]) > 1e-12 * std::max(1.0, std::abs(a[c]))) return false;
  return true;
}

namespace {

// Candidates: the chosen model and then, best first, the models holding `candidate_weight`
// of the weight, at most `max_candidates` (the cost of a replicate is one fit per
// candidate: bounded by weight, not by how many models the search visited).
std::vector<LogLinearModel> candidates_of(const ModelSelection& selection, const BootstrapOptions& options) {
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
  return candidates;
}

// One candidate's fit on a replicate: its criterion and estimate, or invalid.
struct CandidateFit {
  bool valid = false;
  double criterion = 0, estimate = 0;
};

// choose_among's choice from fits already made: the first candidate with the smallest
// criterion, and the information-weighted average over the valid ones.
QuickChoice choose_from_fits(const std::vector<CandidateFit>& fits, const std::vector<std::size_t>& members) {
  QuickChoice best;
  double best_ic = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& f = fits[members[i]];
    if (f.valid && f.criterion < best_ic) {
      best_ic = f.criterion;
      best.found = true;
      best.index = i;
      best.estimate = f.estimate;
    }
  }
  double total = 0, sum = 0;
  for (auto m : members) {
    if (!fits[m].valid) continue;
    const double w = std::exp(-0.5 * (fits[m].criterion - best_ic));
    total += w;
    sum += w * fits[m].estimate;
  }
  best.averaged = total > 0 ? sum / total : 0;
  return best;
}

BootstrapResult summarise(const std::vector<LogLinearModel>& candidates, const std::vector<double>& est,
                          const std::vector<double>& avg, const std::vector<int>& chosen,
                          const BootstrapOptions& options) {
  BootstrapResult out;
  const int reps = static_cast<int>(est.size());
  out.replicates = reps;
  out.candidates = candidates.size();
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

}  // namespace

namespace {
// One replicate's work over `candidates`: sum of cells x (parameters + 1)^2.
double replicate_work(const CaptureTable& table, const std::vector<LogLinearModel>& candidates) {
  double work = 0;
  for (const auto& m : candidates) {
    const double p = static_cast<double>(m.parameters()) + 1.0;
    work += static_cast<double>(table.cells()) * p * p;
  }
  return work;
}

std::vector<LogLinearModel> distinct_candidates(const std::vector<const ModelSelection*>& selections,
                                                const BootstrapOptions& options) {
  std::vector<LogLinearModel> distinct;
  for (const auto* s : selections)
    for (const auto& m : candidates_of(*s, options))
      if (std::find(distinct.begin(), distinct.end(), m) == distinct.end()) distinct.push_back(m);
  return distinct;
}
}  // namespace

double bootstrap_work(const CaptureTable& table, const std::vector<const ModelSelection*>& selections,
                      const BootstrapOptions& options) {
  for (const auto* s : selections)
    if (!s || s->empty()) return 0;
  const auto distinct = distinct_candidates(selections, options);
  return budgeted_replicates(table, distinct, options) * replicate_work(table, distinct);
}

int budgeted_replicates(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                        const BootstrapOptions& options) {
  if (options.work_budget <= 0) return options.replicates;
  const double work = replicate_work(table, candidates);
  if (work * options.replicates <= options.work_budget) return options.replicates;
  const int fits = static_cast<int>(std::min(options.work_budget / work, 1e9));
  return std::min(options.replicates, std::max(options.min_replicates, fits));
}

std::vector<BootstrapResult> bootstrap_loglinear_shared(const CaptureTable& table,
                                                        const std::vector<const ModelSelection*>& selections,
                                                        const BootstrapOptions& options) {
  if (selections.empty()) throw std::invalid_argument("bootstrap_loglinear: selections: none given");
  if (options.replicates < 1) throw std::invalid_argument("bootstrap_loglinear: replicates: must be >= 1");
  for (const auto* s : selections)
    if (!s || s->empty())
      throw std::invalid_argument("bootstrap_loglinear: selection: no valid model to resample from");
  const std::vector<double> means = bootstrap_means(table, *selections.front(), options.from_averaged);

  // Each selection's candidates, as indices into one list of distinct models (a model two
  // selections share is fitted once per replicate).
  std::vector<LogLinearModel> distinct;
  std::vector<std::vector<LogLinearModel>> candidates;
  std::vector<std::vector<std::size_t>> members;
  for (const auto* s : selections) {
    candidates.push_back(candidates_of(*s, options));
    members.emplace_back();
    for (const auto& m : candidates.back()) {
      const auto at = std::find(distinct.begin(), distinct.end(), m);
      members.back().push_back(static_cast<std::size_t>(at - distinct.begin()));
      if (at == distinct.end()) distinct.push_back(m);
    }
  }

  const int reps = budgeted_replicates(table, distinct, options);
  if (options.progress) options.progress->set_total(reps);
  const std::size_t views = selections.size();
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<double>> est(views, std::vector<double>(static_cast<std::size_t>(reps), nan));
  std::vector<std::vector<double>> avg = est;
  std::vector<std::vector<int>> chosen(views, std::vector<int>(static_cast<std::size_t>(reps), -1));
  ExistenceCache own_cache;
  ExistenceCache& cache = options.existence_cache ? *options.existence_cache : own_cache;
  const Criterion criterion = selections.front()->criterion;
  std::atomic<int> started{0};  // replicates begun, shown as progress
  auto work = [&](int worker, int workers) {
    std::vector<std::int64_t> y(table.cells(), 0);
    std::vector<CandidateFit> fits(distinct.size());
    for (int r = worker; r < reps; r += workers) {
      const int begun = started++;
      if (worker == 0 && options.progress) options.progress->set(begun);
      if (worker == 0 && options.report_fraction) options.report_fraction(static_cast<double>(begun) / reps);
      Rng rng(options.seed, "bootstrap", static_cast<std::uint64_t>(r));
      for (std::uint32_t c = 1; c < table.cells(); ++c) y[c] = rng.poisson(means[c]);
      std::int64_t n = 0;
      for (auto v : y) n += v;
      if (n == 0) continue;
      const auto star = CaptureTable::from_counts(table.lists, y);
      for (std::size_t i = 0; i < distinct.size(); ++i) {
        const auto fit = fit_loglinear(star, distinct[i], *cache.check(star, distinct[i]));
        const bool valid = fit.ok() && !(options.drop_negative_heterogeneity && negative_heterogeneity(fit));
        fits[i] = {valid, valid ? (criterion == Criterion::Aic ? fit.aic : fit.bic) : 0.0, fit.estimate};
      }
      for (std::size_t v = 0; v < views; ++v) {
        const auto choice = choose_from_fits(fits, members[v]);
        if (!choice.found) continue;
        est[v][static_cast<std::size_t>(r)] = choice.estimate;
        avg[v][static_cast<std::size_t>(r)] = choice.averaged;
        chosen[v][static_cast<std::size_t>(r)] = static_cast<int>(choice.index);
      }
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

  std::vector<BootstrapResult> out;
  for (std::size_t v = 0; v < views; ++v) {
    out.push_back(summarise(candidates[v], est[v], avg[v], chosen[v], options));
    out.back().replicates_asked = options.replicates;
    out.back().existence_computed = cache.misses();
    out.back().existence_reused = cache.hits();
  }
  return out;
}

BootstrapResult bootstrap_loglinear(const CaptureTable& table, const ModelSelection& selection,
                                    const BootstrapOptions& options) {
  return bootstrap_loglinear_shared(table, {&selection}, options).front();
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
