#pragma once
// Candidate pairs for linkage on encodings (issue 16, item 3, first part): records that
// share a keyed token of the same column (the blocking keys `encode` wrote), and records
// whose CLKs agree on every one of a band of sampled bit positions (bit-sampling Hamming
// LSH: filters at Hamming distance h of m bits agree on k sampled bits with probability
// (1 - h/m)^k, so near filters meet in some band and far ones almost never). Blocks over
// max_block records are skipped and counted, as plaintext blocking does; more pairs than the
// budget is a usage error before any pair is made.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace joindots::encode {

/// A keyed token as linkage holds it: 64 bits of it (token_key) and its column (a token
/// matches only in its own column). 64 bits rather than the 128 written: two different
/// tokens of one column agree by chance with probability 2^-64 per pair compared, and a
/// million records hold some 15 million tokens, a quarter of the memory of their text.
struct Token {
  std::uint64_t key = 0;
  std::uint16_t column = 0;
  friend bool operator<(const Token& a, const Token& b) {
    return a.column != b.column ? a.column < b.column : a.key < b.key;
  }
  friend bool operator==(const Token& a, const Token& b) = default;
};
/// 64 bits of a token's text (FNV-1a, then a final mix): equal texts give equal keys.
std::uint64_t token_key(std::string_view token);

/// A record's tokens from the store's tokens_json ({"blk_dob": "...", ...}; several tokens
/// of one cell separated by kTokenSeparator), column = index in kTokenColumns, sorted.
/// Throws InternalError on a column no scheme writes or text that is not such an object.
std::vector<Token> tokens_from_json(std::string_view tokens_json);

struct BlockingInput {
  std::size_t words = 16;             // per filter
  std::vector<std::uint64_t> clks;    // filter i at [i * words, (i + 1) * words)
  /// Per record, its tokens, sorted (by column, then key).
  std::vector<std::vector<Token>> tokens;
  std::size_t size() const { return tokens.size(); }
};

struct CandidateOptions {
  std::size_t max_block = 500;
  std::int64_t max_pairs = 1'000'000'000;
  int lsh_bands = 0;      // 0: tokens only
  int lsh_bits = 24;      // sampled positions per band, at most 64
  std::uint64_t seed = 16;
  /// Token columns (bit c: kTokenColumns[c]) whose shared tokens make candidates; the others
  /// are only compared. Default: all.
  std::uint32_t blocking_columns = ~std::uint32_t{0};
  int threads = 1;  // the LSH bands beside the tokens, and the pairs by ranges of records
};

/// Bits per LSH band for `input`: 24 (measured on some 20,000 records, bench/README.md) plus
/// what keeps the pairs of unrelated filters that meet in a band growing with the records
/// rather than with their square: log(n / 20,000) / log(1 / a) more, a being the share of
/// bit positions two random filters agree on (estimated from 2,000 random pairs); at most 64.
int lsh_bits_for(const BlockingInput& input, std::uint64_t seed);

struct Candidates {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // i < j, sorted, each once
  std::int64_t pairs_in_blocks = 0;  // summed over blocks, before removing repeats
  std::int64_t blocks_skipped = 0;   // over max_block
};

/// Throws UsageError when the blocks imply more than max_pairs pairs.
Candidates find_candidates(const BlockingInput& input, const CandidateOptions& options);

/// Dice coefficient banded into the levels the Fellegi-Sunter model compares: 0 when a
/// filter is empty (missing), then 1 below 0.6, 2 from 0.6, 3 from 0.7, 4 from 0.8, 5 from 0.9
/// and 6 from 0.97 (bands placed from bench/encoded_separation.py: true pairs' 1% quantile
/// 0.64, false pairs' 95% quantile 0.54).
int dice_level(double dice, bool either_empty);
inline constexpr int kDiceLevels = 7;

}  // namespace joindots::encode
