// The Dice kernel of encoded linkage (issue 16): one 1024-bit filter against a contiguous
// block of many, pairs per second on one core (items_per_second). The block length is the
// argument: 4,096 filters (512 KiB, within L2) and 65,536 (8 MiB, beyond it).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "encode/dice.hpp"

namespace {

using namespace joindots::encode;

struct Block {
  std::vector<std::uint64_t> query, filters;
  std::vector<std::uint32_t> weights;
};

// Filters about as full as the encoder's (roughly a third of the bits set).
const Block& block_of(std::size_t count) {
  static std::vector<std::pair<std::size_t, Block>> made;
  for (const auto& [n, b] : made)
    if (n == count) return b;
  std::mt19937_64 rng(count);
  Block b;
  auto fill = [&](std::vector<std::uint64_t>& words, std::size_t n) {
    words.resize(n * kDefaultClkWords);
    for (auto& w : words) w = rng() & rng();  // each bit set with probability 1/4
  };
  fill(b.query, 1);
  fill(b.filters, count);
  for (std::size_t i = 0; i < count; ++i) b.weights.push_back(filter_weight(b.filters.data() + i * kDefaultClkWords, kDefaultClkWords));
  made.emplace_back(count, std::move(b));
  return made.back().second;
}

void run_and_counts(benchmark::State& state, bool avx2) {
  if (avx2 && !avx2_available()) {
    state.SkipWithError("this CPU has no AVX2");
    return;
  }
  const auto count = static_cast<std::size_t>(state.range(0));
  const Block& b = block_of(count);
  std::vector<std::uint16_t> out(count);
  for (auto _ : state) {
    if (avx2) and_counts_avx2(b.query.data(), b.filters.data(), count, kDefaultClkWords, out.data());
    else and_counts_scalar(b.query.data(), b.filters.data(), count, kDefaultClkWords, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}

void BM_AndCountsAvx2(benchmark::State& state) { run_and_counts(state, true); }
void BM_AndCountsScalar(benchmark::State& state) { run_and_counts(state, false); }

// The whole Dice coefficient (AND counts by the active kernel, then the ratio as float).
void BM_DiceAgainstBlock(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const Block& b = block_of(count);
  const std::uint32_t qw = filter_weight(b.query.data(), kDefaultClkWords);
  std::vector<float> out(count);
  for (auto _ : state) {
    dice_against_block(b.query.data(), qw, b.filters.data(), b.weights.data(), count, kDefaultClkWords, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
  state.SetLabel(to_string(active_dice_kernel()));
}

BENCHMARK(BM_AndCountsAvx2)->Arg(4096)->Arg(65536);
BENCHMARK(BM_AndCountsScalar)->Arg(4096)->Arg(65536);
BENCHMARK(BM_DiceAgainstBlock)->Arg(4096)->Arg(65536);

}  // namespace
