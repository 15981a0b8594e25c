#include "link/blocking_splits.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/rng.hpp"
#include "link/compare.hpp"
#include "link/config.hpp"
#include "link/pair_strata.hpp"

namespace joindots::link {

namespace {

/// The strata of the stratified part of the sample: records by year of birth (records without
/// one are in none). A child's records nearly always share the year, so pairs within a year
/// hold matches some (number of years) times as densely as random pairs.
PairStrata year_strata(const std::vector<LinkRecord>& records, const std::vector<std::uint32_t>& source,
                       bool cross_source_only) {
  std::vector<int> year(records.size(), -1);
  for (std::uint32_t i = 0; i < records.size(); ++i)
    if (!records[i][Field::dob].empty() && records[i].dob.year > 0) year[i] = records[i].dob.year;
  return pair_strata(source, year, cross_source_only);
}

/// Weighted tallies of one thread: each pair weighs 1 / (its chance under the mixture relative
/// to a uniform draw), so the weighted shares are those of random pairs.
struct WeightedSplits {
  std::int64_t pairs_drawn = 0, scored = 0;  // scored: high-agreement pairs, unweighted
  double sample = 0, sample_sq = 0, never_compared = 0, split_apart = 0;
  double other = 0;  // of the sample, outside any year of birth (a mistyped or missing year)
  double effective() const { return sample_sq > 0 ? sample * sample / sample_sq : 0.0; }
};

/// The uniform share a in [0.5, 1] that maximises the effective high-agreement pairs a draw,
/// (m_w + m_o)^2 / (m_w / (a + (1 - a) R) + m_o / a), when a share f of them lie outside any
/// year (m_o) and pairs within a year are R times as dense in matches as random pairs. Never
/// below a half: the pairs outside any year (a mistyped or missing year) are the likeliest to
/// be split, and the effective count, which assumes one split rate for all, would stop a
/// sample that had hardly drawn them.
double best_uniform_share(double f, double ratio) {
  double best = 1.0, best_cost = 1.0;
  for (int i = 10; i <= 20; ++i) {
    const double a = i / 20.0;
    const double cost = (1 - f) / (a + (1 - a) * ratio) + f / a;
    if (cost < best_cost) best = a, best_cost = cost;
  }
  return best;
}

}  // namespace

BlockingSplits estimate_blocking_splits(const std::vector<LinkRecord>& records, const FsModel& model,
                                        const LinkConfig& cfg, const Blocker& blocker,
                                        const std::vector<std::uint32_t>& cluster, bool cross_source_only,
                                        int threads) {
  BlockingSplits out;
  const auto n = static_cast<std::int64_t>(records.size());
  if (n < 2) return out;
  const std::vector<std::uint32_t> source = sources_of(records);
  const std::int64_t all_pairs = eligible_pairs(
      source,
      [&] {
        std::vector<std::uint32_t> all(records.size());
        for (std::uint32_t i = 0; i < records.size(); ++i) all[i] = i;
        return all;
      }(),
      cross_source_only);
  const std::int64_t budget = cfg.split_pairs;
  const bool every_pair = all_pairs <= budget;
  const PairStrata strata = every_pair ? PairStrata{} : year_strata(records, source, cross_source_only);
  // A share of the draws uniform over all pairs, the rest uniform within a year of birth (when
  // the years split the pairs at all): unbiased through the weights, and many more matches a
  // draw when a child's records share the year.
  const bool stratified = strata.pairs > 0 && strata.pairs < all_pairs;
  const double ratio = stratified ? static_cast<double>(all_pairs) / static_cast<double>(strata.pairs) : 1.0;
  if (!every_pair && !stratified && model.prior * static_cast<double>(budget) < 100) return out;
  const auto parts = static_cast<std::size_t>(std::max(1, threads));
  std::vector<WeightedSplits> part_counts(parts);
  auto work = [&](std::size_t part) {
    auto& c = part_counts[part];
    auto visit = [&](std::uint32_t a, std::uint32_t b, double uniform_share) {
      ++c.pairs_drawn;
      const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
      if (model.probability(model.weight(p, records[a], records[b])) < 0.5) return;
      const bool within = stratified && strata.same(a, b);
      const double w = within ? 1.0 / (uniform_share + (1.0 - uniform_share) * ratio) : 1.0 / uniform_share;
      ++c.scored;
      c.sample += w;
      c.sample_sq += w * w;
      if (!within) c.other += w;
      if (blocker.is_candidate(a, b)) return;
      c.never_compared += w;
      if (cluster[a] != cluster[b]) c.split_apart += w;
    };
    if (every_pair) {
      for (auto a = static_cast<std::uint32_t>(part); a < records.size(); a += static_cast<std::uint32_t>(parts))
        for (std::uint32_t b = a + 1; b < records.size(); ++b)
          if (!cross_source_only || records[a].source != records[b].source) visit(a, b, 1.0);
      return;
    }
    // Each thread its own stream; the same counts for the same seed and thread count.
    Rng rng(cfg.seed, "link-blocking-splits", part);
    const auto share = [&](std::int64_t total) {
      return total / static_cast<std::int64_t>(parts) + (part == 0 ? total % static_cast<std::int64_t>(parts) : 0);
    };
    const std::int64_t mine = share(budget);
    const double enough = static_cast<double>(share(kSplitSampleTarget));
    // A pilot with half the draws uniform (a tenth of the budget or 200 high-agreement pairs)
    // measures the share f of high-agreement pairs outside any year (a mistyped or missing
    // year); the rest of the draws take the uniform share that gives the most effective pairs a
    // draw for that f (the weights are each draw's own, so the two phases stay unbiased).
    double uniform_share = stratified ? 0.5 : 1.0;
    const std::int64_t pilot = stratified ? std::max<std::int64_t>(1, mine / 10) : 0;
    bool chosen = !stratified;
    // Stopping at an effective number of high-agreement pairs leaves the share among them
    // unbiased: the rule looks only at how many there are and their weights, not at whether
    // they were split.
    for (std::int64_t tries = 0; c.pairs_drawn < mine && c.effective() < enough && tries < 20 * mine; ++tries) {
      if (!chosen && (c.pairs_drawn >= pilot || c.scored >= 200)) {
        chosen = true;
        if (c.sample > 0) uniform_share = best_uniform_share(c.other / c.sample, ratio);
      }
      const bool within_year = stratified && !rng.bernoulli(uniform_share);
      const auto pair = within_year ? draw_pair_within(strata, source, cross_source_only, rng)
                                    : draw_record_pair(records, cross_source_only, rng);
      if (!pair) continue;
      visit(std::min(pair->first, pair->second), std::max(pair->first, pair->second), uniform_share);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  WeightedSplits total;
  for (const auto& c : part_counts) {
    total.pairs_drawn += c.pairs_drawn;
    total.sample += c.sample;
    total.sample_sq += c.sample_sq;
    total.never_compared += c.never_compared;
    total.split_apart += c.split_apart;
  }
  out.pairs_drawn = total.pairs_drawn;
  if (total.sample <= 0) return out;
  // In units of the effective sample (Kish): what the estimate's binomial draws of the rate need.
  const double effective = total.effective();
  out.sample = std::llround(effective);
  out.never_compared = std::llround(effective * total.never_compared / total.sample);
  out.split_apart = std::llround(effective * total.split_apart / total.sample);
  return out;
}

}  // namespace joindots::link
