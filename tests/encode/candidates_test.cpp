#include "encode/candidates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/error.hpp"

namespace joindots::encode {
namespace {

using Pair = std::pair<std::uint32_t, std::uint32_t>;

BlockingInput with_tokens(const std::vector<std::vector<std::pair<std::uint16_t, std::string>>>& tokens) {
  BlockingInput in;
  for (const auto& record : tokens) {
    auto& t = in.tokens.emplace_back();
    for (const auto& [column, text] : record) t.push_back({token_key(text), column});
    std::sort(t.begin(), t.end());
  }
  in.clks.assign(tokens.size() * in.words, 0);
  return in;
}

TEST(EncodedCandidates, RecordsSharingATokenOfOneColumnPairOnce) {
  // 0 and 1 share a token in column 3 twice over (two columns would give the pair twice);
  // 2 has the same token text in another column: no pair; 3 shares 1's second token.
  const auto in =
      with_tokens({{{3, "aaa"}, {4, "bbb"}}, {{3, "aaa"}, {4, "bbb"}, {5, "ccc"}}, {{7, "aaa"}}, {{5, "ccc"}}});
  const auto c = find_candidates(in, CandidateOptions{});
  EXPECT_EQ(c.pairs, (std::vector<Pair>{{0, 1}, {1, 3}}));
  EXPECT_EQ(c.pairs_in_blocks, 3);
  EXPECT_EQ(c.blocks_skipped, 0);
}

TEST(EncodedCandidates, SkipsLargeBlocksAndRefusesOverTheBudget) {
  std::vector<std::vector<std::pair<std::uint16_t, std::string>>> tokens(12, {{1, "common"}});
  tokens[0].push_back({2, "x"});
  tokens[1].push_back({2, "x"});
  CandidateOptions opt;
  opt.max_block = 10;
  const auto c = find_candidates(with_tokens(tokens), opt);
  EXPECT_EQ(c.pairs, (std::vector<Pair>{{0, 1}}));
  EXPECT_EQ(c.blocks_skipped, 1);
  opt.max_block = 20;
  opt.max_pairs = 66;  // 12 * 11 / 2 + 1 = 67 pairs in blocks
  EXPECT_THROW(find_candidates(with_tokens(tokens), opt), UsageError);
  opt.max_pairs = 67;
  EXPECT_EQ(find_candidates(with_tokens(tokens), opt).pairs.size(), 66u);
}

TEST(EncodedCandidates, LshFindsNoisyCopiesAndFewOtherPairs) {
  // 1,000 random filters with a third of their bits set, then a copy of each of the first
  // 300 with 5% of its set bits cleared and as many others set (Dice about 0.95).
  std::mt19937_64 rng(16);
  BlockingInput in;
  const std::size_t originals = 1000, copies = 300, bits = in.words * 64;
  in.clks.assign((originals + copies) * in.words, 0);
  std::bernoulli_distribution third(1.0 / 3);
  for (std::size_t i = 0; i < originals; ++i)
    for (std::size_t b = 0; b < bits; ++b)
      if (third(rng)) in.clks[i * in.words + b / 64] |= std::uint64_t{1} << (b % 64);
  std::bernoulli_distribution flip(0.05 / 2);  // of all bits: ~5% of the set ones, ~2.5% of the clear ones
  for (std::size_t c = 0; c < copies; ++c)
    for (std::size_t w = 0; w < in.words; ++w) {
      std::uint64_t v = in.clks[c * in.words + w];
      for (int b = 0; b < 64; ++b)
        if (flip(rng)) v ^= std::uint64_t{1} << b;
      in.clks[(originals + c) * in.words + w] = v;
    }
  in.tokens.resize(originals + copies);
  CandidateOptions opt;
  opt.lsh_bands = 20;
  opt.lsh_bits = 20;
  const auto c = find_candidates(in, opt);
  std::size_t found = 0;
  for (std::uint32_t k = 0; k < copies; ++k)
    found += std::binary_search(c.pairs.begin(), c.pairs.end(), Pair{k, static_cast<std::uint32_t>(originals + k)});
  // Per band a copy keeps its 20 sampled bits with probability 0.975^20 = 0.60, so it is
  // missed by all 20 bands with probability 0.4^20 = 1e-8.
  EXPECT_GE(found, copies - 3);
  // Unrelated filters agree on a sampled bit with probability 5/9: (5/9)^20 = 7.8e-6 a band,
  // about 130 of the 845,000 pairs over 20 bands.
  EXPECT_LT(c.pairs.size(), copies + 200);
  // Without bands, no tokens: no candidates.
  EXPECT_TRUE(find_candidates(in, CandidateOptions{}).pairs.empty());
}

TEST(EncodedCandidates, ThreadsFindTheSamePairsInTheSameOrder) {
  // 3,000 records with tokens drawn from small vocabularies (blocks of every size, a record
  // sometimes holding one token twice) and sparse random filters (LSH blocks too): the pairs
  // by ranges of records on 1 to 4 threads are those of every block's pairs sorted and made
  // unique, computed here.
  std::mt19937_64 rng(5);
  std::vector<std::vector<std::pair<std::uint16_t, std::string>>> tokens(3000);
  for (auto& t : tokens) {
    t.push_back({1, std::to_string(rng() % 400)});
    t.push_back({2, std::to_string(rng() % 1500)});
    if (rng() % 10 == 0) t.push_back(t.back());
  }
  BlockingInput in = with_tokens(tokens);
  for (auto& w : in.clks) w = rng() & rng() & rng();
  CandidateOptions opt;
  opt.max_block = 12;  // the first column's blocks (about 7.5 records) mostly kept, a few skipped
  opt.lsh_bands = 4;
  opt.lsh_bits = 6;
  std::vector<std::uint64_t> keys;
  std::map<std::pair<std::uint16_t, std::uint64_t>, std::vector<std::uint32_t>> blocks;
  for (std::uint32_t i = 0; i < in.size(); ++i)
    for (const auto& t : in.tokens[i]) blocks[{t.column, t.key}].push_back(i);
  for (const auto& [key, members] : blocks)
    if (members.size() <= opt.max_block)
      for (std::size_t x = 0; x < members.size(); ++x)
        for (std::size_t y = x + 1; y < members.size(); ++y)
          if (members[x] != members[y]) keys.push_back(std::uint64_t{members[x]} << 32 | members[y]);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  CandidateOptions tokens_only = opt;
  tokens_only.lsh_bands = 0;
  const auto expected = find_candidates(in, tokens_only).pairs;
  ASSERT_EQ(expected.size(), keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k)
    ASSERT_EQ(expected[k], (Pair{static_cast<std::uint32_t>(keys[k] >> 32), static_cast<std::uint32_t>(keys[k])}));
  const auto one = find_candidates(in, opt);
  EXPECT_GT(one.pairs.size(), expected.size());  // the bands found pairs of their own
  EXPECT_GT(one.blocks_skipped, 0);
  for (int threads : {2, 3, 4}) {
    opt.threads = threads;
    const auto many = find_candidates(in, opt);
    EXPECT_EQ(many.pairs, one.pairs) << threads << " threads";
    EXPECT_EQ(many.pairs_in_blocks, one.pairs_in_blocks);
    EXPECT_EQ(many.blocks_skipped, one.blocks_skipped);
  }
}

TEST(EncodedCandidates, DiceLevels) {
  EXPECT_EQ(dice_level(1.0, true), 0);
  EXPECT_EQ(dice_level(0.2, false), 1);
  EXPECT_EQ(dice_level(0.6, false), 2);
  EXPECT_EQ(dice_level(0.75, false), 3);
  EXPECT_EQ(dice_level(0.8, false), 4);
  EXPECT_EQ(dice_level(0.96, false), 5);
  EXPECT_EQ(dice_level(0.97, false), 6);
}

}  // namespace
}  // namespace joindots::encode

