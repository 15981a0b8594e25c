#pragma once
// The Dice kernel of encoded linkage (issue 16): the number of bits two Bloom filters (CLKs)
// share, and their Dice coefficient 2|A & B| / (|A| + |B|).
//
// A filter is `words` 64-bit words (1024 bits: 16 words). The hot loop compares one filter
// with a contiguous block of many (a block of candidates), so the query stays in registers
// and the block streams through. Two implementations with the same results: a portable
// scalar one, and an AVX2 one (the vpshufb nibble-lookup popcount, Mula et al.) compiled
// with a target attribute, so the default build still runs on a CPU without AVX2; the
// dispatching functions pick AVX2 at run time when the CPU has it.
#include <cstddef>
#include <cstdint>

namespace joindots::encode {

inline constexpr std::size_t kDefaultClkBits = 1024;
inline constexpr std::size_t kDefaultClkWords = kDefaultClkBits / 64;
/// The widest filter the kernels accept: counts are kept in 16-bit lanes.
inline constexpr std::size_t kMaxClkWords = 512;  // 32,768 bits

enum class DiceKernel { scalar, avx2 };

/// True when this CPU can run the AVX2 kernel.
bool avx2_available();
/// The kernel the dispatching functions use: AVX2 when available, else scalar.
DiceKernel active_dice_kernel();
const char* to_string(DiceKernel kernel);

/// Bits set in one filter (its weight).
std::uint32_t filter_weight(const std::uint64_t* filter, std::size_t words);

/// out[i] = |query & block[i]| for the `count` filters stored one after another in `block`
/// (`count * words` words). `words` at most kMaxClkWords.
void and_counts(const std::uint64_t* query, const std::uint64_t* block, std::size_t count, std::size_t words,
                std::uint16_t* out);
void and_counts_scalar(const std::uint64_t* query, const std::uint64_t* block, std::size_t count,
                       std::size_t words, std::uint16_t* out);
/// Only on a CPU with AVX2 (avx2_available()); `words` a multiple of 4 (256 bits), else it
/// runs the scalar kernel.
void and_counts_avx2(const std::uint64_t* query, const std::uint64_t* block, std::size_t count, std::size_t words,
                     std::uint16_t* out);

/// Dice coefficient from the shared bits and the two weights; 0 when both filters are empty.
inline double dice_from_counts(std::uint32_t shared, std::uint32_t weight_a, std::uint32_t weight_b) {
  const std::uint32_t total = weight_a + weight_b;
  return total == 0 ? 0.0 : 2.0 * shared / total;
}

/// out[i] = Dice(query, block[i]) given the weights (filter_weight) of the query and of each
/// filter in the block: the AND counts by the active kernel, then the ratio.
void dice_against_block(const std::uint64_t* query, std::uint32_t query_weight, const std::uint64_t* block,
                        const std::uint32_t* block_weights, std::size_t count, std::size_t words, float* out);

}  // namespace joindots::encode
