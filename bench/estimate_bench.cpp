// Estimation benchmarks (Google Benchmark). How they were measured and the figures are in
// docs/estimation.md ("Speed"). Run: ./build/bin/joindots_bench --benchmark_filter=Estimate
//
//  - BM_EstimateExhaustiveSearchK6: all 32,768 two-way hierarchical models for 6 lists, each
//    through the existence check and a fit, plus profile intervals for the models carrying
//    weight (target < 5 s); WithHeterogeneity: the same four times over (plain, and with
//    each heterogeneity term), as auto's headline search;
//  - BM_EstimateBootstrap: 1,000 parametric bootstrap replicates with model re-selection
//    (target < 10 s);
//  - BM_EstimateLcmcr/<scale>: LCMCR Gibbs iterations per second on the Kosovo table with
//    every count multiplied by <scale> (n from 4,400 to 4.4 million): the cost per iteration
//    must not grow with n at fixed patterns.
#include <benchmark/benchmark.h>

#include "core/rng.hpp"
#include "estimate/bootstrap.hpp"
#include "estimate/estimate.hpp"
#include "estimate/lcmcr.hpp"
#include "estimate/model_search.hpp"

namespace {

using namespace joindots;
using namespace joindots::estimate;

/// Six lists, N = 20,000 people in two latent classes (heterogeneous capture).
CaptureTable six_lists(std::int64_t n) {
  const std::vector<double> p = {0.2, 0.15, 0.25, 0.1, 0.3, 0.2};
  std::vector<std::int64_t> counts(64, 0);
  Rng rng(1, "bench_six_lists");
  for (std::int64_t i = 0; i < n; ++i) {
    const double f = rng.bernoulli(0.3) ? 2.0 : 0.8;
    std::uint32_t c = 0;
    for (int j = 0; j < 6; ++j)
      if (rng.bernoulli(p[static_cast<std::size_t>(j)] * f)) c |= 1u << j;
    ++counts[c];
  }
  counts[0] = 0;
  return CaptureTable::from_counts({"A", "B", "C", "D", "E", "F"}, counts);
}

void BM_EstimateExhaustiveSearchK6(benchmark::State& state) {
  const auto t = six_lists(state.range(0));
  std::size_t profiles = 0, models = 0;
  for (auto _ : state) {
    const auto sel = select_models(t, {.criterion = Criterion::Bic, .profile_intervals = true});
    models = sel.models_considered;
    profiles = 0;
    for (const auto& r : sel.ranked) profiles += r.has_profile;
    benchmark::DoNotOptimize(sel.best().estimate);
  }
  state.counters["models"] = static_cast<double>(models);
  state.counters["profiles"] = static_cast<double>(profiles);
  state.counters["observed"] = static_cast<double>(t.observed());
}
BENCHMARK(BM_EstimateExhaustiveSearchK6)->Arg(20000)->Arg(400)->Unit(benchmark::kMillisecond)->Iterations(1);

// The search auto's headline makes: the 32,768 plain models and the same with each of the
// three heterogeneity terms, 131,072 models ranked together.
void BM_EstimateExhaustiveSearchK6WithHeterogeneity(benchmark::State& state) {
  const auto t = six_lists(state.range(0));
  std::size_t models = 0;
  for (auto _ : state) {
    const auto sel = select_models(t, {.criterion = Criterion::Bic,
                                       .heterogeneity = {Heterogeneity::None, Heterogeneity::Poisson2,
                                                         Heterogeneity::Darroch, Heterogeneity::Gamma35},
                                       .profile_intervals = true});
    models = sel.models_considered;
    benchmark::DoNotOptimize(sel.best().estimate);
  }
  state.counters["models"] = static_cast<double>(models);
}
BENCHMARK(BM_EstimateExhaustiveSearchK6WithHeterogeneity)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(1);

// auto's whole log-linear part without the bootstrap: the plain search, the search with
// the heterogeneity terms and the tail-area average (profile curves of up to 200 models).
// LCMCR is cut to a token run.
void BM_EstimateAutoWithoutBootstrapK6(benchmark::State& state) {
  const auto t = six_lists(state.range(0));
  EstimateOptions o;
  o.bootstrap_replicates = 0;
  o.lcmcr.chains = 1;
  o.lcmcr.burn_in = 1;
  o.lcmcr.samples = 2;
  o.lcmcr.thin = 1;
  double averaged = 0;
  for (auto _ : state) {
    const auto r = estimate_all(t, o);
    for (const auto& m : r.methods)
      if (m.method == "loglinear_mata") averaged = m.details["models_averaged"].get<double>();
    benchmark::DoNotOptimize(r.interval.high);
  }
  state.counters["models_averaged"] = averaged;
}
BENCHMARK(BM_EstimateAutoWithoutBootstrapK6)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_EstimateBootstrap(benchmark::State& state) {
  const auto t = six_lists(20000);
  const auto sel = select_models(t, {.profile_intervals = false});
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const auto b = bootstrap_loglinear(t, sel, {.replicates = 1000, .seed = 1, .threads = threads});
    benchmark::DoNotOptimize(b.interval.low);
    state.counters["candidates"] = static_cast<double>(b.candidates);
  }
  state.counters["replicates"] = 1000;
}
BENCHMARK(BM_EstimateBootstrap)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_EstimateLcmcr(benchmark::State& state) {
  const std::vector<std::int64_t> kosovo = {0,   1131, 845, 177, 936, 228, 217, 181,
                                            306, 106,  31,  18,  123, 42,  32,  27};
  std::vector<std::int64_t> counts = kosovo;
  for (auto& c : counts) c *= state.range(0);
  const auto t = CaptureTable::from_counts({"EXH", "ABA", "OSCE", "HRW"}, counts);
  LcmcrOptions o;
  o.chains = 1;
  o.threads = 1;
  o.burn_in = 2000;
  o.samples = 8000;
  double ips = 0;
  for (auto _ : state) {
    const auto r = run_lcmcr(t, o);
    ips = r.iterations_per_second;
    benchmark::DoNotOptimize(r.median);
  }
  state.counters["observed"] = static_cast<double>(t.observed());
  state.counters["iter_per_s"] = ips;
}
BENCHMARK(BM_EstimateLcmcr)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
