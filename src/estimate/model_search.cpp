#include "estimate/model_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/math/distributions/poisson.hpp>
#include <exception>
#include <thread>
#include <bit>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"

namespace joindots::estimate {

const char* to_string(Criterion c) { return c == Criterion::Aic ? "aic" : "bic"; }

Criterion parse_criterion(std::string_view name) {
  if (name == "aic" || name == "AIC") return Criterion::Aic;
  if (name == "bic" || name == "BIC") return Criterion::Bic;
  throw UsageError(fmt::format("unknown criterion `{}`; valid: aic, bic", name));
}

namespace {

double criterion_of(const LogLinearFit& f, Criterion c) { return c == Criterion::Aic ? f.aic : f.bic; }


// A start for `child` from the fit of a model with fewer terms: shared terms keep their
// coefficients, new ones start at 0; a heterogeneity coefficient (after the terms) is kept.
std::vector<double> warm_start(const LogLinearModel& child, const std::vector<std::uint32_t>& parent_terms,
                               const std::vector<double>& parent_beta, std::vector<double>& scratch) {
  for (std::size_t j = 0; j < parent_terms.size(); ++j) scratch[parent_terms[j]] = parent_beta[j];
  std::vector<double> start;
  start.reserve(child.parameters());
  for (auto t : child.terms()) start.push_back(scratch[t]);
  for (auto t : parent_terms) scratch[t] = 0.0;
  if (child.heterogeneity() != Heterogeneity::None)
    start.push_back(parent_beta.size() > parent_terms.size() ? parent_beta.back() : 0.0);
  return start;
}

struct Collector {
  const CaptureTable& table;
  Criterion criterion;
  ModelSelection& sel;
  Heterogeneity heterogeneity = Heterogeneity::None;
  bool drop_negative_heterogeneity = false;
  ExistenceCache* cache = nullptr;

