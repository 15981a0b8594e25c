#include "link/blocking_splits.hpp"

#include <algorithm>
#include <thread>

#include "core/rng.hpp"
#include "link/compare.hpp"
#include "link/config.hpp"

namespace joindots::link {

BlockingSplits estimate_blocking_splits(const std::vector<LinkRecord>& records, const FsModel& model,
                                        const LinkConfig& cfg, const Blocker& blocker,
                                        const std::vector<std::uint32_t>& cluster, bool cross_source_only,
                                        int threads) {
  BlockingSplits out;
  const auto n = static_cast<std::int64_t>(records.size());
  const std::int64_t all_pairs = n * (n - 1) / 2;
  const std::int64_t budget = cfg.split_pairs;
  const bool every_pair = all_pairs <= budget;
  if (n < 2 || (!every_pair && model.prior * static_cast<double>(budget) < 100)) return out;
  const auto parts = static_cast<std::size_t>(std::max(1, threads));
  std::vector<BlockingSplits> part_counts(parts);
  auto visit = [&](BlockingSplits& c, std::uint32_t a, std::uint32_t b) {
    ++c.pairs_drawn;
    const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
    if (model.probability(model.weight(p, records[a], records[b])) < 0.5) return;
    ++c.sample;
    if (blocker.is_candidate(a, b)) return;
    ++c.never_compared;
    if (cluster[a] != cluster[b]) ++c.split_apart;
  };
  auto work = [&](std::size_t part) {
    auto& c = part_counts[part];
    if (every_pair) {
      for (auto a = static_cast<std::uint32_t>(part); a < records.size(); a += static_cast<std::uint32_t>(parts))
        for (std::uint32_t b = a + 1; b < records.size(); ++b)
          if (!cross_source_only || records[a].source != records[b].source) visit(c, a, b);
      return;
    }
    // Each thread its own stream; the same counts for the same seed and thread count.
    Rng rng(cfg.seed, "link-blocking-splits", part);
    const auto share = [&](std::int64_t total) {
      return total / static_cast<std::int64_t>(parts) + (part == 0 ? total % static_cast<std::int64_t>(parts) : 0);
    };
    const std::int64_t mine = share(budget), enough = share(kSplitSampleTarget);
    // Stopping at a number of high-agreement pairs leaves the share among them unbiased: the
    // rule looks only at how many there are, not at whether they were split.
    for (std::int64_t tries = 0; c.pairs_drawn < mine && c.sample < enough && tries < 20 * mine; ++tries) {
      const auto pair = draw_record_pair(records, cross_source_only, rng);
      if (!pair) continue;
      visit(c, std::min(pair->first, pair->second), std::max(pair->first, pair->second));
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (const auto& c : part_counts) {
    out.pairs_drawn += c.pairs_drawn;
    out.sample += c.sample;
    out.never_compared += c.never_compared;
    out.split_apart += c.split_apart;
  }
  return out;
}

}  // namespace joindots::link
