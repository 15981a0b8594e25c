#pragma once
// The comparisons of encoded records laid out for speed (link/encoded_link.hpp): a
// candidate's partner is anywhere among a million records, so what a comparison reads of a
// record is kept in few cache lines: its tokens packed into 64 bits each (the column in
// the top 4 bits, 60 bits of the key), sorted and contiguous, beside how many records of
// the role hold each (the term frequency), and its CLK weight, token columns and sex in one
// small entry. encoded_pattern() reads EncodedRole's own vectors and gives the same
// patterns; this layout is what the stage's loops use (a million records' victims: 18.7 M
// candidate pairs compared, scored and sampled again by the cohesion guard).
//
// Two tokens of one column are taken as equal when their 60 low key bits are: different
// tokens agree so with probability 2^-60 per pair compared, where the 64-bit keys
// (encode::Token) already agree by chance with 2^-64.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "encode/candidates.hpp"
#include "encode/encoder.hpp"
#include "link/compare.hpp"

namespace joindots::link {

struct EncodedRole;

/// The fewest bits a CLK must hold for its Dice coefficient to be compared (fewer: the
/// Dice comparison is missing for the pair). A filter of a few elements (a nickname alone
/// and sex, or a postcode district) gives a high Dice with every filter of the same few
/// elements, however little they identify: among a million records' suspects, 9,700 of
/// 11,000 false links joined two such filters (an alias "Tiny" and sex M, 77-92 bits) at a
/// Dice of 0.9 or more and no token in common. A given name and family name set some 150-300
/// bits in a 1024-bit filter (with sex and a postcode), one short name and sex about 100.
inline constexpr std::uint32_t kMinDiceWeight = 128;

class EncodedComparer {
 public:
  static constexpr std::size_t kColumns = encode::kTokenColumns.size();

  /// Builds the layout of `d`'s records (per token the holders, counted on `threads` threads).
  EncodedComparer(const EncodedRole& d, int threads);

  /// encoded_pattern(d, a, b).
  Pattern pattern(std::uint32_t a, std::uint32_t b) const;
  /// Per token column, the holders of the rarest token records a and b share (0: none).
  std::array<std::uint32_t, kColumns> rarest_shared(std::uint32_t a, std::uint32_t b) const;
  /// Asks the memory for what comparing record b will read (a loop calls it some pairs ahead).
  void prefetch(std::uint32_t b) const;
  void prefetch_tokens(std::uint32_t b) const;

  double records() const { return static_cast<double>(meta_.size() - 1); }

  /// Calls fn(i) for i in [begin, end), the records of pairs[i + 16] and then their tokens
  /// at pairs[i + 8] asked for ahead (the second record only when the pairs are sorted by
  /// the first, whose records then come in order), the first 16 before the first call.
  template <typename Fn>
  void for_pairs(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::size_t begin,
                 std::size_t end, bool first_sorted, Fn fn) const {
    constexpr std::size_t kFar = 16, kNear = 8;
    for (std::size_t i = begin; i < std::min(end, begin + kFar); ++i) {  // the first ones at once
      prefetch(pairs[i].second);
      if (!first_sorted) prefetch(pairs[i].first);
    }
    for (std::size_t i = begin; i < std::min(end, begin + kNear); ++i) {
      prefetch_tokens(pairs[i].second);
      if (!first_sorted) prefetch_tokens(pairs[i].first);
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (i + kFar < end) {
        prefetch(pairs[i + kFar].second);
        if (!first_sorted) prefetch(pairs[i + kFar].first);
      }
      if (i + kNear < end) {
        prefetch_tokens(pairs[i + kNear].second);
        if (!first_sorted) prefetch_tokens(pairs[i + kNear].first);
      }
      fn(i);
    }
  }

 private:
  struct Meta {
    std::uint32_t first = 0;   // its tokens: token_[first, next record's first)
    std::uint32_t weight = 0;  // bits set in its CLK
    std::uint16_t columns = 0; // bit c: it holds a token of kTokenColumns[c]
    std::uint8_t sex = 0;      // 0 unknown or other, 1 F, 2 M
  };
  static std::uint64_t pack(const encode::Token& t);
  static std::uint32_t column_of(std::uint64_t packed) { return static_cast<std::uint32_t>(packed >> 60); }
  void count_holders(int threads);

  const std::uint64_t* clks_;
  std::size_t words_;
  std::vector<Meta> meta_;            // one per record and a last one closing the tokens
  std::vector<std::uint64_t> token_;  // packed, sorted within a record, no repeats
  std::vector<std::uint32_t> holders_;
};

}  // namespace joindots::link
