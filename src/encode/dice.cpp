#include "encode/dice.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace joindots::encode {

namespace {

// JOINDOTS_DICE_KERNEL=scalar forces the fallback (to measure it, or to rule the AVX2 path
// out when hunting a difference); anything else keeps the automatic choice.
DiceKernel choose_kernel() {
  const char* forced = std::getenv("JOINDOTS_DICE_KERNEL");
  if (forced && std::string_view(forced) == "scalar") return DiceKernel::scalar;
  return avx2_available() ? DiceKernel::avx2 : DiceKernel::scalar;
}

// --- AVX2 ----------------------------------------------------------------------------------
// Population count of every byte by two 16-entry table look-ups (vpshufb) on the low and the
// high nibbles. Byte sums are folded into 64-bit lanes by vpsadbw against zero.

#define JOINDOTS_AVX2 __attribute__((target("avx2")))

JOINDOTS_AVX2 inline __m256i byte_popcounts(__m256i v) {
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                          0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, low_nibbles);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lookup, lo), _mm256_shuffle_epi8(lookup, hi));
}

// The AND count of one pair in four 64-bit lanes (their sum is the count). A byte gains at
// most 8 per 256-bit chunk, so byte sums are folded into the lanes every 31 chunks.
JOINDOTS_AVX2 inline __m256i pair_lanes(const std::uint64_t* query, const std::uint64_t* filter,
                                        std::size_t chunks) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i lanes = zero;
  for (std::size_t first = 0; first < chunks; first += 31) {
    const std::size_t last = std::min(chunks, first + 31);
    __m256i bytes = zero;
    for (std::size_t c = first; c < last; ++c) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + 4 * c));
      const __m256i f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(filter + 4 * c));
      bytes = _mm256_add_epi8(bytes, byte_popcounts(_mm256_and_si256(q, f)));
    }
    lanes = _mm256_add_epi64(lanes, _mm256_sad_epu8(bytes, zero));
  }
  return lanes;
}

// 1024-bit filters (the default): the query held in four registers, one vpsadbw per pair.
JOINDOTS_AVX2 inline __m256i pair_lanes_1024(const __m256i q[4], const std::uint64_t* filter) {
  const auto* f = reinterpret_cast<const __m256i*>(filter);
  __m256i bytes = byte_popcounts(_mm256_and_si256(q[0], _mm256_loadu_si256(f)));
  bytes = _mm256_add_epi8(bytes, byte_popcounts(_mm256_and_si256(q[1], _mm256_loadu_si256(f + 1))));
  bytes = _mm256_add_epi8(bytes, byte_popcounts(_mm256_and_si256(q[2], _mm256_loadu_si256(f + 2))));
  bytes = _mm256_add_epi8(bytes, byte_popcounts(_mm256_and_si256(q[3], _mm256_loadu_si256(f + 3))));
  return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

// Sums the four lanes of four pairs at once: each pair's lanes are below 2^16 (kMaxClkWords),
// so pair k is shifted into bits 16k..16k+15 of every lane, and one horizontal sum gives
// the four counts side by side (each total is below 2^16 too: no carry crosses a field).
JOINDOTS_AVX2 inline void store_four(__m256i a, __m256i b, __m256i c, __m256i d, std::uint16_t* out) {
  const __m256i packed = _mm256_or_si256(_mm256_or_si256(a, _mm256_slli_epi64(b, 16)),
                                         _mm256_or_si256(_mm256_slli_epi64(c, 32), _mm256_slli_epi64(d, 48)));
  __m128i sum = _mm_add_epi64(_mm256_castsi256_si128(packed), _mm256_extracti128_si256(packed, 1));
  sum = _mm_add_epi64(sum, _mm_unpackhi_epi64(sum, sum));
  const auto fields = static_cast<std::uint64_t>(_mm_cvtsi128_si64(sum));
  for (int k = 0; k < 4; ++k) out[k] = static_cast<std::uint16_t>(fields >> (16 * k));
}

JOINDOTS_AVX2 inline std::uint16_t lane_sum(__m256i lanes) {
  __m128i sum = _mm_add_epi64(_mm256_castsi256_si128(lanes), _mm256_extracti128_si256(lanes, 1));
  sum = _mm_add_epi64(sum, _mm_unpackhi_epi64(sum, sum));
  return static_cast<std::uint16_t>(_mm_cvtsi128_si64(sum));
}

JOINDOTS_AVX2 void and_counts_avx2_1024(const std::uint64_t* query, const std::uint64_t* block, std::size_t count,
                                        std::uint16_t* out) {
  __m256i q[4];
  for (int c = 0; c < 4; ++c) q[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query) + c);
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const std::uint64_t* f = block + i * 16;
    store_four(pair_lanes_1024(q, f), pair_lanes_1024(q, f + 16), pair_lanes_1024(q, f + 32),
               pair_lanes_1024(q, f + 48), out + i);
  }
  for (; i < count; ++i) out[i] = lane_sum(pair_lanes_1024(q, block + i * 16));
}

