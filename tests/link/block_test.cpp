#include "link/block.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "core/error.hpp"

namespace joindots::link {
namespace {

LinkRecord rec(std::uint32_t source, const char* given, const char* family, const char* dob,
               const char* postcode) {
  RawRecord raw;
  raw.source = source;
  raw.value[static_cast<std::size_t>(Field::given_name)] = given;
  raw.value[static_cast<std::size_t>(Field::family_name)] = family;
  raw.value[static_cast<std::size_t>(Field::dob)] = dob;
  raw.value[static_cast<std::size_t>(Field::postcode)] = postcode;
  return normalise_record(raw);
}

// A small hand-made file.
std::vector<LinkRecord> sample() {
  return {
      rec(0, "Anna", "Smith", "2009-03-14", "LS6 2AB"),   // 0
      rec(0, "Ana", "Smyth", "2009-03-14", "LS6 2AB"),    // 1: same dob, same soundex S530
      rec(0, "Anna", "Smith", "2009-04-01", "LS6 3XY"),   // 2: soundex+year with 0,1
      rec(0, "Bilal", "Khan", "2009-03-14", "M1 1AA"),    // 3: same dob as 0,1
      rec(0, "Chloe", "Jones", "2011-07-07", "LS6 2AB"),  // 4
      rec(0, "Chloe", "Jones", "", ""),                   // 5: no dob
  };
}

std::set<std::pair<std::uint32_t, std::uint32_t>> collect(Blocker& b, int threads) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::mutex mu;
  std::size_t calls = 0;
  b.for_each_pair(threads, [&](int, std::uint32_t a, std::uint32_t c) {
    std::lock_guard lock(mu);
    pairs.emplace(a, c);
    ++calls;
  });
  EXPECT_EQ(calls, pairs.size()) << "a pair was emitted twice";
  return pairs;
}

TEST(LinkBlock, PairCountsPerRuleAndDeduplication) {
  const auto records = sample();
  std::vector<BlockingRule> rules = {parse_blocking_rule({"dob"}),
                                     parse_blocking_rule({"family_name.soundex", "dob.year"})};
  Blocker b(records, rules, false, 0);
  EXPECT_EQ(b.report().rules[0].pairs_implied, 3);  // {0,1,3} share 2009-03-14
  EXPECT_EQ(b.report().rules[1].pairs_implied, 3);  // {0,1,2} share S530 & 2009
  const auto pairs = collect(b, 2);
  const std::set<std::pair<std::uint32_t, std::uint32_t>> expected = {
      {0, 1}, {0, 3}, {1, 3}, {0, 2}, {1, 2}};
  EXPECT_EQ(pairs, expected);
  EXPECT_EQ(b.report().rules[0].pairs_new, 3);
  EXPECT_EQ(b.report().rules[1].pairs_new, 2);  // (0,1) was found by the first rule
  EXPECT_EQ(b.report().candidate_pairs, 5);
  EXPECT_TRUE(b.is_candidate(0, 2));
  EXPECT_FALSE(b.is_candidate(3, 4));
}

TEST(LinkBlock, NameAlternativesDoNotDuplicatePairs) {
  std::vector<LinkRecord> records = {rec(0, "Anne Marie", "Lee", "", ""),
                                     rec(0, "Anne Marie", "Lee", "", "")};
  Blocker b(records, {parse_blocking_rule({"given_name"})}, false, 0);
  EXPECT_EQ(collect(b, 1).size(), 1u);  // shared keys: "anne marie", "anne", "marie"
}

TEST(LinkBlock, CrossSourceOnly) {
  auto records = sample();
  records[1].source = 1;
  Blocker b(records, {parse_blocking_rule({"dob"})}, true, 0);
  const auto pairs = collect(b, 1);
  const std::set<std::pair<std::uint32_t, std::uint32_t>> expected = {{0, 1}, {1, 3}};
  EXPECT_EQ(pairs, expected);
  EXPECT_EQ(b.report().rules[0].pairs_implied, 2);
}

TEST(LinkBlock, PairBudgetRefusesWithTheRuleAndLargestBlock) {
  const auto records = sample();
  try {
    Blocker b(records, {parse_blocking_rule({"postcode.district"})}, false, 2);
    FAIL() << "expected the pair budget to be refused";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("pair budget"), std::string::npos) << msg;
    EXPECT_NE(msg.find("postcode.district"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'LS6'"), std::string::npos) << msg;
  }
}

TEST(LinkBlock, KeysAndTransforms) {
  const auto r = rec(0, "Bob", "Smith", "2009-03-14", "LS6 2AB");
  EXPECT_EQ(key_values(r, parse_blocking_key("dob.year")), std::vector<std::string>{"2009"});
  EXPECT_EQ(key_values(r, parse_blocking_key("postcode.sector")), std::vector<std::string>{"LS62"});
  EXPECT_EQ(key_values(r, parse_blocking_key("family_name.soundex")),
            std::vector<std::string>{"S530"});
  const auto given = key_values(r, parse_blocking_key("given_name.prefix2"));
  EXPECT_NE(std::find(given.begin(), given.end(), "ro"), given.end());  // bob -> robert
  EXPECT_THROW(parse_blocking_key("given_name.sounds"), UsageError);
  EXPECT_THROW(parse_blocking_key("shoe_size"), UsageError);
  EXPECT_THROW(parse_blocking_key("given_name.year"), UsageError);
}

}  // namespace

TEST(LinkBlock, BlocksOverTheCapAreSkippedAndReported) {
  const auto records = sample();
  // The dob 2009-03-14 block holds records 0, 1, 3; with a cap of 2 it is skipped.
  Blocker capped(records, {parse_blocking_rule({"dob"})}, false, 0, 2);
  EXPECT_TRUE(collect(capped, 1).empty());
  EXPECT_FALSE(capped.is_candidate(0, 1));
  const auto& rep = capped.report().rules.at(0);
  EXPECT_EQ(rep.blocks_skipped, 1);
  EXPECT_EQ(rep.pairs_skipped, 3);
  ASSERT_EQ(rep.skipped.size(), 1u);
  EXPECT_EQ(rep.skipped[0].key, "20090314");
  EXPECT_EQ(rep.skipped[0].records, 3);
  // Without the cap, the block is compared; a later rule still finds what it holds.
  Blocker uncapped(records, {parse_blocking_rule({"dob"})}, false, 0, 0);
  EXPECT_EQ(collect(uncapped, 1).size(), 3u);
  Blocker two(records,
              {parse_blocking_rule({"dob"}), parse_blocking_rule({"dob", "family_name.soundex"})},
              false, 0, 2);
  EXPECT_EQ(collect(two, 2), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}}));
}

}  // namespace joindots::link

