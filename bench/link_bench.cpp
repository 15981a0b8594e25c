// Linkage micro-benchmarks: field comparators, whole comparison vectors (pairs per second
// on one core, and on two threads over blocks), and EM on pattern counts.
// Inputs: the FEBRL3 and splink_historical_50k benchmark files in ../shared/data/linkage.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "link/block.hpp"
#include "link/compare.hpp"
#include "link/config.hpp"
#include "link/csv_input.hpp"
#include "link/fellegi_sunter.hpp"
#include "link/jaro_winkler.hpp"
#include "link/link.hpp"

namespace {

using namespace joindots;
using namespace joindots::link;

struct Dataset {
  CsvLinkInput input;
  LinkConfig config;
};

const Dataset& historical() {
  static const Dataset d = [] {
    Dataset d;
    const LinkSettings s = parse_link_settings(R"(
[columns]
id = "unique_id"
given_name = "first_name"
family_name = "surname"
dob = "dob"
postcode = "postcode_fake"
birth_place = "birth_place"
sex = "gender"
occupation = "occupation"
)",
                                               "bench");
    d.input = read_link_csv({std::filesystem::path(JOINDOTS_BENCH_DATA_DIR) / "linkage" / "splink_historical_50k" /
                             "historical_figures_with_errors_50k.csv"},
                            s.mapping, "", true);
    d.config = resolve_link_config(s, d.input.available);
    return d;
  }();
  return d;
}

void BM_JaroWinkler(benchmark::State& state) {
  const char* names[][2] = {{"martha", "marhta"}, {"dwayne", "duane"}, {"christopher", "kristofer"},
                            {"smith", "smyth"}};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(jaro_winkler(names[i & 3][0], names[i & 3][1]));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JaroWinkler);

/// Comparison vectors of random record pairs on one core (7 fields of historical_50k).
void BM_ComparePairs(benchmark::State& state) {
  const auto& d = historical();
  const auto& recs = d.input.records;
  Rng rng(1, "bench");
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(4096);
  for (auto& p : pairs)
    p = {static_cast<std::uint32_t>(rng.below(recs.size())), static_cast<std::uint32_t>(rng.below(recs.size()))};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ & 4095];
    benchmark::DoNotOptimize(compare_pair(recs[a], recs[b], d.config.comparisons));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pairs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ComparePairs);

/// Blocked candidate pairs compared over blocks on 1 or 2 threads (wall time).
void BM_CompareCandidates(benchmark::State& state) {
  const auto& d = historical();
  const int threads = static_cast<int>(state.range(0));
  std::int64_t pairs = 0;
  for (auto _ : state) {
    Blocker blocker(d.input.records, d.config.blocking, false, d.config.max_pairs);
    const PatternCounts counts = count_patterns(d.input.records, blocker, d.config.comparisons, threads);
    pairs = blocker.report().candidate_pairs;
    benchmark::DoNotOptimize(counts.data());
  }
  state.SetItemsProcessed(state.iterations() * pairs);
  state.counters["candidate_pairs"] = static_cast<double>(pairs);
}
BENCHMARK(BM_CompareCandidates)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

/// EM on the pattern counts of the historical_50k candidate pairs (millions of pairs,
/// thousands of patterns): its cost does not depend on the number of pairs.
void BM_EmOnPatterns(benchmark::State& state) {
  const auto& d = historical();
  static const PatternCounts counts = [&] {
    Blocker blocker(d.input.records, d.config.blocking, false, d.config.max_pairs);
    return count_patterns(d.input.records, blocker, d.config.comparisons, 2);
  }();
  std::vector<std::size_t> levels;
  for (const auto& c : d.config.comparisons) levels.push_back(level_count(c.comparator));
  Rng rng(1, "u");
  static const LevelProbabilities u = estimate_u(d.input.records, d.config.comparisons, 200000, false, rng);
  std::int64_t pairs = 0;
  for (const auto& [p, c] : counts) pairs += c;
  int iterations = 0;
  for (auto _ : state) {
    const EmResult fit = em_fit(counts, levels, initial_m(levels), u, 0.1, {500, 1e-7});
    iterations = fit.iterations;
    benchmark::DoNotOptimize(fit.lambda);
  }
  state.counters["patterns"] = static_cast<double>(counts.size());
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["em_iterations"] = iterations;
}
BENCHMARK(BM_EmOnPatterns)->Unit(benchmark::kMillisecond);

}  // namespace