JOINDOTS_AVX2 void and_counts_avx2_any(const std::uint64_t* query, const std::uint64_t* block, std::size_t count,
                                       std::size_t words, std::uint16_t* out) {
  const std::size_t chunks = words / 4;
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const std::uint64_t* f = block + i * words;
    store_four(pair_lanes(query, f, chunks), pair_lanes(query, f + words, chunks),
               pair_lanes(query, f + 2 * words, chunks), pair_lanes(query, f + 3 * words, chunks), out + i);
  }
  for (; i < count; ++i) out[i] = lane_sum(pair_lanes(query, block + i * words, chunks));
}

#undef JOINDOTS_AVX2

}  // namespace

bool avx2_available() {
  __builtin_cpu_init();  // safe to call more than once; needed before main()
  return __builtin_cpu_supports("avx2");
}

DiceKernel active_dice_kernel() {
  static const DiceKernel kernel = choose_kernel();
  return kernel;
}

const char* to_string(DiceKernel kernel) { return kernel == DiceKernel::avx2 ? "avx2" : "scalar"; }

std::uint32_t filter_weight(const std::uint64_t* filter, std::size_t words) {
  std::uint32_t n = 0;
  for (std::size_t w = 0; w < words; ++w) n += static_cast<std::uint32_t>(__builtin_popcountll(filter[w]));
  return n;
}

void and_counts_scalar(const std::uint64_t* query, const std::uint64_t* block, std::size_t count,
                       std::size_t words, std::uint16_t* out) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t* f = block + i * words;
    std::uint32_t n = 0;
    for (std::size_t w = 0; w < words; ++w) n += static_cast<std::uint32_t>(__builtin_popcountll(query[w] & f[w]));
    out[i] = static_cast<std::uint16_t>(n);
  }
}

void and_counts_avx2(const std::uint64_t* query, const std::uint64_t* block, std::size_t count, std::size_t words,
                     std::uint16_t* out) {
  if (words == kDefaultClkWords) and_counts_avx2_1024(query, block, count, out);
  else if (words % 4 == 0) and_counts_avx2_any(query, block, count, words, out);
  else and_counts_scalar(query, block, count, words, out);
}

void and_counts(const std::uint64_t* query, const std::uint64_t* block, std::size_t count, std::size_t words,
                std::uint16_t* out) {
  if (active_dice_kernel() == DiceKernel::avx2) and_counts_avx2(query, block, count, words, out);
  else and_counts_scalar(query, block, count, words, out);
}

void dice_against_block(const std::uint64_t* query, std::uint32_t query_weight, const std::uint64_t* block,
                        const std::uint32_t* block_weights, std::size_t count, std::size_t words, float* out) {
  // In slices that keep the counts in L1 between the two loops.
  constexpr std::size_t kSlice = 512;
  std::uint16_t shared[kSlice];
  for (std::size_t first = 0; first < count; first += kSlice) {
    const std::size_t n = std::min(kSlice, count - first);
    and_counts(query, block + first * words, n, words, shared);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t total = query_weight + block_weights[first + i];
      out[first + i] = total == 0 ? 0.0f : 2.0f * static_cast<float>(shared[i]) / static_cast<float>(total);
    }
  }
}

}  // namespace joindots::encode
