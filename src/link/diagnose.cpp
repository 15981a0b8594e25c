#include "link/diagnose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "link/link.hpp"

namespace joindots::link {

namespace {

int comparison_index(const LinkConfig& cfg, Field f) {
  for (std::size_t k = 0; k < cfg.comparisons.size(); ++k)
    if (cfg.comparisons[k].field == f) return static_cast<int>(k);
  return -1;
}

/// Record pairs inside the clusters (across sources only when linking files).
double linked_pairs(const std::vector<LinkRecord>& records, const LinkResult& res, bool cross_source_only) {
  std::unordered_map<std::uint32_t, std::unordered_map<std::uint32_t, double>> by_cluster;
  for (std::size_t i = 0; i < records.size(); ++i) by_cluster[res.cluster[i]][records[i].source] += 1;
  double pairs = 0;
  for (const auto& [c, sources] : by_cluster) {
    double n = 0, same = 0;
    for (const auto& [s, k] : sources) n += k, same += k * (k - 1) / 2;
    pairs += n * (n - 1) / 2 - (cross_source_only ? same : 0);
  }
  return pairs;
}

void check_cluster_size(const std::vector<LinkRecord>& records, const LinkOptions& opt, const LinkResult& res,
                        std::vector<LinkWarning>& out) {
  std::vector<std::size_t> size(res.clusters, 0);
  for (auto c : res.cluster) ++size[c];
  std::vector<std::size_t> multi;
  for (auto s : size)
    if (s > 1) multi.push_back(s);
  if (multi.empty()) return;
  std::size_t sources = 1;
  if (opt.cross_source_only)
    for (const auto& r : records) sources = std::max<std::size_t>(sources, r.source + 1);
  // Largest plausible duplication within a source: 1 when every file holds one record per
  // person, else 10 x the median size of clusters of two or more (at least 20).
  std::nth_element(multi.begin(), multi.begin() + static_cast<std::ptrdiff_t>(multi.size() / 2), multi.end());
  const std::size_t median = multi[multi.size() / 2];
  std::size_t duplication = std::max<std::size_t>(20, 10 * median);
  const auto& d = res.duplication.sources;
  if (!d.empty() && std::all_of(d.begin(), d.end(), [](const SourceDuplication& s) { return s.one_per_person; }))
    duplication = 1;
  const std::size_t bound = (opt.cross_source_only ? sources : 1) * duplication;
  const std::size_t largest = *std::max_element(size.begin(), size.end());
  if (largest <= bound) return;
  out.push_back({"cluster_too_large",
                 fmt::format("the largest cluster holds {} records; {} source(s) with at most {} record(s) of a person "
                             "each allow about {}",
                             largest, opt.cross_source_only ? sources : 1, duplication, bound),
                 "records chained through pairs that agree on a shared place or date rather than on the person "
                 "(EM learned the blocking key as the match class), or no one-record-per-source constraint",
                 "set [cluster] max_per_source = 1 for files of one record per person, raise cluster.min_cohesion, "
                 "or give [blocking] rules that pair a name with the place or date"});
}

void check_match_share(const std::vector<LinkRecord>& records, const LinkOptions& opt, const LinkResult& res,
                       std::vector<LinkWarning>& out) {
  const double n = static_cast<double>(records.size());
  double all_pairs = n * (n - 1) / 2;
  std::vector<double> per_source;
  if (opt.cross_source_only) {
    for (const auto& r : records) {
      if (per_source.size() <= r.source) per_source.resize(r.source + 1, 0.0);
      per_source[r.source] += 1;
    }
    for (double c : per_source) all_pairs -= c * (c - 1) / 2;
  }
  const double expected = res.model.prior * all_pairs;
  const double linked = linked_pairs(records, res, opt.cross_source_only);
  if (std::max(expected, linked) >= 20 && (linked > 3 * expected || linked < expected / 3))
    out.push_back({"match_share",
                   fmt::format("{:.0f} record pairs were linked but the fitted prior expects {:.0f} matches", linked,
                               expected),
                   linked > expected ? "clusters chained beyond the pairs the model scores as matches"
                                     : "the model expects matches it does not score above the threshold: m and u "
                                       "overlap (too few discriminating fields) or the prior is inflated",
                   "compare more identifying fields ([compare] fields), check the blocking rules, or set "
                   "cluster.threshold / cluster.min_cohesion"});
  // What the record counts allow: across files, at most min(n_s, n_t) matches per pair of
  // files when each holds a person once (3x that otherwise); within one file, 10 per record.
  double bound = 10 * n;
  if (opt.cross_source_only) {
    const auto& d = res.duplication.sources;
    const bool once =
        !d.empty() && std::all_of(d.begin(), d.end(), [](const SourceDuplication& s) { return s.one_per_person; });
    bound = 0;
    for (std::size_t s = 0; s < per_source.size(); ++s)
      for (std::size_t t = s + 1; t < per_source.size(); ++t) bound += std::min(per_source[s], per_source[t]);
    bound *= once ? 1 : 3;
  }
  if (expected > bound && expected >= 20)
    out.push_back({"prior_implausible",
                   fmt::format("the fitted prior implies {:.0f} matching pairs; the record counts allow about {:.0f}",
                               expected, bound),
                   "EM found a class of pairs agreeing on something other than the person (a shared place or "
                   "surname) and took it for matches",
                   "give [blocking] rules that pair a name with the place or date, drop a place-only rule, or "
                   "set model.em_sessions = 0"});
}

void check_model(const LinkConfig& cfg, const LinkResult& res, std::vector<LinkWarning>& out) {
  if (!res.model.em_converged && res.candidate_pairs > 0)
    out.push_back({"em_not_converged",
                   fmt::format("EM stopped after {} iterations without converging", res.model.em_iterations),
                   "too few iterations, or a likelihood with two near-equal solutions (weakly identified fields)",
                   "raise model.em_max_iterations or loosen model.em_tolerance; if it persists, compare more "
                   "identifying fields"});
  for (std::size_t k = 0; k < cfg.comparisons.size() && k < res.model.m_exact_fitted.size(); ++k) {
    const auto top = res.model.u[k].size() - 1;
    if (res.model.m_exact_fitted[k] >= res.model.u[k][top]) continue;
    const auto field = to_string(cfg.comparisons[k].field);
    out.push_back({"m_below_u",
                   fmt::format("field {}: fitted m of exact agreement {:.4f} is below its u {:.4f} (held at u by "
                               "the ordering constraint: the field carries no weight)",
                               field, res.model.m_exact_fitted[k], res.model.u[k][top]),
                   fmt::format("{} agrees more among the pairs EM took as non-matches than among its matches: it is "
                               "correlated with a blocking key or another field, or EM's match class is not persons",
                               field),
                   fmt::format("drop {} from [compare] fields, block on it with a name, or set model.em_sessions = 0",
                               field)});
  }
}

void check_rules(const LinkConfig& cfg, const LinkResult& res, const std::vector<PatternCounts>& rule_patterns,
                 std::vector<LinkWarning>& out) {
  const int given = comparison_index(cfg, Field::given_name), family = comparison_index(cfg, Field::family_name);
  if ((given < 0 && family < 0) || res.candidate_pairs <= 0) return;
  for (std::size_t r = 0; r < res.blocking.rules.size() && r < rule_patterns.size(); ++r) {
    const auto& keys = cfg.blocking[r].keys;
    if (std::any_of(keys.begin(), keys.end(), [](const BlockingKey& k) {
          return k.field == Field::given_name || k.field == Field::family_name;
        }))
      continue;
    const double share =
        static_cast<double>(res.blocking.rules[r].pairs_new) / static_cast<double>(res.candidate_pairs);
    if (share < 0.5) continue;
    double pairs = 0, named = 0, matches = 0;
    for (const auto& [p, c] : rule_patterns[r]) {
      const bool g = given >= 0 && level_of(p, static_cast<std::size_t>(given)) >= 2;
      const bool f = family >= 0 && level_of(p, static_cast<std::size_t>(family)) >= 2;
      pairs += static_cast<double>(c);
      named += (g || f) ? static_cast<double>(c) : 0.0;
      matches += static_cast<double>(c) * res.model.probability(res.model.weight(p));
    }
    // Harmless while the model does not take the rule's nameless pairs for matches: more
    // expected matches than twice the pairs agreeing on a name is the sign it does.
    if (pairs <= 0 || named / pairs >= 0.2 || matches <= 2 * named) continue;
    out.push_back({"rule_without_names",
                   fmt::format("blocking rule '{}' supplies {:.0f}% of the candidate pairs and only {:.1f}% of its "
                               "pairs agree on either name, yet the model scores {:.1f}% of them as matches",
                               res.blocking.rules[r].rule, 100 * share, 100 * named / pairs, 100 * matches / pairs),
                   "a rule on a place or date alone makes blocks of people who merely live or were born alike; EM "
                   "can learn that shared key as the match class",
                   fmt::format("replace '{}' in [blocking] rules by rules pairing it with a name code (e.g. "
                               "family_name.soundex)",
                               res.blocking.rules[r].rule)});
  }
}

}  // namespace

std::vector<LinkWarning> diagnose_link(const std::vector<LinkRecord>& records, const LinkConfig& cfg,
                                       const LinkOptions& opt, const LinkResult& res,
                                       const std::vector<PatternCounts>& rule_patterns) {
  std::vector<LinkWarning> out;
  if (records.empty()) return out;
  check_cluster_size(records, opt, res, out);
  check_match_share(records, opt, res, out);
  check_model(cfg, res, out);
  check_rules(cfg, res, rule_patterns, out);
  // EM tells matches from non-matches among the candidates; when there are fewer candidate
  // pairs than records and nearly all are matches, it has almost no non-matches to learn
  // u among candidates and the match share from (RLdata500: 84 pairs for 500 records, 96%
  // matches, F1 0.949 against 0.969 with wider rules).
  if (res.candidate_pairs >= 20 && res.candidate_pairs < static_cast<std::int64_t>(records.size()) &&
      res.model.lambda_candidates >= 0.8)
    out.push_back({"few_non_matches",
                   fmt::format("only {} candidate pairs for {} records, and EM takes {:.0f}% of them as matches",
                               res.candidate_pairs, records.size(), 100 * res.model.lambda_candidates),
                   "the blocking rules are so tight that EM sees almost no non-matches: m and the match share are "
                   "fitted on the matches alone and borderline pairs may go either way",
                   "add wider [blocking] rules (e.g. [\"given_name.soundex\"], [\"family_name.soundex\"]): on a "
                   "small input they are cheap"});
  if (res.estimated_blocking_recall >= 0 && res.estimated_blocking_recall < 0.9)
    out.push_back({"low_blocking_recall",
                   fmt::format("the blocking rules make candidates of {:.1f}% of the high-agreement sample pairs",
                               100 * res.estimated_blocking_recall),
                   "true pairs that share no key of any rule are never compared: recall is capped there",
                   "add [blocking] rules on other combinations (e.g. given_name.soundex & locality)"});
  return out;
}

}  // namespace joindots::link
