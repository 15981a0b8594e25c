#include "estimate/model_search.hpp"

#include <fmt/format.h>

#include <algorithm>
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

RankedModel summarise(const LogLinearFit& f, Criterion c) {
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

// A start for `child` from the fit of a model with fewer terms: shared terms keep their
// coefficients, new ones start at 0.
std::vector<double> warm_start(const LogLinearModel& child, const std::vector<std::uint32_t>& parent_terms,
                               const std::vector<double>& parent_beta, std::vector<double>& scratch) {
  for (std::size_t j = 0; j < parent_terms.size(); ++j) scratch[parent_terms[j]] = parent_beta[j];
  std::vector<double> start;
  start.reserve(child.terms().size());
  for (auto t : child.terms()) start.push_back(scratch[t]);
  for (auto t : parent_terms) scratch[t] = 0.0;
  return start;
}

struct Collector {
  const CaptureTable& table;
  Criterion criterion;
  ModelSelection& sel;

  // Checks and fits one model; returns the fit (valid or not) and records the outcome.
  LogLinearFit visit(const LogLinearModel& m, const std::vector<double>* start) {
    ++sel.models_considered;
    auto check = check_existence(table, m);
    if (check.status != MleStatus::Exists) {
      sel.excluded.push_back({m, check.status, check.reason});
      LogLinearFit f;
      f.model = m;
      f.existence = std::move(check);
      return f;
    }
    auto fit = fit_loglinear(table, m, std::move(check), start);
    if (!fit.converged && start) fit = fit_loglinear(table, m, fit.existence, nullptr);  // retry cold
    if (fit.ok())
      sel.ranked.push_back(summarise(fit, criterion));
    else
      ++sel.not_converged;
    return fit;
  }
};

void exhaustive(const CaptureTable& table, Criterion criterion, ModelSelection& sel) {
  const int k = table.k();
  const auto pairs = all_pairs(k);
  const std::uint32_t count = std::uint32_t{1} << pairs.size();
  Collector col{table, criterion, sel};
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
      start = warm_start(m, pm.terms(), betas[parent], scratch);
    }
    auto fit = col.visit(m, warm ? &start : nullptr);
    if (fit.ok() && fit.estimated_terms == m.terms()) {
      betas[s] = std::move(fit.beta);
      usable[s] = 1;
    }
  }
}

void stepwise(const CaptureTable& table, Criterion criterion, ModelSelection& sel) {
  const int k = table.k();
  const auto pairs = all_pairs(k);
  Collector col{table, criterion, sel};
  std::vector<std::uint32_t> current;
  auto fit = col.visit(LogLinearModel(k), nullptr);
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
      if (!terms.empty()) start = warm_start(m, terms, beta, scratch);
      auto f = col.visit(m, terms.empty() ? nullptr : &start);
      if (f.ok() && criterion_of(f, criterion) < step_best) {
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

}  // namespace

ModelSelection select_models(const CaptureTable& table, const SearchOptions& options) {
  ModelSelection sel;
  sel.criterion = options.criterion;
  if (table.k() <= options.exhaustive_max_lists) {
    sel.search = "exhaustive";
    exhaustive(table, options.criterion, sel);
  } else {
    sel.search = "stepwise";
    stepwise(table, options.criterion, sel);
  }
  std::stable_sort(sel.ranked.begin(), sel.ranked.end(),
                   [](const RankedModel& a, const RankedModel& b) { return a.criterion < b.criterion; });
  if (sel.ranked.empty()) return sel;
  const double min_ic = sel.ranked.front().criterion;
  double total = 0;
  for (auto& r : sel.ranked) total += (r.weight = std::exp(-0.5 * (r.criterion - min_ic)));
  sel.averaged_estimate = 0;
  for (auto& r : sel.ranked) {
    r.weight /= total;
    sel.averaged_estimate += r.weight * r.estimate;
  }
  if (options.profile_intervals) {
    for (std::size_t i = 0; i < sel.ranked.size() && static_cast<int>(i) < options.profile_max_models; ++i) {
      auto& r = sel.ranked[i];
      if (i > 0 && r.weight < options.profile_min_weight) break;
      const auto fit = fit_loglinear(table, r.model);
      r.profile = profile_interval(table, fit, options.level);
      r.has_profile = true;
    }
  }
  return sel;
}

QuickChoice choose_among(const CaptureTable& table, const std::vector<LogLinearModel>& candidates,
                         Criterion criterion) {
  QuickChoice best;
  double best_ic = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto fit = fit_loglinear(table, candidates[i]);
    if (!fit.ok()) continue;
    const double ic = criterion_of(fit, criterion);
    if (ic < best_ic) {
      best_ic = ic;
      best.found = true;
      best.index = i;
      best.estimate = fit.estimate;
    }
  }
  return best;
}

}  // namespace joindots::estimate
