#include "link/block.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"

namespace joindots::link {

namespace {

std::int64_t block_pairs(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& entries,
                         std::uint64_t begin, std::uint64_t end,
                         const std::vector<LinkRecord>& records, bool cross) {
  const auto n = static_cast<std::int64_t>(end - begin);
  if (!cross) return n * (n - 1) / 2;
  std::map<std::uint32_t, std::int64_t> per_source;
  for (auto i = begin; i < end; ++i) ++per_source[records[entries[i].second].source];
  std::int64_t same = 0;
  for (const auto& [s, c] : per_source) same += c * (c - 1) / 2;
  return n * (n - 1) / 2 - same;
}

}  // namespace

namespace {
/// The keys of a rule for a record: the product of its keys' values, joined by '\x1f'.
std::vector<std::string> rule_key_texts(const LinkRecord& r, const BlockingRule& rule) {
  std::vector<std::string> acc{""};
  for (std::size_t k = 0; k < rule.keys.size(); ++k) {
    const auto vals = key_values(r, rule.keys[k]);
    if (vals.empty()) return {};
    std::vector<std::string> next;
    for (const auto& a : acc)
      for (const auto& v : vals) next.push_back(k ? a + '\x1f' + v : v);
    acc = std::move(next);
    if (acc.size() > 64) acc.resize(64);  // bound the product for records with many aliases
  }
  return acc;
}
}  // namespace

namespace {
constexpr int kRuleShift = 56;
std::uint64_t tagged_key(std::size_t rule, std::uint64_t hash) {
  return (static_cast<std::uint64_t>(rule) << kRuleShift) | (hash >> (64 - kRuleShift));
}
std::size_t rule_of(std::uint64_t tagged) { return static_cast<std::size_t>(tagged >> kRuleShift); }
}  // namespace

void Blocker::build_record_keys(int threads) {
  // Each thread takes a contiguous range of records; the ranges are then joined in order.
  const std::size_t n = records_.size();
  const auto parts = static_cast<std::size_t>(std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(1, threads)), 1, std::max<std::size_t>(1, n / 10'000)));
  std::vector<std::vector<std::uint64_t>> keys(parts);
  std::vector<std::vector<std::uint32_t>> counts(parts);
  auto work = [&](std::size_t part) {
    const std::size_t begin = n * part / parts, end = n * (part + 1) / parts;
    auto& mine = keys[part];
    auto& count = counts[part];
    count.reserve(end - begin);
    std::vector<std::uint64_t> hs;
    for (std::size_t i = begin; i < end; ++i) {
      hs.clear();
      for (std::size_t r = 0; r < rules_.size(); ++r)
        for (const auto& t : rule_key_texts(records_[i], rules_[r]))
          hs.push_back(tagged_key(r, hash_tag(t)));
      std::sort(hs.begin(), hs.end());
      hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
      mine.insert(mine.end(), hs.begin(), hs.end());
      count.push_back(static_cast<std::uint32_t>(hs.size()));
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  record_offsets_.assign(n + 1, 0);
  std::size_t i = 0, total = 0;
  for (std::size_t part = 0; part < parts; ++part) {
    for (auto c : counts[part]) record_offsets_[i + 1] = record_offsets_[i] + c, ++i;
    total += keys[part].size();
  }
  record_keys_.clear();
  record_keys_.reserve(total);
  for (auto& k : keys) {
    record_keys_.insert(record_keys_.end(), k.begin(), k.end());
    std::vector<std::uint64_t>().swap(k);
  }
}

namespace {
// The refusal of a blocking over the pair budget: each rule's pairs and largest block.
std::string over_budget_message(const BlockingReport& report, std::int64_t pairs_implied, std::int64_t max_pairs) {
  std::string msg = fmt::format(
      "blocking would compare {} record pairs, more than the pair budget of {} "
      "(blocking.max_pairs).",
      with_commas(pairs_implied), with_commas(max_pairs));
  for (const auto& rep : report.rules) {
    msg += fmt::format("\n  rule [{}]: {} pairs", rep.rule, with_commas(rep.pairs_implied));
    if (!rep.largest.empty())
      msg += fmt::format("; largest block '{}' with {} records", rep.largest.front().key,
                         with_commas(rep.largest.front().records));
    if (rep.blocks_skipped)
      msg += fmt::format(" ({} blocks over blocking.max_block skipped)", with_commas(rep.blocks_skipped));
  }
  msg +=
      "\nTighten or drop the rules with the most pairs, lower blocking.max_block, or raise "
      "blocking.max_pairs (pairs are streamed: the budget bounds time, not memory).";
  return msg;
}
}  // namespace

Blocker::Blocker(const std::vector<LinkRecord>& records, std::vector<BlockingRule> rules,
                 bool cross_source_only, std::int64_t max_pairs, std::int64_t max_block,
                 int threads)
    : records_(records), rules_(std::move(rules)), cross_source_only_(cross_source_only) {
  if (rules_.empty())
    throw UsageError("no blocking rule applies to the fields given; add [blocking] rules");
  if (rules_.size() > kMaxRules)
    throw UsageError(
        fmt::format("{} blocking rules; at most {} are allowed", rules_.size(), kMaxRules));
  build_record_keys(threads);
  build_rule_index(threads);
  std::vector<std::uint64_t> skipped_keys;  // tagged, every rule
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    RuleReport rep = block_rule(r, max_block, skipped_keys);
    pairs_implied_ += rep.pairs_implied;
    report_.rules.push_back(std::move(rep));
  }
  if (!skipped_keys.empty()) drop_skipped_keys(std::move(skipped_keys));
  if (max_pairs > 0 && pairs_implied_ > max_pairs)
    throw UsageError(over_budget_message(report_, pairs_implied_, max_pairs));
  // Largest blocks first, so the threads finish together.
  std::stable_sort(tasks_.begin(), tasks_.end(),
                   [](const Task& a, const Task& b) { return a.pairs > b.pairs; });
  std::uint64_t slot = 0;
  for (auto& task : tasks_) task.first_slot = slot, slot += static_cast<std::uint64_t>(task.pairs);
}

void Blocker::build_rule_index(int threads) {
  const auto n = static_cast<std::uint32_t>(records_.size());
  index_.resize(rules_.size());
  std::vector<std::size_t> per_rule(rules_.size(), 0);
  for (auto k : record_keys_) ++per_rule[rule_of(k)];
  for (std::size_t r = 0; r < rules_.size(); ++r) index_[r].entries.reserve(per_rule[r]);
  for (std::uint32_t i = 0; i < n; ++i)
    for (auto x = record_offsets_[i]; x < record_offsets_[i + 1]; ++x)
      index_[rule_of(record_keys_[x])].entries.emplace_back(record_keys_[x], i);
  std::atomic<std::size_t> next{0};
  auto sort_rules = [&] {
    for (std::size_t r; (r = next.fetch_add(1)) < index_.size();)
      std::sort(index_[r].entries.begin(), index_[r].entries.end());
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<std::size_t>(t) < rules_.size(); ++t)
    pool.emplace_back(sort_rules);
  sort_rules();
  for (auto& th : pool) th.join();
}

void Blocker::name_largest_blocks(std::size_t r, std::vector<BlockInfo>& v) const {
  const RuleIndex& idx = index_[r];
  std::partial_sort(
      v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(5, v.size())),
      v.end(), [](const BlockInfo& x, const BlockInfo& y) { return x.pairs > y.pairs; });
  v.resize(std::min<std::size_t>(5, v.size()));
  for (auto& bi : v) {
    const auto& [h, rec] = idx.entries[std::stoull(bi.key)];
    for (const auto& t : rule_key_texts(records_[rec], rules_[r]))
      if (tagged_key(r, hash_tag(t)) == h) {
        bi.key = t;
        std::replace(bi.key.begin(), bi.key.end(), '\x1f', '|');
        break;
      }
  }
}

std::vector<Blocker::Task> Blocker::rule_tasks(std::size_t r) const {
  const RuleIndex& idx = index_[r];
  std::vector<Task> tasks;
  for (std::uint64_t b = 0; b < idx.entries.size();) {
    std::uint64_t e = b;
    while (e < idx.entries.size() && idx.entries[e].first == idx.entries[b].first) ++e;
    if (e - b > 1) {
      const std::int64_t pairs = block_pairs(idx.entries, b, e, records_, cross_source_only_);
      if (pairs > 0) tasks.push_back({static_cast<std::uint32_t>(r), b, e, pairs});
    }
    b = e;
  }
  return tasks;
}

RuleReport Blocker::block_rule(std::size_t r, std::int64_t max_block,
                                std::vector<std::uint64_t>& skipped_keys) {
  RuleIndex& idx = index_[r];
  RuleReport rep;
  rep.rule = rules_[r].text();
  std::vector<BlockInfo> blocks, skipped;
  std::vector<Task> rule_tasks_kept;
  bool any_skipped = false;
  for (std::uint64_t b = 0; b < idx.entries.size();) {
    std::uint64_t e = b;
    while (e < idx.entries.size() && idx.entries[e].first == idx.entries[b].first) ++e;
    if (e - b > 1) {
      const std::int64_t pairs = block_pairs(idx.entries, b, e, records_, cross_source_only_);
      if (max_block > 0 && static_cast<std::int64_t>(e - b) > max_block) {
        skipped_keys.push_back(idx.entries[b].first);
        any_skipped = true;
        ++rep.blocks_skipped;
        rep.pairs_skipped += pairs;
        skipped.push_back({std::to_string(b), static_cast<std::int64_t>(e - b), pairs});
      } else if (pairs > 0) {
        rule_tasks_kept.push_back({static_cast<std::uint32_t>(r), b, e, pairs});
        rep.pairs_implied += pairs;
        ++rep.blocks;
        blocks.push_back({std::to_string(b), static_cast<std::int64_t>(e - b), pairs});
      }
    }
    b = e;
  }
  // The largest blocks (kept and skipped), with their key in words.
  name_largest_blocks(r, blocks);
  name_largest_blocks(r, skipped);
  rep.skipped = std::move(skipped);
  if (any_skipped) {
    // Drop the skipped keys from the entries (block ranges are recomputed); the records'
    // key lists are filtered below, so that the pairwise tests agree with the blocks compared.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
    entries.reserve(idx.entries.size());
    for (std::uint64_t b = 0; b < idx.entries.size();) {
      std::uint64_t e = b;
      while (e < idx.entries.size() && idx.entries[e].first == idx.entries[b].first) ++e;
      if (max_block <= 0 || static_cast<std::int64_t>(e - b) <= max_block)
        entries.insert(entries.end(), idx.entries.begin() + static_cast<std::ptrdiff_t>(b),
                       idx.entries.begin() + static_cast<std::ptrdiff_t>(e));
      b = e;
    }
    idx.entries = std::move(entries);
    rule_tasks_kept = rule_tasks(r);
  }
  tasks_.insert(tasks_.end(), rule_tasks_kept.begin(), rule_tasks_kept.end());
  rep.largest = std::move(blocks);
  return rep;
}

void Blocker::drop_skipped_keys(std::vector<std::uint64_t> skipped_keys) {
  const auto n = static_cast<std::uint32_t>(records_.size());
  std::sort(skipped_keys.begin(), skipped_keys.end());
  std::vector<std::uint64_t> keys;
  keys.reserve(record_keys_.size());
  std::uint64_t from = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    for (auto x = from; x < record_offsets_[i + 1]; ++x)
      if (!std::binary_search(skipped_keys.begin(), skipped_keys.end(), record_keys_[x]))
        keys.push_back(record_keys_[x]);
    from = record_offsets_[i + 1];
    record_offsets_[i + 1] = keys.size();
  }
  record_keys_ = std::move(keys);
}

template <class OnShared>
void Blocker::for_each_shared_key(std::uint32_t a, std::uint32_t b, OnShared&& on_shared) const {
  const std::uint64_t* ia = record_keys_.data() + record_offsets_[a];
  const std::uint64_t* const ea = record_keys_.data() + record_offsets_[a + 1];
  const std::uint64_t* ib = record_keys_.data() + record_offsets_[b];
  const std::uint64_t* const eb = record_keys_.data() + record_offsets_[b + 1];
  while (ia != ea && ib != eb) {
    if (*ia < *ib)
      ++ia;
    else if (*ib < *ia)
      ++ib;
    else {
      if (!on_shared(*ia)) return;
      ++ia, ++ib;
    }
  }
}

bool Blocker::first_shared_key(std::uint32_t a, std::uint32_t b, std::uint64_t* first) const {
  bool found = false;
  for_each_shared_key(a, b, [&](std::uint64_t key) {
    *first = key;
    found = true;
    return false;  // the first is enough
  });
  return found;
}

std::uint32_t Blocker::rule_mask(std::uint32_t a, std::uint32_t b) const {
  std::uint32_t mask = 0;
  for_each_shared_key(a, b, [&](std::uint64_t key) {
    const std::size_t r = rule_of(key);
    if (r >= 32) return false;
    mask |= 1u << r;
    return true;
  });
  return mask;
}

bool Blocker::is_candidate(std::uint32_t a, std::uint32_t b) const {
  if (cross_source_only_ && records_[a].source == records_[b].source) return false;
  std::uint64_t first = 0;
  return first_shared_key(a, b, &first);
}

void Blocker::for_each_pair(int threads,
                            const std::function<void(int, std::uint32_t, std::uint32_t)>& fn,
                            const std::function<void(std::int64_t)>& on_progress) {
  enumerate(
      threads, true, [&](int t, std::uint64_t, std::uint32_t a, std::uint32_t b) { fn(t, a, b); },
      on_progress);
}

void Blocker::for_each_candidate(int threads, const SlotFn& fn,
                                 const std::function<void(std::int64_t)>& on_progress) {
  enumerate(threads, true, fn, on_progress);
}

void Blocker::for_each_slot(int threads, const SlotFn& fn,
                            const std::function<void(std::int64_t)>& on_progress) {
  enumerate(threads, false, fn, on_progress);
}

void Blocker::enumerate(int threads, bool candidates_only, const SlotFn& fn,
                        const std::function<void(std::int64_t)>& on_progress) {
  threads = std::max(1, threads);
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::vector<std::vector<std::int64_t>> new_pairs(static_cast<std::size_t>(threads),
                                                   std::vector<std::int64_t>(rules_.size(), 0));
  auto work = [&](int t) {
    auto& mine = new_pairs[static_cast<std::size_t>(t)];
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= tasks_.size()) break;
      const Task& task = tasks_[k];
      const RuleIndex& idx = index_[task.rule];
      const std::uint64_t key = idx.entries[task.begin].first;
      std::uint64_t slot = task.first_slot;
      for (auto x = task.begin; x < task.end; ++x) {
        for (auto y = x + 1; y < task.end; ++y) {
          std::uint32_t a = idx.entries[x].second, b = idx.entries[y].second;
          if (cross_source_only_ && records_[a].source == records_[b].source) continue;
          const std::uint64_t this_slot = slot++;
          if (a > b) std::swap(a, b);
          if (candidates_only) {
            // Emit from the first rule that pairs the two, in the block of the smallest key
            // they share under it, only: the first key the two share, in (rule, key) order.
            std::uint64_t first = 0;
            if (!first_shared_key(a, b, &first) || first != key) continue;
            ++mine[task.rule];
          }
          fn(t, this_slot, a, b);
        }
      }
      const std::int64_t d = done.fetch_add(task.pairs) + task.pairs;
      if (t == 0 && on_progress) on_progress(d);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (on_progress) on_progress(done.load());
  if (!candidates_only) return;
  report_.candidate_pairs = 0;
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    report_.rules[r].pairs_new = 0;
    for (const auto& m : new_pairs) report_.rules[r].pairs_new += m[r];
    report_.candidate_pairs += report_.rules[r].pairs_new;
  }
}

}  // namespace joindots::link
