#include "estimate/bayes_loglinear.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "estimate/bayes_model.hpp"
#include "estimate/poisson_mixture.hpp"

// bayes_loglinear in the steps its header names: the Laplace approximation of every
// candidate model (enumerated or MC^3), screening, importance sampling, the weights on one
// scale, and the posterior of N for the total, each stratum and each margin as a mixture.
// The pieces that work on one model are in bayes_model, the mixtures in poisson_mixture.
namespace joindots::estimate {

using bayes::Design;
using bayes::Mixture;
using bayes::Mode;
using bayes::ModelDraws;
using bayes::ModelProblem;

namespace {

constexpr int kBatches = 10;

// Runs `work` on `workers` threads (this one among them); each call takes its own share.
void run_workers(int workers, const std::function<void()>& work) {
  std::vector<std::thread> pool;
  for (int i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
}

// Step 1's outcome: the models evaluated and their Laplace log marginals (NaN: no mode).
struct Candidates {
  std::vector<std::uint64_t> masks;
  std::vector<double> laplace;
};

// Every one of the 2^P models. Each value is a function of its model alone, so the outcome
// does not depend on the threads.
Candidates enumerate_models(const Design& d, double g, std::uint64_t nmodels, int threads) {
  Candidates c;
  c.masks.resize(nmodels);
  std::iota(c.masks.begin(), c.masks.end(), std::uint64_t{0});
  c.laplace.assign(nmodels, std::numeric_limits<double>::quiet_NaN());
  std::atomic<std::uint64_t> next{0};
  run_workers(threads, [&] {
    for (std::uint64_t m; (m = next++) < nmodels;) {
      const Mode mode = find_mode(ModelProblem(d, m, g), d);
      if (mode.converged) c.laplace[m] = mode.laplace;
    }
  });
  return c;
}

// One MC^3 chain's record: the Laplace values it computed, the models it stood on and how
// often, and its accepted moves.
struct ModelChain {
  std::unordered_map<std::uint64_t, double> memo;
  std::unordered_map<std::uint64_t, int> visits;
  std::size_t accepted = 0;
};

// Chain c starts from no interaction (c even) or every interaction (c odd); a step
// proposes adding or dropping one two-way term, uniformly, and is accepted with
// probability min(1, p(y | m') / p(y | m)) (Laplace).
void run_model_chain(const Design& d, double g, const BayesLogLinearOptions& o, int c, ModelChain& chain) {
  const std::size_t nterms = d.pair_names.size();
  auto eval = [&](std::uint64_t m) {
    const auto it = chain.memo.find(m);
    if (it != chain.memo.end()) return it->second;
    const Mode mode = find_mode(ModelProblem(d, m, g), d);
    const double v = mode.converged ? mode.laplace : -std::numeric_limits<double>::infinity();
    chain.memo.emplace(m, v);
    return v;
  };
  Rng rng(o.seed, "bayes_loglinear_models", static_cast<std::uint64_t>(c));
  std::uint64_t cur = c % 2 == 0 ? 0 : (std::uint64_t{1} << nterms) - 1;
  double lcur = eval(cur);
  for (int it = 0; it < o.model_chain_iterations; ++it) {
    const std::uint64_t prop = cur ^ (std::uint64_t{1} << rng.below(nterms));
    const double lprop = eval(prop);
    if (std::log(rng.uniform()) < lprop - lcur) {
      cur = prop;
      lcur = lprop;
      ++chain.accepted;
    }
    ++chain.visits[cur];
  }
}

// Convergence check: the Laplace probability (renormalised over the candidates) of the
// models that some chain never visited.
double mass_missed_by_a_chain(const Candidates& c, const std::vector<ModelChain>& chains) {
  double top = -std::numeric_limits<double>::infinity();
  for (double v : c.laplace)
    if (!std::isnan(v)) top = std::max(top, v);
  double sum = 0, missed = 0;
  for (std::size_t i = 0; i < c.masks.size(); ++i) {
    if (std::isnan(c.laplace[i])) continue;
    const double w = std::exp(c.laplace[i] - top);
    sum += w;
    for (const auto& chain : chains)
      if (!chain.visits.contains(c.masks[i])) {
        missed += w;
        break;
      }
  }
  return missed / sum;
}

// The models the MC^3 chains visit or propose: every model evaluated is a candidate,
// visited or not. Records the chains' figures in r.
Candidates search_models(const Design& d, double g, const BayesLogLinearOptions& o, int threads,
                         BayesLogLinearResult& r) {
  const int nchains = std::max(1, o.model_chains);
  std::vector<ModelChain> chains(static_cast<std::size_t>(nchains));
  std::atomic<int> next{0};
  run_workers(std::min(threads, nchains), [&] {
    for (int c; (c = next++) < nchains;) run_model_chain(d, g, o, c, chains[static_cast<std::size_t>(c)]);
  });
  Candidates out;
  std::map<std::uint64_t, double> all;  // ordered: the same candidates in the same order always
  for (const auto& chain : chains)
    for (const auto& [m, v] : chain.memo) all.emplace(m, v);
  for (const auto& [m, v] : all) {
    out.masks.push_back(m);
    out.laplace.push_back(std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN());
  }
  std::size_t total_accepted = 0;
  for (const auto& chain : chains) total_accepted += chain.accepted;
  r.model_chain_acceptance =
      static_cast<double>(total_accepted) / (static_cast<double>(nchains) * o.model_chain_iterations);
  r.model_chains = nchains;
  r.model_chain_iterations = o.model_chain_iterations;
  std::set<std::uint64_t> visited;
  for (const auto& chain : chains)
    for (const auto& [m, n] : chain.visits) visited.insert(m);
  r.models_visited = visited.size();
  r.mass_missed_by_a_chain = mass_missed_by_a_chain(out, chains);
  return out;
}

// The models kept: above the screening threshold, at most max_sampled_models of them (the
// most probable), in mask order. Counts the others in r.
std::vector<std::uint64_t> screen_models(const Candidates& c, const BayesLogLinearOptions& o,
                                         BayesLogLinearResult& r) {
  double best = -std::numeric_limits<double>::infinity();
  for (double v : c.laplace)
    if (!std::isnan(v)) best = std::max(best, v);
  if (!std::isfinite(best)) throw InternalError("bayes_loglinear: no model's posterior mode was found");
  double laplace_total = 0;
  for (double v : c.laplace)
    if (!std::isnan(v)) laplace_total += std::exp(v - best);
  std::vector<std::pair<double, std::uint64_t>> ranked;
  for (std::size_t i = 0; i < c.masks.size(); ++i) {
    const double prob = std::isnan(c.laplace[i]) ? 0.0 : std::exp(c.laplace[i] - best) / laplace_total;
    if (prob >= o.screen_probability) {
      ranked.emplace_back(prob, c.masks[i]);
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
  return kept;
}

// Step 2: importance draws for the models kept, the same number for each, fewer than
// draws_per_model when the models would exceed max_total_draws.
std::vector<ModelDraws> sample_models(const Design& d, double g, const std::vector<std::uint64_t>& kept,
                                      const BayesLogLinearOptions& o, int threads, BayesLogLinearResult& r) {
  BayesLogLinearOptions od = o;
  const double budget = static_cast<double>(o.max_total_draws);
  if (static_cast<double>(o.draws_per_model) * static_cast<double>(kept.size()) > budget)
    od.draws_per_model =
        std::max(20 * kBatches, static_cast<int>(budget / static_cast<double>(kept.size())) / kBatches * kBatches);
  r.draws_per_model = od.draws_per_model;
  std::vector<ModelDraws> draws(kept.size());
  std::atomic<std::size_t> next{0};
  run_workers(threads, [&] {
    for (std::size_t i; (i = next++) < kept.size();) {
      const ModelProblem mp(d, kept[i], g);
      draws[i] = draw_model(d, kept[i], od, find_mode(mp, d), mp);
    }
  });
  return draws;
}

// The series summarised: 0 the total; 1 + l stratum l; then, with two or more covariates,
// each level of each covariate over the others (a margin).
struct Series {
  std::vector<std::vector<char>> in;  // in[series][stratum]
  std::vector<std::string> label;
  std::size_t first_margin = 0;
};

Series make_series(const CovariateCaptureTable& table) {
  Series s;
  s.in.assign(1, std::vector<char>(table.strata(), 1));
  s.label = {"total"};
  const std::size_t nstrata = table.covariates.empty() ? 0 : table.strata();
  for (std::size_t l = 0; l < nstrata; ++l) {
    s.in.emplace_back(table.strata(), 0);
    s.in.back()[l] = 1;
    s.label.push_back(table.stratum_label(l));
  }
  s.first_margin = s.in.size();
  if (table.covariates.size() >= 2)
    for (std::size_t c = 0; c < table.covariates.size(); ++c)
      for (std::size_t v = 0; v < table.covariates[c].levels.size(); ++v) {
        s.in.emplace_back(table.strata(), 0);
        for (std::size_t l = 0; l < table.strata(); ++l) s.in.back()[l] = table.level_of(l, c) == v;
        s.label.push_back(table.covariates[c].name + "=" + table.covariates[c].levels[v]);
      }
  return s;
}

// What the draws say of each series: the unobserved part of a draw, and the counts seen.
struct SeriesCounts {
  const CovariateCaptureTable& table;
  const Design& d;
  const std::vector<ModelDraws>& draws;
  const Series& series;

  // The unobserved part of draw s of model i in a series: the Poisson mean of its missing
  // cells, and the censored cells' drawn counts.
  std::pair<double, std::int64_t> unseen(std::size_t i, std::size_t s, std::size_t k) const {
    const std::size_t nm = d.missing.size(), nc = d.censored.size();
    double lam = 0;
    std::int64_t cens = 0;
    const auto& in = series.in[k];
    for (std::size_t j = 0; j < nm; ++j)
      if (in[d.missing_stratum[j]]) lam += draws[i].lambda[s * nm + j];
    for (std::size_t j = 0; j < nc; ++j)
      if (in[d.censored_stratum[j]]) cens += draws[i].censored[s * nc + j];
    return {lam, cens};
  }
  std::int64_t observed(std::size_t k) const {
    std::int64_t n = 0;
    for (std::size_t l = 0; l < table.strata(); ++l)
      if (series.in[k][l]) n += table.observed_in(l);
    return n;
  }
  // What the series observed for certain (the censored cells' counts are only bounds).
  std::int64_t certain(std::size_t k) const {
    std::int64_t n = observed(k);
    for (std::size_t j = 0; j < d.censored.size(); ++j)
      if (series.in[k][d.censored_stratum[j]])
        n -= static_cast<std::int64_t>(d.y_censored(static_cast<Eigen::Index>(j)));
    return n;
  }
};

// Step 3's outcome: every draw's weight on one scale.
struct Weights {
  std::vector<std::vector<double>> of;  // [model][draw]
  double all = 0;
};

// Step 3: weights on one scale. With the same number of draws per model and a uniform model
// prior, the joint posterior over (model, beta) is the weighted set of all draws. Adds each
// kept model's summary to r.models.
Weights weigh_models(const Design& d, const std::vector<std::uint64_t>& kept, const std::vector<ModelDraws>& draws,
                     const SeriesCounts& counts, BayesLogLinearResult& r) {
  double ref = -std::numeric_limits<double>::infinity();
  for (const auto& md : draws)
    for (double lw : md.log_w) ref = std::max(ref, lw);
  const std::size_t S = static_cast<std::size_t>(r.draws_per_model);
  std::vector<double> w_total(kept.size(), 0.0);
  Weights w;
  w.of.resize(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    w.of[i].resize(S);
    double sw = 0, sw2 = 0, swl = 0, swll = 0;
    for (std::size_t s = 0; s < S; ++s) {
      const double ws = std::exp(draws[i].log_w[s] - ref);
      w.of[i][s] = ws;
      sw += ws;
      sw2 += ws * ws;
      const auto [lam, cens] = counts.unseen(i, s, 0);
      const double x = lam + static_cast<double>(cens);
      swl += ws * x;
      swll += ws * (x * x + lam);  // E(X^2) of cens + Poisson(lam)
    }
    w_total[i] = sw;
    w.all += sw;
    BayesModel bm;
    bm.mask = kept[i];
    bm.formula = formula_of(d, kept[i], &bm.interactions);
    bm.parameters = draws[i].p;
    bm.log_marginal = std::log(sw / static_cast<double>(S)) + ref;
    bm.log_marginal_laplace = draws[i].laplace;
    bm.mean = static_cast<double>(counts.certain(0)) + swl / sw;
    bm.sd = std::sqrt(std::max(0.0, swll / sw - (swl / sw) * (swl / sw)));
    bm.ess = sw2 > 0 ? sw * sw / sw2 : 0;
    bm.unobserved_mode = draws[i].unobserved_mode;
    r.models.push_back(bm);
  }
  for (std::size_t i = 0; i < kept.size(); ++i) r.models[i].probability = w_total[i] / w.all;
  return w;
}

// Step 4's outcome: the mixture of every series by batch, and the batches' weight sums.
struct BatchMixtures {
  std::vector<std::vector<Mixture>> mix;      // [series][batch]
  std::vector<double> sw;                     // [batch]
  std::vector<std::vector<double>> swl;       // [series][batch]: weighted sums of the unseen
};

BatchMixtures mix_by_batch(const Weights& w, const SeriesCounts& counts, std::size_t S, int threads) {
  const std::size_t nseries = counts.series.in.size(), nmodels = w.of.size();
  const double w_floor = 1e-14 * w.all;
  BatchMixtures b{std::vector<std::vector<Mixture>>(nseries, std::vector<Mixture>(kBatches)),
                  std::vector<double>(kBatches, 0.0),
                  std::vector<std::vector<double>>(nseries, std::vector<double>(kBatches, 0.0))};
  // Each thread owns whole series, so the sums run in the same order whatever the threads.
  std::atomic<std::size_t> next{0};
  run_workers(std::min(threads, static_cast<int>(nseries)), [&] {
    for (std::size_t series; (series = next++) < nseries;) {
      for (std::size_t i = 0; i < nmodels; ++i)
        for (std::size_t s = 0; s < S; ++s) {
          const double ws = w.of[i][s];
          if (ws < w_floor) continue;
          const auto [lam, cens] = counts.unseen(i, s, series);
          b.mix[series][s * kBatches / S].add(lam, ws, static_cast<std::size_t>(cens));
        }
    }
  });
  for (std::size_t i = 0; i < nmodels; ++i)
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t batch = s * kBatches / S;
      const double ws = w.of[i][s];
      b.sw[batch] += ws;
      for (std::size_t series = 0; series < nseries; ++series) {
        const auto [lam, cens] = counts.unseen(i, s, series);
        b.swl[series][batch] += ws * (lam + static_cast<double>(cens));
      }
    }
  return b;
}

// The posterior of one series' N from its batches: the figures from all of them merged, the
// Monte Carlo standard errors from their spread.
PosteriorCount summarise_series(const BatchMixtures& b, const SeriesCounts& counts, std::size_t series,
                                double level) {
  PosteriorCount pc;
  pc.label = counts.series.label[series];
  pc.observed = series == 0 ? counts.table.observed() : counts.observed(series);
  const std::int64_t shift = counts.certain(series);
  const auto& swl = b.swl[series];
  Mixture all;
  std::vector<double> means, lows, highs;
  double sw = 0, swl_all = 0;
  for (std::size_t batch = 0; batch < static_cast<std::size_t>(kBatches); ++batch) {
    const auto& v = b.mix[series][batch];
    all.merge(v);
    sw += b.sw[batch];
    swl_all += swl[batch];
    means.push_back(static_cast<double>(shift) + swl[batch] / b.sw[batch]);
    if (!v.dense.empty() || !v.far.empty()) {
      const auto sb = summarise_mixture(v, level, shift);
      lows.push_back(sb.hpd_low);
      highs.push_back(sb.hpd_high);
    }
  }
  const auto s = summarise_mixture(std::move(all), level, shift);
  pc.mean = static_cast<double>(shift) + swl_all / sw;  // exact mixture mean (the pmf's is the same to 1e-12)
  pc.median = s.median;
  pc.sd = s.sd;
  pc.hpd = {s.hpd_low, s.hpd_high, level, "highest posterior density"};
  pc.equal_tailed = {s.et_low, s.et_high, level, "equal-tailed"};
  pc.mean_se = bayes::spread_se(means);
  if (lows.size() == static_cast<std::size_t>(kBatches)) {
    pc.hpd_se_low = bayes::spread_se(lows);
    pc.hpd_se_high = bayes::spread_se(highs);
  }
  return pc;
}

// The result's description of the problem: terms, prior, cells.
void describe_problem(const Design& d, const BayesLogLinearOptions& o, double g, BayesLogLinearResult& r) {
  const std::uint64_t nmodels = std::uint64_t{1} << d.pair_names.size();
  r.models_in_space = nmodels;
  r.terms = d.pair_names;
  r.maximal_model = formula_of(d, nmodels - 1, nullptr);
  r.prior_scale = g;
  r.prior = o.prior_scale > 0
                ? fmt::format("normal, precision X'X / {:g}; flat intercept", g)
                : fmt::format("unit information (X'X / {} cells); flat intercept; uniform over models", d.ncells);
  r.cells = static_cast<int>(d.ncells);
  r.missing_cells = static_cast<int>(d.missing.size());
  r.censored_cells = static_cast<int>(d.censored.size());
  r.seed = o.seed;
}

}  // namespace

BayesModeFit bayes_mode(const CovariateCaptureTable& table, std::uint64_t mask, double prior_scale,
                        int censored_list) {
  const Design d = bayes::make_design(table, censored_list);
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

BayesLogLinearResult bayes_loglinear(const CovariateCaptureTable& table, const BayesLogLinearOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.draws_per_model < 2 * kBatches)
    throw UsageError(fmt::format("bayes_loglinear: need at least {} draws per model", 2 * kBatches));
  if (o.censored_list >= table.k()) throw UsageError("bayes_loglinear: the censored list is not a list of the table");
  const Design d = bayes::make_design(table, o.censored_list);
  const std::size_t nterms = d.pair_names.size();
  if (nterms > 62) throw UsageError(fmt::format("bayes_loglinear: {} two-way terms: too many factors", nterms));
  const double g = o.prior_scale > 0 ? o.prior_scale : static_cast<double>(d.ncells);
  const int threads = std::max(1, o.threads);
  BayesLogLinearResult r;
  describe_problem(d, o, g, r);

  // 1. The Laplace approximation of every model's marginal likelihood: all 2^P models when
  //    P <= max_enumerated_terms, else every model a Metropolis chain over the model space
  //    (MC^3, Madigan & York 1995) visits or proposes; then screening.
  const bool enumerate = nterms <= static_cast<std::size_t>(o.max_enumerated_terms);
  r.search = enumerate ? "enumerated" : "MC3";
  const Candidates candidates =
      enumerate ? enumerate_models(d, g, r.models_in_space, threads) : search_models(d, g, o, threads, r);
  r.models_evaluated = candidates.masks.size();
  const std::vector<std::uint64_t> kept = screen_models(candidates, o, r);

  // 2. Importance sampling for the models kept (the same number of draws for each).
  const std::vector<ModelDraws> draws = sample_models(d, g, kept, o, threads, r);

  // 3. Weights on one scale.
  const Series series = make_series(table);
  const SeriesCounts counts{table, d, draws, series};
  const Weights weights = weigh_models(d, kept, draws, counts, r);

  // 4. The posterior of N (and per stratum and margin): a mixture of Poissons, by batch.
  const std::size_t S = static_cast<std::size_t>(r.draws_per_model);
  const BatchMixtures batches = mix_by_batch(weights, counts, S, threads);
  r.total = summarise_series(batches, counts, 0, o.level);
  for (std::size_t k = 1; k < series.in.size(); ++k)
    (k < series.first_margin ? r.strata : r.margins).push_back(summarise_series(batches, counts, k, o.level));

  std::sort(r.models.begin(), r.models.end(), [](const BayesModel& a, const BayesModel& b) {
    return a.probability > b.probability || (a.probability == b.probability && a.mask < b.mask);
  });
  r.ess = r.total.mean_se > 0 ? r.total.sd * r.total.sd / (r.total.mean_se * r.total.mean_se) : 0;
  r.min_importance_efficiency = 1.0;
  for (const auto& m : r.models)
    if (m.probability >= 0.01)
      r.min_importance_efficiency = std::min(r.min_importance_efficiency, m.ess / static_cast<double>(S));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace joindots::estimate