  // Checks and fits one model (with the search's heterogeneity column); returns the fit
  // (valid or not) and records the outcome.
  LogLinearFit visit(const LogLinearModel& plain, const std::vector<double>* start) {
    const LogLinearModel m = plain.with_heterogeneity(heterogeneity);
    ++sel.models_considered;
    auto check = cache ? *cache->check(table, m) : check_existence(table, m);
    if (check.status != MleStatus::Exists) {
      sel.excluded.push_back({m, check.status, check.reason});
      LogLinearFit f;
      f.model = m;
      f.existence = std::move(check);
      return f;
    }
    auto fit = fit_loglinear(table, m, std::move(check), start);
    if (!fit.converged && start) fit = fit_loglinear(table, m, fit.existence, nullptr);  // retry cold
    if (fit.ok() && drop_negative_heterogeneity && negative_heterogeneity(fit))
      sel.excluded.push_back({m, MleStatus::Exists,
                              fmt::format("negative heterogeneity coefficient ({:.3g}): the lists are less alike than "
                                          "independence allows, not people differing in visibility",
                                          fit.beta.back())});
    else if (fit.ok())
      sel.ranked.push_back(rank_fit(fit, criterion));
    else
      ++sel.not_converged;
    return fit;
  }
};

void exhaustive(const CaptureTable& table, Collector col) {
  const Heterogeneity h = col.heterogeneity;
  const int k = table.k();
  const auto pairs = all_pairs(k);
  const std::uint32_t count = std::uint32_t{1} << pairs.size();
  std::vector<std::vector<double>> betas(count);
  std::vector<std::uint8_t> usable(count, 0);
  std::vector<double> scratch(table.cells(), 0.0);
  std::vector<std::uint32_t> gens;
  for (std::uint32_t s = 0; s < count; ++s) {
    gens.clear();
    for (std::size_t i = 0; i < pairs.size(); ++i)
      if (s >> i & 1u) gens.push_back(pairs[i]);
    const auto m = LogLinearModel::hierarchical(k, gens);
    const std::uint32_t parent = s & (s - 1);
    std::vector<double> start;
    const bool warm = s != 0 && usable[parent];
    if (warm) {
      gens.clear();
      for (std::size_t i = 0; i < pairs.size(); ++i)
        if (parent >> i & 1u) gens.push_back(pairs[i]);
      const auto pm = LogLinearModel::hierarchical(k, gens);
      start = warm_start(m.with_heterogeneity(h), pm.terms(), betas[parent], scratch);
    }
    auto fit = col.visit(m, warm ? &start : nullptr);
    if (fit.ok() && fit.estimated_terms == m.terms() && fit.estimated_heterogeneity == (h != Heterogeneity::None)) {
      betas[s] = std::move(fit.beta);
      usable[s] = 1;
    }
  }
}

// Every hierarchical model whose interactions have 2..max_order lists: the down-closed sets
// of such terms, found by filtering all subsets of them.
void exhaustive_higher_order(const CaptureTable& table, Collector col, int max_order) {
  const int k = table.k();
  std::vector<std::uint32_t> terms;
  for (std::uint32_t t = 1; t < table.cells() - 1; ++t)
    if (std::popcount(t) >= 2 && std::popcount(t) <= max_order) terms.push_back(t);
  if (terms.size() > 20)
    throw UsageError(fmt::format("a search over all hierarchical models up to order {} with {} lists has 2^{} "
                                 "candidate sets of terms; use order 2 (two-way models)",
                                 max_order, k, terms.size()));
  // needs[i]: the terms of size >= 2 one list smaller than terms[i], as a bitmask over terms.
  std::vector<std::uint32_t> needs(terms.size(), 0);
  for (std::size_t i = 0; i < terms.size(); ++i)
    for (std::size_t j = 0; j < terms.size(); ++j)
      if ((terms[j] & terms[i]) == terms[j] && std::popcount(terms[j]) + 1 == std::popcount(terms[i]))
        needs[i] |= 1u << j;
  for (std::uint32_t s = 0; s < (std::uint32_t{1} << terms.size()); ++s) {
    bool closed = true;
    std::vector<std::uint32_t> gens;
    for (std::size_t i = 0; i < terms.size() && closed; ++i)
      if (s >> i & 1u) {
        closed = (s & needs[i]) == needs[i];
        gens.push_back(terms[i]);
      }
    if (!closed) continue;
    col.visit(LogLinearModel::hierarchical(k, gens), nullptr);
  }
}

void stepwise(const CaptureTable& table, Collector col) {
  const Heterogeneity h = col.heterogeneity;
  const Criterion criterion = col.criterion;
  ModelSelection& sel = col.sel;
  const int k = table.k();
  const auto pairs = all_pairs(k);
  std::vector<std::uint32_t> current;
  auto fit = col.visit(LogLinearModel(k), nullptr);
  if (col.drop_negative_heterogeneity && negative_heterogeneity(fit)) fit.converged = false;  // not a start
  double best = fit.ok() ? criterion_of(fit, criterion) : std::numeric_limits<double>::infinity();
  std::vector<double> beta = fit.ok() ? fit.beta : std::vector<double>{};
  std::vector<std::uint32_t> terms = fit.ok() ? fit.estimated_terms : std::vector<std::uint32_t>{};
  std::vector<double> scratch(table.cells(), 0.0);
  for (;;) {
    double step_best = best;
    std::uint32_t step_pair = 0;
    LogLinearFit step_fit;
    for (auto p : pairs) {
      if (std::find(current.begin(), current.end(), p) != current.end()) continue;
      auto gens = current;
      gens.push_back(p);
      const auto m = LogLinearModel::hierarchical(k, gens);
      std::vector<double> start;
      if (!terms.empty()) start = warm_start(m.with_heterogeneity(h), terms, beta, scratch);
      auto f = col.visit(m, terms.empty() ? nullptr : &start);
      const bool admitted = f.ok() && !(col.drop_negative_heterogeneity && negative_heterogeneity(f));
      if (admitted && criterion_of(f, criterion) < step_best) {
        step_best = criterion_of(f, criterion);
        step_pair = p;
        step_fit = std::move(f);
      }
    }
    if (step_pair == 0) break;
    current.push_back(step_pair);
    best = step_best;
    beta = step_fit.beta;
    terms = step_fit.estimated_terms;
  }
  // The same model can be reached twice; keep one.
  std::sort(sel.ranked.begin(), sel.ranked.end(),
            [](const RankedModel& a, const RankedModel& b) { return a.model.terms() < b.model.terms(); });
  sel.ranked.erase(std::unique(sel.ranked.begin(), sel.ranked.end(),
                               [](const RankedModel& a, const RankedModel& b) { return a.model == b.model; }),
                   sel.ranked.end());
}

// Sorts a search's ranked models by the criterion, sets their weights and the averaged
// estimate, and computes the profile intervals of the best ones; a profile already computed
// for the same model in `profiled` (a selection of the same table) is reused.
void finish_selection(const CaptureTable& table, const SearchOptions& options, ModelSelection& sel,
                      const ModelSelection* profiled) {
  std::stable_sort(sel.ranked.begin(), sel.ranked.end(),
                   [](const RankedModel& a, const RankedModel& b) { return a.criterion < b.criterion; });
  if (sel.ranked.empty()) return;
  const double min_ic = sel.ranked.front().criterion;
  double total = 0;
  for (auto& r : sel.ranked) total += (r.weight = std::exp(-0.5 * (r.criterion - min_ic)));
  sel.averaged_estimate = 0;
  for (auto& r : sel.ranked) {
    r.weight /= total;
    sel.averaged_estimate += r.weight * r.estimate;
  }
  if (!options.profile_intervals) return;
  for (std::size_t i = 0; i < sel.ranked.size() && static_cast<int>(i) < options.profile_max_models; ++i) {
    auto& r = sel.ranked[i];
    if (i > 0 && r.weight < options.profile_min_weight) break;
    const RankedModel* done = nullptr;
    if (profiled)
      for (const auto& q : profiled->ranked)
        if (q.has_profile && q.model == r.model) done = &q;
    if (done) {
      r.profile = done->profile;
    } else {
      const auto fit = fit_loglinear(table, r.model);
      r.profile = profile_interval(table, fit, options.level);
    }
    r.has_profile = true;
  }
}

}  // namespace

RankedModel rank_fit(const LogLinearFit& f, Criterion c) {
  RankedModel r;
  r.model = f.model;
  r.estimate = f.estimate;
  r.unobserved = f.unobserved;
  r.loglik = f.loglik;
  r.deviance = f.deviance;
  r.aic = f.aic;
  r.bic = f.bic;
  r.criterion = criterion_of(f, c);
  r.parameters = f.parameters;
  r.df = f.df;
  r.boundary_cells = static_cast<int>(f.existence.boundary_cells.size());
  return r;
}

ModelSelection select_models(const CaptureTable& table, const SearchOptions& options, ModelSelection* plain) {
  ModelSelection sel;
  sel.criterion = options.criterion;
  if (options.max_order != 2 && (options.max_order < 2 || options.max_order >= table.k()))
      throw UsageError(fmt::format(
          "max order {}: interactions of up to {} lists need more than {} lists (the {}-way term is never "
          "searched: it is confounded with the unobserved cell); use 2",
          options.max_order, options.max_order, options.max_order, table.k()));
  // One search per heterogeneity term (warm starts run within a search).
  const std::vector<Heterogeneity> kinds =
      options.heterogeneity.empty() ? std::vector<Heterogeneity>{Heterogeneity::None} : options.heterogeneity;
  // The searches are independent: on `threads` threads, each into its own selection, merged
  // in the order of `kinds` (the same result as one after the other).
  std::vector<ModelSelection> parts(kinds.size());
  auto search_kind = [&](std::size_t i) {
    const Collector col{table, options.criterion, parts[i], kinds[i], options.drop_negative_heterogeneity,
                        options.existence_cache};
    if (options.max_order > 2) {
      parts[i].search = fmt::format("exhaustive (all hierarchical models, order <= {})", options.max_order);
      exhaustive_higher_order(table, col, options.max_order);
    } else if (table.k() <= options.exhaustive_max_lists) {
      parts[i].search = "exhaustive";
      exhaustive(table, col);
    } else {
      parts[i].search = "stepwise";
      stepwise(table, col);
    }
  };
  const std::size_t workers =
      std::min<std::size_t>(kinds.size(), static_cast<std::size_t>(std::max(1, options.threads)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < kinds.size(); ++i) search_kind(i);
  } else {
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(workers);
    std::vector<std::thread> pool;
    for (std::size_t w = 0; w < workers; ++w)
      pool.emplace_back([&, w] {
        try {
          for (std::size_t i = next++; i < kinds.size(); i = next++) search_kind(i);
        } catch (...) {
          errors[w] = std::current_exception();
        }
      });
    for (auto& t : pool) t.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  if (plain) {
    *plain = ModelSelection{};
    plain->criterion = options.criterion;
    const auto none = std::find(kinds.begin(), kinds.end(), Heterogeneity::None);
    if (none != kinds.end()) {
      // A copy of the plain search's part, finished below as select_models({None}) would.
      const ModelSelection& part = parts[static_cast<std::size_t>(none - kinds.begin())];
      plain->search = part.search;
      plain->models_considered = part.models_considered;
      plain->not_converged = part.not_converged;
      plain->ranked = part.ranked;
      plain->excluded = part.excluded;
    }
  }
  for (auto& part : parts) {
    sel.search = part.search;
    sel.models_considered += part.models_considered;
    sel.not_converged += part.not_converged;
    sel.ranked.insert(sel.ranked.end(), std::make_move_iterator(part.ranked.begin()),
                      std::make_move_iterator(part.ranked.end()));
    sel.excluded.insert(sel.excluded.end(), std::make_move_iterator(part.excluded.begin()),
                        std::make_move_iterator(part.excluded.end()));
  }
  if (kinds.size() > 1 || kinds[0] != Heterogeneity::None) {
    std::string names;
    for (const auto h : kinds) names += (names.empty() ? "" : ", ") + std::string(to_string(h));
    sel.search += kinds.size() > 1 ? fmt::format(", every model with each heterogeneity term ({})", names)
                                   : fmt::format(", every model with the {} heterogeneity term", names);
  }
  finish_selection(table, options, sel, nullptr);
  if (plain && !plain->ranked.empty()) finish_selection(table, options, *plain, &sel);
  return sel;
}

ModelSelection select_stepwise_pvalue(const CaptureTable& table, double threshold, double level, bool with_profile) {
  const int k = table.k();
  ModelSelection sel;
  sel.criterion = Criterion::Aic;
  sel.search = fmt::format("forward stepwise, Poisson p-value of the overlap < {}", threshold);
  Collector col{table, Criterion::Aic, sel};
  std::vector<std::uint32_t> current;
  LogLinearFit chosen = col.visit(LogLinearModel(k), nullptr);
  if (!chosen.ok()) return sel;
  for (;;) {
    double best_p = 1.0;
    std::uint32_t best_pair = 0;
    for (auto pr : all_pairs(k)) {
      if (std::find(current.begin(), current.end(), pr) != current.end()) continue;
      // The overlap of the two lists, observed and expected under the current model.
      double observed = 0, expected = 0;
      for (std::uint32_t c = 1; c < table.cells(); ++c)
        if ((c & pr) == pr) {
          observed += static_cast<double>(table.counts[c]);
          expected += chosen.fitted[c];
        }
      double p = 1.0;
      if (expected > 0) {
        const boost::math::poisson_distribution<double> pois(expected);
        const double lower = boost::math::cdf(pois, observed);
        const double upper = observed > 0 ? boost::math::cdf(boost::math::complement(pois, observed - 1)) : 1.0;
        p = std::min(lower, upper);
      } else if (observed > 0) {
        p = 0.0;
      }
      if (!(p < best_p)) continue;
      auto gens = current;
      gens.push_back(pr);
      if (check_existence(table, LogLinearModel::hierarchical(k, gens)).status != MleStatus::Exists) continue;
      best_p = p;
      best_pair = pr;
    }
    if (best_pair == 0 || !(best_p < threshold)) break;
    current.push_back(best_pair);
    auto f = col.visit(LogLinearModel::hierarchical(k, current), nullptr);
    if (!f.ok()) break;
    chosen = std::move(f);
  }
  // The chosen model first, with its profile interval and weight 1.
  auto first = std::find_if(sel.ranked.begin(), sel.ranked.end(),
                            [&](const RankedModel& r) { return r.model == chosen.model; });
  std::rotate(sel.ranked.begin(), first, first + 1);
  for (auto& r : sel.ranked) r.weight = 0;
  sel.ranked.front().weight = 1;
  if (with_profile) {
    sel.ranked.front().profile = profile_interval(table, chosen, level);
    sel.ranked.front().has_profile = true;
  }
  sel.averaged_estimate = sel.ranked.front().estimate;
  return sel;
}

std::vector<const RankedModel*> ModelSelection::best_of_each_form() const {
  std::vector<const RankedModel*> out;
  for (const auto& r : ranked)
    if (std::ranges::none_of(out,
                             [&](const RankedModel* o) { return o->model.heterogeneity() == r.model.heterogeneity(); }))
      out.push_back(&r);
  return out;
}

bool negative_heterogeneity(const LogLinearFit& fit) {
  return fit.estimated_heterogeneity && !fit.beta.empty() && fit.beta.back() < 0;
}

QuickChoice choose_among(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                         Criterion criterion, bool drop_negative_heterogeneity, ExistenceCache* cache) {
  QuickChoice best;
  double best_ic = std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, double>> valid;  // (criterion, estimate)
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto fit = cache ? fit_loglinear(table, candidates[i], *cache->check(table, candidates[i]))
                           : fit_loglinear(table, candidates[i]);
    if (!fit.ok() || (drop_negative_heterogeneity && negative_heterogeneity(fit))) continue;
    const double ic = criterion_of(fit, criterion);
    valid.emplace_back(ic, fit.estimate);
    if (ic < best_ic) {
      best_ic = ic;
      best.found = true;
      best.index = i;
      best.estimate = fit.estimate;
    }
  }
  double total = 0, sum = 0;
  for (auto [ic, est] : valid) {
    const double w = std::exp(-0.5 * (ic - best_ic));
    total += w;
    sum += w * est;
  }
  best.averaged = total > 0 ? sum / total : 0;
  return best;
}

}  // namespace joindots::estimate