namespace joindots::encode {
namespace {

TEST(EncodedCandidates, ColumnsLeftOutOfBlockingMakeNoPairs) {
  std::vector<std::vector<std::pair<std::uint16_t, std::string>>> tokens = {
      {{3, "dob"}, {9, "a"}}, {{3, "dob"}, {9, "b"}}, {{3, "dob"}, {9, "a"}}};
  BlockingInput in;
  for (const auto& record : tokens) {
    auto& t = in.tokens.emplace_back();
    for (const auto& [column, text] : record) t.push_back({token_key(text), column});
  }
  in.clks.assign(tokens.size() * in.words, 0);
  CandidateOptions opt;
  EXPECT_EQ(find_candidates(in, opt).pairs.size(), 3u);
  opt.blocking_columns = ~(std::uint32_t{1} << 3);
  EXPECT_EQ(find_candidates(in, opt).pairs, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 2}}));
}

TEST(EncodedCandidates, LshBitsGrowWithTheLogOfTheRecords) {
  // Random filters with a third of their bits set agree on a = 1 - 2 (1/3)(2/3) = 5/9 of
  // positions: 80,000 of them need log(4) / log(9/5) = 2.36 more bits than 20,000, so 27.
  BlockingInput in;
  std::mt19937_64 rng(3);
  std::bernoulli_distribution bit(1.0 / 3);
  const std::size_t n = 80'000;
  in.tokens.resize(n);
  in.clks.assign(n * in.words, 0);
  for (auto& w : in.clks)
    for (int b = 0; b < 64; ++b) w |= static_cast<std::uint64_t>(bit(rng)) << b;
  EXPECT_EQ(lsh_bits_for(in, 1), 27);
  in.tokens.resize(20'000);
  EXPECT_EQ(lsh_bits_for(in, 1), 24);
}

TEST(EncodedTokens, FromTheStoresJsonByColumnAndSeparator) {
  // The fast reader of ingest's flat object and nlohmann (spaces and a \u escape send it
  // there) give the same tokens; several tokens of a cell are split; a column no scheme
  // writes is refused.
  const auto fast = tokens_from_json(R"({"tok_nhs_number":"AAA","blk_names":"BBB CCC"})");
  const auto slow = tokens_from_json("{ \"tok_nhs_number\" : \"AAA\",\n \"blk_names\": \"BBB \\u0043CC\" }");
  ASSERT_EQ(fast.size(), 3u);
  EXPECT_EQ(fast, slow);
  EXPECT_EQ(fast[0].column, 0);  // tok_nhs_number first: sorted by column
  EXPECT_EQ(fast[0].key, token_key("AAA"));
  EXPECT_EQ(fast[1].column, 9);
  EXPECT_NE(token_key("BBB"), token_key("CCC"));
  EXPECT_TRUE(tokens_from_json("{}").empty());
  EXPECT_THROW(tokens_from_json(R"({"given_name":"Ann"})"), InternalError);
  EXPECT_THROW(tokens_from_json("[1]"), InternalError);
}

}  // namespace
}  // namespace joindots::encode
