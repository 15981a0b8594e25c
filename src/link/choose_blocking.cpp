#include "link/choose_blocking.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/rng.hpp"
#include "link/config.hpp"

namespace joindots::link {

HighAgreementSample sample_high_agreement_pairs(const std::vector<LinkRecord>& records, const FsModel& model,
                                                const LinkConfig& cfg, bool cross_source_only) {
  HighAgreementSample out;
  const auto n = static_cast<std::int64_t>(records.size());
  const std::int64_t budget = std::min<std::int64_t>(cfg.u_pairs, 1'000'000);
  auto visit = [&](std::uint32_t a, std::uint32_t b) {
    const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
    if (model.probability(model.weight(p, records[a], records[b])) >= 0.5) out.pairs.emplace_back(a, b);
  };
  if (n * (n - 1) / 2 <= budget) {
    for (std::uint32_t a = 0; a < records.size(); ++a)
      for (std::uint32_t b = a + 1; b < records.size(); ++b)
        if (!cross_source_only || records[a].source != records[b].source) visit(a, b);
  } else {
    // Too few matches expected in the sample: not worth the pass.
    if (model.prior * static_cast<double>(budget) < 30) return out;
    Rng rng(cfg.seed, "link-blocking-recall");
    for (std::int64_t drawn = 0, tries = 0; drawn < budget && tries < 20 * budget; ++tries) {
      const auto pair = draw_record_pair(records, cross_source_only, rng);
      if (!pair) continue;
      visit(std::min(pair->first, pair->second), std::max(pair->first, pair->second));
      ++drawn;
    }
  }
  out.estimable = out.pairs.size() >= 30;
  return out;
}

BlockingChoice choose_blocking_rules(const std::vector<LinkRecord>& records, const Blocker& blocker,
                                     const std::vector<BlockingRule>& pool, const HighAgreementSample& sample,
                                     std::int64_t candidate_pairs, const LinkConfig& cfg, bool cross_source_only) {
  BlockingChoice out;
  if (!sample.estimable || pool.empty()) return out;
  out.considered = true;
  out.sample_matches = static_cast<std::int64_t>(sample.pairs.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> missed;
  for (const auto& [a, b] : sample.pairs)
    if (!blocker.is_candidate(a, b)) missed.emplace_back(a, b);
  const double total = static_cast<double>(sample.pairs.size());
  out.recall_default = 1.0 - static_cast<double>(missed.size()) / total;
  out.recall_chosen = out.recall_default;
  if (missed.empty()) return out;

  // One blocker over the whole pool: which pool rules cover each missed pair, and the
  // pairs each implies (blocks over max_block skipped, as they would be).
  const Blocker candidates(records, pool, cross_source_only, 0, cfg.max_block);
  const auto& report = candidates.report();
  std::vector<std::uint32_t> covers;  // per missed pair, the pool rules covering it
  for (const auto& [a, b] : missed) covers.push_back(candidates.rule_mask(a, b));
  const std::size_t rules = std::min<std::size_t>(pool.size(), 32);
  std::vector<bool> taken(rules, false), still_missed(missed.size(), true);
  std::int64_t pairs = candidate_pairs;
  const std::int64_t min_gain = std::max<std::int64_t>(3, static_cast<std::int64_t>(0.01 * total + 0.5));
  for (;;) {
    std::size_t best = rules;
    std::int64_t best_gain = 0;
    for (std::size_t r = 0; r < rules; ++r) {
      const std::int64_t implied = report.rules[r].pairs_implied;
      if (taken[r] ||
          implied > std::max<std::int64_t>(candidate_pairs, 10 * static_cast<std::int64_t>(records.size())) ||
          pairs + implied > cfg.max_pairs)
        continue;
      std::int64_t gain = 0;
      for (std::size_t i = 0; i < missed.size(); ++i) gain += still_missed[i] && (covers[i] & (1u << r));
      if (gain > best_gain || (gain == best_gain && best < rules && implied < report.rules[best].pairs_implied))
        best = r, best_gain = gain;
    }
    if (best == rules || best_gain < min_gain) break;
    taken[best] = true;
    pairs += report.rules[best].pairs_implied;
    for (std::size_t i = 0; i < missed.size(); ++i)
      if (covers[i] & (1u << best)) still_missed[i] = false;
    out.added.push_back({pool[best].text(), static_cast<double>(best_gain) / total, report.rules[best].pairs_implied});
    out.rules.push_back(pool[best]);
    out.recall_chosen += static_cast<double>(best_gain) / total;
  }
  return out;
}

std::string describe_blocking_choice(const BlockingChoice& c) {
  if (!c.considered) return {};
  std::string out = fmt::format("blocking rules chosen from the columns: the defaults make candidates of an estimated "
                                "{:.3f} of {} high-agreement sample pairs",
                                c.recall_default, c.sample_matches);
  if (c.added.empty()) return out + "; no further rule adds 1% within the pair budget";
  out += "; added";
  for (std::size_t i = 0; i < c.added.size(); ++i)
    out += fmt::format("{} {} (+{:.3f}, {} pairs)", i ? "," : "", c.added[i].rule, c.added[i].recall_gain,
                       c.added[i].pairs_implied);
  return out + fmt::format(": estimated recall {:.3f}", c.recall_chosen);
}

}  // namespace joindots::link
