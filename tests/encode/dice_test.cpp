#include "encode/dice.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace joindots::encode {
namespace {

using Filters = std::vector<std::uint64_t>;  // filters one after another

// The reference: bit by bit, no popcount instruction or table.
std::uint16_t naive_and_count(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  std::uint16_t n = 0;
  for (std::size_t w = 0; w < words; ++w)
    for (int bit = 0; bit < 64; ++bit) n += static_cast<std::uint16_t>(((a[w] & b[w]) >> bit) & 1u);
  return n;
}

// Random filters whose bits are set with probability `density` (0 to 1).
Filters random_filters(std::size_t count, std::size_t words, double density, std::mt19937_64& rng) {
  Filters f(count * words, 0);
  std::bernoulli_distribution bit(density);
  for (auto& w : f)
    for (int b = 0; b < 64; ++b)
      if (bit(rng)) w |= std::uint64_t{1} << b;
  return f;
}

// Checks scalar against the naive count, and AVX2 (when the CPU has it) against scalar.
void expect_kernels_agree(const std::uint64_t* query, const Filters& block, std::size_t words) {
  const std::size_t count = block.size() / words;
  std::vector<std::uint16_t> scalar(count, 0xffff), avx2(count, 0xffff);
  and_counts_scalar(query, block.data(), count, words, scalar.data());
  for (std::size_t i = 0; i < count; ++i)
    ASSERT_EQ(scalar[i], naive_and_count(query, block.data() + i * words, words)) << "filter " << i;
  if (!avx2_available()) return;
  and_counts_avx2(query, block.data(), count, words, avx2.data());
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(avx2[i], scalar[i]) << "filter " << i << " of " << count;
}

TEST(DiceKernel, ReportsWhichKernelRuns) {
  const auto kernel = active_dice_kernel();
  EXPECT_EQ(kernel == DiceKernel::avx2, avx2_available() && std::getenv("JOINDOTS_DICE_KERNEL") == nullptr);
  EXPECT_STREQ(to_string(DiceKernel::avx2), "avx2");
}

TEST(DiceKernel, RandomFiltersEveryDensityAndBlockLength) {
  std::mt19937_64 rng(16);
  for (double density : {0.01, 0.1, 0.5, 0.9, 0.99}) {
    // Block lengths around the groups of four pairs the AVX2 kernel works in.
    for (std::size_t count : {0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 257}) {
      SCOPED_TRACE(::testing::Message() << "density " << density << ", count " << count);
      const Filters query = random_filters(1, kDefaultClkWords, density, rng);
      expect_kernels_agree(query.data(), random_filters(count, kDefaultClkWords, density, rng), kDefaultClkWords);
    }
  }
}

TEST(DiceKernel, OtherWidthsIncludingTheWidest) {
  std::mt19937_64 rng(17);
  // 4 and 8 words: the general AVX2 loop; 5: not a multiple of 256 bits, scalar; 512: the
  // widest, where the byte sums are folded every 31 chunks.
  for (std::size_t words : {4, 5, 8, 32, 124, 128, 512}) {
    SCOPED_TRACE(::testing::Message() << words << " words");
    const Filters query = random_filters(1, words, 0.5, rng);
    expect_kernels_agree(query.data(), random_filters(9, words, 0.5, rng), words);
    const Filters ones(words * 6, ~std::uint64_t{0});
    expect_kernels_agree(ones.data(), ones, words);
  }
}

TEST(DiceKernel, EdgeCaseFilters) {
  const std::size_t words = kDefaultClkWords;
  const Filters zero(words, 0), ones(words, ~std::uint64_t{0});
  // The block: all zero, all ones, then every single bit on its own.
  Filters block(zero);
  block.insert(block.end(), ones.begin(), ones.end());
  for (std::size_t bit = 0; bit < 64 * words; ++bit) {
    Filters single(words, 0);
    single[bit / 64] = std::uint64_t{1} << (bit % 64);
    block.insert(block.end(), single.begin(), single.end());
  }
  expect_kernels_agree(zero.data(), block, words);
  expect_kernels_agree(ones.data(), block, words);

  std::vector<std::uint16_t> counts(block.size() / words);
  and_counts(ones.data(), block.data(), counts.size(), words, counts.data());
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[1], 1024);  // the largest count a 1024-bit filter can give
  for (std::size_t i = 2; i < counts.size(); ++i) ASSERT_EQ(counts[i], 1) << "bit " << i - 2;
  EXPECT_EQ(filter_weight(ones.data(), words), 1024u);
  EXPECT_EQ(filter_weight(zero.data(), words), 0u);
}

TEST(DiceKernel, DiceOfKnownOverlaps) {
  const std::size_t words = kDefaultClkWords;
  auto bits = [&](int from, int to) {  // bits [from, to)
    Filters f(words, 0);
    for (int b = from; b < to; ++b) f[static_cast<std::size_t>(b) / 64] |= std::uint64_t{1} << (b % 64);
    return f;
  };
  const Filters a = bits(0, 100);
  // Overlaps of 100, 50, 0 bits and an empty filter: Dice 1, 2*50/200, 0, and 0 (2*0/100).
  const std::vector<Filters> others = {bits(0, 100), bits(50, 150), bits(500, 600), bits(0, 0)};
  const std::vector<double> expected = {1.0, 0.5, 0.0, 0.0};
  Filters block;
  std::vector<std::uint32_t> weights;
  for (const auto& f : others) {
    block.insert(block.end(), f.begin(), f.end());
    weights.push_back(filter_weight(f.data(), words));
  }
  std::vector<float> dice(others.size());
  dice_against_block(a.data(), filter_weight(a.data(), words), block.data(), weights.data(), others.size(), words,
                     dice.data());
  for (std::size_t i = 0; i < others.size(); ++i) EXPECT_FLOAT_EQ(dice[i], expected[i]) << i;
  // Three bits shared of 10 and 20 set: 6/30.
  EXPECT_DOUBLE_EQ(dice_from_counts(3, 10, 20), 0.2);
  EXPECT_DOUBLE_EQ(dice_from_counts(0, 0, 0), 0.0);
}

TEST(DiceKernel, DiceOverBlocksLongerThanOneSlice) {
  // dice_against_block works in slices of 512: 1,300 filters cross two boundaries.
  std::mt19937_64 rng(18);
  const std::size_t words = kDefaultClkWords, count = 1300;
  const Filters query = random_filters(1, words, 0.3, rng);
  const Filters block = random_filters(count, words, 0.3, rng);
  std::vector<std::uint32_t> weights(count);
  for (std::size_t i = 0; i < count; ++i) weights[i] = filter_weight(block.data() + i * words, words);
  std::vector<float> dice(count);
  const std::uint32_t qw = filter_weight(query.data(), words);
  dice_against_block(query.data(), qw, block.data(), weights.data(), count, words, dice.data());
  for (std::size_t i = 0; i < count; ++i) {
    const double want =
        dice_from_counts(naive_and_count(query.data(), block.data() + i * words, words), qw, weights[i]);
    ASSERT_NEAR(dice[i], want, 1e-6) << i;
  }
}

}  // namespace
}  // namespace joindots::encode