namespace joindots::link {

// Slots number the pairs in blocks, the same on every pass: each candidate comes with the
// slot of the block that emits it, and for_each_slot gives that slot the same pair (pass 2
// of link_records scores by slot what pass 1 kept).
TEST(LinkBlock, SlotsAreStableAcrossPasses) {
  const auto records = sample();
  Blocker b(
      records,
      {parse_blocking_rule({"dob"}), parse_blocking_rule({"family_name.soundex", "dob.year"})},
      false, 0, 0, 2);
  std::map<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>> candidate_at, slot_at;
  std::mutex mu;
  b.for_each_candidate(2,
                       [&](int, std::uint64_t slot, std::uint32_t a, std::uint32_t c) {
                         std::lock_guard lock(mu);
                         EXPECT_TRUE(candidate_at.emplace(slot, std::make_pair(a, c)).second)
                             << "slot " << slot << " emitted twice";
                       },
                       {});
  b.for_each_slot(2,
                  [&](int, std::uint64_t slot, std::uint32_t a, std::uint32_t c) {
                    std::lock_guard lock(mu);
                    EXPECT_TRUE(slot_at.emplace(slot, std::make_pair(a, c)).second)
                        << "slot " << slot << " visited twice";
                  },
                  {});
  EXPECT_EQ(static_cast<std::int64_t>(slot_at.size()), b.pairs_implied());  // 3 + 3 pairs in blocks
  EXPECT_EQ(candidate_at.size(), 5u);                                       // (0,1) only once
  for (const auto& [slot, pair] : candidate_at) {
    ASSERT_TRUE(slot_at.count(slot));
    EXPECT_EQ(slot_at[slot], pair);
    EXPECT_LT(slot, static_cast<std::uint64_t>(b.pairs_implied()));
  }
}

}  // namespace joindots::link
