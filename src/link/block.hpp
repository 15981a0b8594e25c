#pragma once
// Blocking: which record pairs are compared at all. A rule is a conjunction of keys
// ("family_name.soundex" AND "dob.year"); two records are a candidate pair when they share
// a value of every key of some rule. The candidate set is the union over rules; a pair
// found by an earlier rule is skipped by later ones (each pair is compared once), without
// any all-pairs matrix or set of seen pairs: a pair in a block of rule r is emitted only
// when no earlier rule puts the two records in a common block and the block's key is the
// smallest they share under r.
//
// Blocks holding more than `max_block` records are skipped (their key is dropped from the
// rule, as if the records did not share it) and reported per rule: a very common key
// ("Smith" born in 2009) says little and would dominate the work. Before generating, the
// pairs each rule implies are counted from the remaining block sizes; a total over the
// pair budget is refused with a UsageError naming the rules and largest blocks.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "records/blocking_key.hpp"

namespace joindots::link {

struct BlockInfo {
  std::string key;
  std::int64_t records = 0, pairs = 0;
};

struct RuleReport {
  std::string rule;
  std::int64_t pairs_implied = 0;  // sum over blocks, before de-duplication across rules
  std::int64_t pairs_new = 0;      // pairs this rule adds to earlier rules'
  std::int64_t blocks = 0;
  std::vector<BlockInfo> largest;   // up to 5
  std::int64_t blocks_skipped = 0;  // blocks over max_block records, not compared
  std::int64_t pairs_skipped = 0;   // pairs those blocks would have made
  std::vector<BlockInfo> skipped;   // the largest skipped blocks, up to 5
};

struct BlockingReport {
  std::vector<RuleReport> rules;
  std::int64_t candidate_pairs = 0;
};

class Blocker {
 public:
  /// Builds the blocks of every rule. With `cross_source_only`, only pairs of records from
  /// different sources are candidates (linking files rather than de-duplicating one).
  /// Blocks of more than `max_block` records (0 = no cap) are skipped and reported.
  /// Throws UsageError when the implied pairs exceed `max_pairs`.
  /// The keys are computed on `threads` threads. At most kMaxRules rules.
  Blocker(const std::vector<LinkRecord>& records, std::vector<BlockingRule> rules,
          bool cross_source_only, std::int64_t max_pairs, std::int64_t max_block = 0,
          int threads = 1);

  static constexpr std::size_t kMaxRules = 255;

  /// Calls fn(thread, a, b) with a < b once for every candidate pair, from `threads` threads
  /// working over blocks. `on_progress(pairs_done)` is called now and then from thread 0.
  void for_each_pair(int threads, const std::function<void(int, std::uint32_t, std::uint32_t)>& fn,
                     const std::function<void(std::int64_t)>& on_progress = {});

  /// Slots number the pairs of records within blocks (pairs across sources only, when
  /// linking files), block by block, 0 .. pairs_implied() - 1, the same on every call; a
  /// pair that several rules or keys put together has a slot in each of its blocks.
  /// for_each_candidate calls fn(thread, slot, a, b) for every candidate pair (a < b) at
  /// the slot of the block that emits it, so that a caller can keep a per-pair result of
  /// one pass by slot; for_each_slot then calls fn for every slot, with no candidate test
  /// (the caller knows from what it kept which slots hold candidates).
  using SlotFn = std::function<void(int, std::uint64_t, std::uint32_t, std::uint32_t)>;
  void for_each_candidate(int threads, const SlotFn& fn,
                          const std::function<void(std::int64_t)>& on_progress);
  void for_each_slot(int threads, const SlotFn& fn,
                     const std::function<void(std::int64_t)>& on_progress);

  /// Bit r set when records a and b share a block of rule r (rules past 31 are not shown).
  std::uint32_t rule_mask(std::uint32_t a, std::uint32_t b) const;
  const std::vector<BlockingRule>& rules() const { return rules_; }

  /// True when records a and b share a block of some rule (the candidate test, pairwise).
  bool is_candidate(std::uint32_t a, std::uint32_t b) const;

  std::int64_t pairs_implied() const { return pairs_implied_; }
  const BlockingReport& report() const { return report_; }

 private:
  // A key is tagged with its rule: the rule in the top 8 bits, 56 bits of the key text's
  // hash below, so that one sorted list per record orders its keys by rule, then key.
  struct RuleIndex {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;  // (tagged key, record) sorted
  };
  struct Task {
    std::uint32_t rule;
    std::uint64_t begin, end;  // range in entries
    std::int64_t pairs;
    std::uint64_t first_slot = 0;
  };
  void enumerate(int threads, bool candidates_only, const SlotFn& fn,
                 const std::function<void(std::int64_t)>& on_progress);
  /// The first tagged key (lowest rule, then smallest key) records a and b share.
  bool first_shared_key(std::uint32_t a, std::uint32_t b, std::uint64_t* first) const;
  /// Calls on_shared(key) for each tagged key records a and b share, in order, while it
  /// returns true (a merge of their sorted key lists).
  template <class OnShared>
  void for_each_shared_key(std::uint32_t a, std::uint32_t b, OnShared&& on_shared) const;
  void build_record_keys(int threads);
  // The constructor's steps: each rule's (tagged key, record) entries, sorted; one rule's
  // blocks, its report and its tasks (blocks over max_block skipped, their keys collected);
  // the skipped keys dropped from the records' key lists.
  void build_rule_index(int threads);
  RuleReport block_rule(std::size_t r, std::int64_t max_block, std::vector<std::uint64_t>& skipped_keys);
  std::vector<Task> rule_tasks(std::size_t r) const;
  void name_largest_blocks(std::size_t r, std::vector<BlockInfo>& blocks) const;
  void drop_skipped_keys(std::vector<std::uint64_t> skipped_keys);

  const std::vector<LinkRecord>& records_;
  std::vector<BlockingRule> rules_;
  bool cross_source_only_;
  std::vector<RuleIndex> index_;
  // Record-major: the tagged keys of record i, sorted, in record_keys_[record_offsets_[i],
  // record_offsets_[i + 1]) (one contiguous read per record for every pairwise test).
  std::vector<std::uint64_t> record_offsets_;
  std::vector<std::uint64_t> record_keys_;
  std::vector<Task> tasks_;
  std::int64_t pairs_implied_ = 0;
  BlockingReport report_;
};

}  // namespace joindots::link
