#include "link/link.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "link/fit_model.hpp"

namespace joindots::link {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int resolve_threads(int configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Pass 1 over the candidate pairs: the counts of their comparison patterns, overall and
/// per blocking rule (the pairs sharing a block of the rule, whichever rule emitted them).
/// Nothing per pair is kept but, within a budget, a 2-byte pattern id per slot of the
/// blocks (PatternCache), so that pass 2 scores without comparing again or testing which
/// block emits a pair.
struct PatternCache {
  static constexpr std::uint16_t kNoCandidate = 0xFFFF;
  bool valid = false;
  std::vector<std::uint16_t> id;  // per slot (Blocker): index into `patterns`, or kNoCandidate
  std::vector<Pattern> patterns;
};
// Ids for up to 268 M pairs in blocks (512 MB); beyond that, pass 2 compares again.
constexpr std::int64_t kPatternCacheSlots = 268'435'456;

struct PatternTally {
  PatternCounts all;
  std::vector<PatternCounts> per_rule;
  std::int64_t pairs = 0;
  PatternCache cache;
};

PatternTally tally_candidates(const std::vector<LinkRecord>& records, Blocker& blocker,
                              const std::vector<Comparison>& comparisons, int threads,
                              bool per_rule, bool quiet, bool keep_cache = false) {
  const std::size_t rules = std::min<std::size_t>(blocker.rules().size(), 32);
  // Pattern ids are shared by the threads (a lock on a thread's first sight of a pattern);
  // counts are per thread, by id.
  std::mutex ids_mutex;
  std::unordered_map<Pattern, std::uint32_t> ids;
  std::vector<Pattern> patterns;
  struct Local {
    std::unordered_map<Pattern, std::uint32_t> id;
    std::vector<std::int64_t> count;
    std::vector<std::vector<std::int64_t>> rule;
  };
  std::vector<Local> local(static_cast<std::size_t>(threads));
  for (auto& l : local) l.rule.resize(rules);
  PatternTally out;
  PatternCache& cache = out.cache;
  std::atomic<bool> overflow{false};
  if (keep_cache && blocker.pairs_implied() <= kPatternCacheSlots) {
    cache.valid = true;
    cache.id.assign(static_cast<std::size_t>(blocker.pairs_implied()), PatternCache::kNoCandidate);
  }
  Progress progress("comparing", "pairs in blocks", blocker.pairs_implied(), quiet);
  blocker.for_each_candidate(
      threads,
      [&](int t, std::uint64_t slot, std::uint32_t a, std::uint32_t b) {
        Local& l = local[static_cast<std::size_t>(t)];
        const Pattern p = compare_pair(records[a], records[b], comparisons);
        auto it = l.id.find(p);
        if (it == l.id.end()) {
          std::uint32_t id = 0;
          {
            std::lock_guard lock(ids_mutex);
            auto [g, fresh] = ids.try_emplace(p, static_cast<std::uint32_t>(patterns.size()));
            if (fresh) patterns.push_back(p);
            id = g->second;
          }
          it = l.id.emplace(p, id).first;
          if (l.count.size() <= id) {
            l.count.resize(id + 1, 0);
            for (auto& r : l.rule) r.resize(id + 1, 0);
          }
        }
        const std::uint32_t id = it->second;
        ++l.count[id];
        if (cache.valid) {
          if (id >= PatternCache::kNoCandidate) overflow = true;
          cache.id[slot] = static_cast<std::uint16_t>(id);
        }
        if (per_rule) {
          const std::uint32_t mask = blocker.rule_mask(a, b);
          for (std::size_t r = 0; r < rules; ++r)
            if (mask & (1u << r)) ++l.rule[r][id];
        }
      },
      [&](std::int64_t done) { progress.set(done); });
  progress.finish();
  std::vector<std::int64_t> count(patterns.size(), 0);
  std::vector<std::vector<std::int64_t>> rule_count(rules,
                                                    std::vector<std::int64_t>(patterns.size(), 0));
  for (const auto& l : local)
    for (std::size_t i = 0; i < l.count.size(); ++i) {
      count[i] += l.count[i], out.pairs += l.count[i];
      for (std::size_t r = 0; r < rules; ++r) rule_count[r][i] += l.rule[r][i];
    }
  for (std::size_t i = 0; i < patterns.size(); ++i) out.all.emplace_back(patterns[i], count[i]);
  std::sort(out.all.begin(), out.all.end());
  out.per_rule.resize(blocker.rules().size());
  for (std::size_t r = 0; r < rules; ++r) {
    for (std::size_t i = 0; i < patterns.size(); ++i)
      if (rule_count[r][i]) out.per_rule[r].emplace_back(patterns[i], rule_count[r][i]);
    std::sort(out.per_rule[r].begin(), out.per_rule[r].end());
  }
  if (overflow) cache = PatternCache{};
  if (cache.valid) cache.patterns = std::move(patterns);
  return out;
}

/// Per file, the pairs within it that the blocking rules propose (never compared when
/// linking files), scored with the model fitted across files: pairs scored as matches
/// (p >= cluster.threshold) per record. Skipped (empty) when the rules would imply more pairs than
/// the budget.
DuplicationReport within_file_duplication(const std::vector<LinkRecord>& records,
                                          const LinkConfig& cfg, const FsModel& model,
                                          int threads) {
  DuplicationReport out;
  std::size_t sources = 0;
  for (const auto& r : records) sources = std::max<std::size_t>(sources, r.source + 1);
  out.sources.resize(sources);
  for (std::uint32_t s = 0; s < sources; ++s) out.sources[s].source = s;
  for (const auto& r : records) ++out.sources[r.source].records;
  std::optional<Blocker> within;
  try {
    within.emplace(records, cfg.blocking, false, cfg.max_pairs, cfg.max_block, threads);
  } catch (const UsageError&) {
    return {};
  }
  struct Local {
    std::vector<std::int64_t> pairs;
    std::vector<double> matches;
  };
  std::vector<Local> local(
      static_cast<std::size_t>(threads),
      Local{std::vector<std::int64_t>(sources, 0), std::vector<double>(sources, 0.0)});
  within->for_each_pair(threads, [&](int t, std::uint32_t a, std::uint32_t b) {
    if (records[a].source != records[b].source) return;
    const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
    Local& l = local[static_cast<std::size_t>(t)];
    ++l.pairs[records[a].source];
    // Counted, not summed: many unlikely pairs would add up to a rate of their own.
    l.matches[records[a].source] +=
        model.probability(model.weight(p, records[a], records[b])) >= cfg.threshold;
  });
  for (const auto& l : local)
    for (std::size_t s = 0; s < sources; ++s) {
      out.sources[s].candidate_pairs += l.pairs[s];
      out.sources[s].duplicate_pairs += l.matches[s];
    }
  for (auto& d : out.sources) {
    d.duplicate_rate = d.records ? d.duplicate_pairs / static_cast<double>(d.records) : 0;
    d.one_per_person = d.records >= 50 && d.duplicate_rate < kOnePerPersonRate;
  }
  return out;
}

/// The term-frequency adjustment of FsModel::adjusted_weight per record: the term an
/// exact agreement on field k adds, log2(u_exact / tf(value of the record)), computed once
/// per record instead of a frequency look-up per pair (same sum, in the same order).
struct TermTerms {
  std::vector<std::size_t> fields;        // k of the tf-adjusted comparisons
  std::vector<int> top;                   // their exact level
  std::vector<std::vector<double>> term;  // [i][record]
  double adjusted(double w, Pattern p, std::uint32_t a) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (level_of(p, fields[i]) == top[i]) w += term[i][a];
    return w;
  }
};

TermTerms term_frequency_terms(const FsModel& model, const std::vector<LinkRecord>& records) {
  TermTerms out;
  for (std::size_t k = 0; k < model.comparisons.size(); ++k) {
    if (!model.comparisons[k].tf_adjust || k >= model.tf.size()) continue;
    const auto top = model.m[k].size() - 1;
    out.fields.push_back(k);
    out.top.push_back(static_cast<int>(top));
    auto& term = out.term.emplace_back(records.size(), 0.0);
    for (std::size_t r = 0; r < records.size(); ++r) {
      const double f =
          std::max(model.tf[k].frequency(records[r][model.comparisons[k].field]), 1e-9);
      term[r] = std::log2(model.u[k][top] / f);
    }
  }
  return out;
}

}  // namespace

/// The size that cfg.usual_size_quantile of the clusters of two or more records stay
/// within; 0 (no relaxation) when the guard is off, the quantile is 0, fewer than 30 such
/// clusters were found (too few to tell), or the size is under 3 (merges of two single
/// records are not guarded anyway).
std::size_t usual_cluster_size(const ClusterResult& clusters, const LinkConfig& cfg) {
  if (cfg.min_cohesion <= 0 || cfg.usual_size_quantile <= 0 ||
      cfg.min_cohesion_within_usual >= cfg.min_cohesion)
    return 0;
  std::vector<std::size_t> size(clusters.clusters, 0);
  for (auto c : clusters.cluster) ++size[c];
  std::vector<std::size_t> multi;
  for (auto s : size)
    if (s > 1) multi.push_back(s);
  if (multi.size() < 30) return 0;
  const auto at =
      static_cast<std::size_t>(cfg.usual_size_quantile * static_cast<double>(multi.size() - 1));
  std::nth_element(multi.begin(), multi.begin() + static_cast<std::ptrdiff_t>(at), multi.end());
  return multi[at] >= 3 ? multi[at] : 0;
}

PatternCounts count_patterns(const std::vector<LinkRecord>& records, Blocker& blocker,
                             const std::vector<Comparison>& comparisons, int threads) {
  return tally_candidates(records, blocker, comparisons, threads, false, true).all;
}

namespace {

// Each file's within-file duplication, and the limit of records per person it implies
// (one where the file holds one record per person and auto_one_per_source is on).
void limit_per_source(const std::vector<LinkRecord>& records, const LinkConfig& cfg, LinkResult& res) {
  res.duplication = within_file_duplication(records, cfg, res.model, res.threads);
  res.source_limit.assign(res.duplication.sources.size(), 0);
  if (cfg.auto_one_per_source)
    for (const auto& d : res.duplication.sources)
      if (d.one_per_person) res.source_limit[d.source] = 1;
  for (auto& limit :
       res.source_limit)  // a limit the config imposes on every file (or --one-per-source on)
    if (limit == 0) limit = cfg.max_per_source;
}

// Clerical decisions by record index: decided[(a, b)] is the match decision of a pair (a < b);
// the non-matches are also constraints the clustering keeps.
struct ClericalDecisions {
  std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cannot_link;
};

ClericalDecisions clerical_decisions(const std::vector<LinkRecord>& records, const LinkOptions& opt,
                                     LinkResult& res) {
  ClericalDecisions out;
  auto& decided = out.decided;
  auto& cannot_link = out.cannot_link;
  std::map<std::pair<std::string, std::string>, std::uint32_t> index_of;
  if (!opt.decisions.empty()) {
    auto src = [&](std::uint32_t s) {
      return s < opt.source_names.size() ? opt.source_names[s] : std::to_string(s);
    };
    for (std::uint32_t i = 0; i < records.size(); ++i)
      index_of[{src(records[i].source), records[i].id}] = i;
    for (const auto& d : opt.decisions) {
      auto ia = index_of.find({d.source_a, d.id_a}), ib = index_of.find({d.source_b, d.id_b});
      if (ia == index_of.end() || ib == index_of.end()) continue;
      auto key = std::minmax(ia->second, ib->second);
      decided[{key.first, key.second}] = d.match;
      if (!d.match) cannot_link.emplace_back(key.first, key.second);
      ++res.decisions_applied;
    }
  }
  return out;
}

// Scores the candidate pairs (from the pattern ids pass 1 kept, else comparing again) into
// res.pairs, those at or above the floor and every decided pair (blocking proposed or not),
// in a deterministic order.
void score_pairs(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt,
                 Blocker& blocker, const PatternCache& cache,
                 std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided, LinkResult& res) {
  std::unordered_map<Pattern, double> base;
  for (const auto& [p, c] : res.patterns) base[p] = res.model.weight(p);
  bool any_tf = false;
  for (const auto& c : cfg.comparisons) any_tf = any_tf || c.tf_adjust;
  auto score = [&](std::uint32_t a, std::uint32_t b, Pattern p) {
    if (any_tf) return res.model.weight(p, records[a], records[b]);
    auto it = base.find(p);
    return it != base.end() ? it->second : res.model.weight(p);
  };
  std::vector<double> cached_weight;
  for (Pattern p : cache.patterns) cached_weight.push_back(res.model.weight(p));
  const TermTerms tf_terms =
      cache.valid && any_tf ? term_frequency_terms(res.model, records) : TermTerms{};
  {
    std::vector<std::vector<ScoredPair>> kept(static_cast<std::size_t>(res.threads));
    Progress progress("scoring", "pairs in blocks", blocker.pairs_implied(), opt.quiet);
    auto keep = [&](int th, std::uint32_t a, std::uint32_t b, double w) {
      const double p = res.model.probability(w);
      ScoredPair sp{a, b, static_cast<float>(w), static_cast<float>(p), false};
      if (!decided.empty()) {
        auto it = decided.find({a, b});
        if (it != decided.end()) {
          sp.probability = it->second ? 1.0f : 0.0f;
          sp.clerical = true;
        }
      }
      if (sp.probability >= opt.keep_floor || sp.clerical)
        kept[static_cast<std::size_t>(th)].push_back(sp);
    };
    if (cache.valid) {
      blocker.for_each_slot(
          res.threads,
          [&](int th, std::uint64_t slot, std::uint32_t a, std::uint32_t b) {
            const std::uint16_t id = cache.id[slot];
            if (id == PatternCache::kNoCandidate) return;
            keep(th, a, b,
                 any_tf ? tf_terms.adjusted(cached_weight[id], cache.patterns[id], a)
                        : cached_weight[id]);
          },
          [&](std::int64_t done) { progress.set(done); });
    } else {
      blocker.for_each_pair(
          res.threads,
          [&](int th, std::uint32_t a, std::uint32_t b) {
            keep(th, a, b, score(a, b, compare_pair(records[a], records[b], cfg.comparisons)));
          },
          [&](std::int64_t done) { progress.set(done); });
    }
    progress.finish();
    std::size_t total = 0;
    for (const auto& v : kept) total += v.size();
    res.pairs.reserve(total);
    for (auto& v : kept) {
      res.pairs.insert(res.pairs.end(), v.begin(), v.end());
      std::vector<ScoredPair>().swap(v);
    }
    // Deterministic order whatever the thread timing.
    std::sort(res.pairs.begin(), res.pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
      return x.a != y.a ? x.a < y.a : x.b < y.b;
    });
    for (const auto& sp : res.pairs)
      if (sp.clerical) decided.erase({sp.a, sp.b});
  }
  for (const auto& [key, match] : decided) {  // decided pairs blocking did not propose
    const Pattern p = compare_pair(records[key.first], records[key.second], cfg.comparisons);
    res.pairs.push_back(
        {key.first, key.second,
         static_cast<float>(res.model.weight(p, records[key.first], records[key.second])),
         match ? 1.0f : 0.0f, true});
  }
}

// Clusters the scored pairs into persons (res.cluster): with the cohesion guard, hard
// fields, per-source limits and the clerical non-matches, then again with the guard relaxed
// within the usual cluster size (cluster.hpp).
void cluster_records(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt,
                     std::vector<std::pair<std::uint32_t, std::uint32_t>> cannot_link, LinkResult& res) {
  ClusterInput in;
  in.records = records.size();
  in.pairs = res.pairs;
  if (!cfg.hard_fields.empty()) {
    in.hard_values.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
      for (Field f : cfg.hard_fields) in.hard_values[i].push_back(records[i][f]);
  }
  const bool source_limited =
      cfg.max_per_source > 0 ||
      std::any_of(res.source_limit.begin(), res.source_limit.end(), [](int l) { return l > 0; });
  if (source_limited) {
    in.source.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) in.source[i] = records[i].source;
  }
  in.cannot_link = std::move(cannot_link);
  in.probability = [&](std::uint32_t a, std::uint32_t b) {
    if (opt.cross_source_only && records[a].source == records[b].source)
      return 1.0;  // never compared: neutral
    const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
    return res.model.probability(res.model.weight(p, records[a], records[b]));
  };
  ClusterOptions copt;
  copt.threshold = cfg.threshold;
  copt.min_cohesion = cfg.min_cohesion;
  copt.max_per_source = cfg.max_per_source;
  copt.source_limit = res.source_limit;
  copt.seed = cfg.seed;
  res.cluster_stats = cluster_pairs(in, copt);
  // Size-aware cohesion (cluster.hpp): the usual size from the clusters the full guard
  // found, then again with the guard relaxed for merges that stay within it.
  res.usual_cluster_size = usual_cluster_size(res.cluster_stats, cfg);
  if (res.usual_cluster_size > 0) {
    copt.relaxed_up_to = res.usual_cluster_size;
    copt.relaxed_min_cohesion = cfg.min_cohesion_within_usual;
    res.cluster_stats = cluster_pairs(std::move(in), copt);
  }
  res.cluster = res.cluster_stats.cluster;
  res.clusters = res.cluster_stats.clusters;
}

}  // namespace

LinkResult link_records(const std::vector<LinkRecord>& records, const LinkConfig& config,
                        const LinkOptions& opt) {
  const auto start = Clock::now();
  LinkResult res;
  LinkConfig cfg = config;
  res.threads = resolve_threads(cfg.threads);

  // Structure learned from the data: correlated fields act as one comparison; files that
  // hold one record per person get the one-per-source constraint.
  if (cfg.correlated_fields) {
    res.correlated =
        detect_correlated_fields(records, cfg.comparisons, opt.cross_source_only,
                                 std::min<std::int64_t>(cfg.u_pairs, 200'000), cfg.seed);
    apply_correlated_fields(cfg.comparisons, res.correlated);
  }

  // Block.
  auto t = Clock::now();
  Blocker blocker(records, cfg.blocking, opt.cross_source_only, cfg.max_pairs, cfg.max_block,
                  res.threads);
  res.seconds.block = since(t);

  // Compare, pass 1: pattern counts only (overall and per rule, for the EM sessions).
  t = Clock::now();
  PatternTally tallied =
      tally_candidates(records, blocker, cfg.comparisons, res.threads, true, opt.quiet, true);
  res.blocking = blocker.report();
  res.candidate_pairs = tallied.pairs;
  res.patterns = std::move(tallied.all);
  res.seconds.compare = since(t);

  // Estimate u and m (EM on pattern counts).
  res.model = fit_model(records, cfg, opt, res.patterns, tallied.per_rule, res.candidate_pairs,
                        res.seconds);

  // Blocking recall without truth: the share of the random pairs the model scores as
  // matches that the rules make candidates. With the default rules, further rules that
  // raise it are added and the run starts again with them (choose_blocking.hpp).
  const HighAgreementSample sample =
      sample_high_agreement_pairs(records, res.model, cfg, opt.cross_source_only);
  if (sample.estimable) {
    std::int64_t covered = 0;
    for (const auto& [a, b] : sample.pairs) covered += blocker.is_candidate(a, b);
    res.estimated_blocking_recall =
        static_cast<double>(covered) / static_cast<double>(sample.pairs.size());
    res.blocking_recall_sample = static_cast<std::int64_t>(sample.pairs.size());
  }
  if (cfg.blocking_from_defaults) {
    BlockingChoice choice = choose_blocking_rules(records, blocker, cfg.blocking_pool, sample,
                                                  res.candidate_pairs, cfg, opt.cross_source_only);
    if (!choice.rules.empty()) {
      LinkConfig again = config;
      again.blocking.insert(again.blocking.end(), choice.rules.begin(), choice.rules.end());
      again.blocking_from_defaults = false;
      LinkResult chosen = link_records(records, again, opt);
      chosen.blocking_choice = std::move(choice);
      chosen.seconds.total = since(start);
      return chosen;
    }
    res.blocking_choice = std::move(choice);
  }

  // Within-file duplication, scored with the model fitted across files.
  if (opt.cross_source_only) limit_per_source(records, cfg, res);

  // Score, pass 2: the patterns pass 1 kept (else compare again); keep the pairs at or
  // above the floor; clerical decisions override.
  t = Clock::now();
  ClericalDecisions decisions = clerical_decisions(records, opt, res);
  score_pairs(records, cfg, opt, blocker, tallied.cache, std::move(decisions.decided), res);
  res.seconds.score = since(t);

  // Cluster.
  t = Clock::now();
  cluster_records(records, cfg, opt, std::move(decisions.cannot_link), res);
  res.seconds.cluster = since(t);
  t = Clock::now();
  res.blocking_splits =
      estimate_blocking_splits(records, res.model, cfg, blocker, res.cluster, opt.cross_source_only, res.threads);
  res.seconds.blocking_splits = since(t);
  res.warnings = diagnose_link(records, cfg, opt, res, tallied.per_rule);
  res.seconds.total = since(start);
  return res;
}

LinkConfig config_as_run(LinkConfig config, const LinkResult& result) {
  const auto& added = result.blocking_choice.rules;
  config.blocking.insert(config.blocking.end(), added.begin(), added.end());
  return config;
}

BlockingRecall blocking_recall(const std::vector<LinkRecord>& records,
                               const std::vector<std::string>& truth, const LinkConfig& config,
                               bool cross_source_only) {
  BlockingRecall br;
  Blocker blocker(records, config.blocking, cross_source_only, 0, config.max_block);
  std::unordered_map<std::string, std::vector<std::uint32_t>> groups;
  for (std::uint32_t i = 0; i < records.size(); ++i)
    if (!truth[i].empty()) groups[truth[i]].push_back(i);
  for (const auto& [label, members] : groups)
    for (std::size_t x = 0; x < members.size(); ++x)
      for (std::size_t y = x + 1; y < members.size(); ++y) {
        const auto a = members[x], b = members[y];
        if (cross_source_only && records[a].source == records[b].source) continue;
        ++br.true_pairs;
        if (blocker.is_candidate(a, b)) ++br.candidate_true_pairs;
      }
  br.recall = br.true_pairs ? static_cast<double>(br.candidate_true_pairs) /
                                  static_cast<double>(br.true_pairs)
                            : 1.0;
  return br;
}

}  // namespace joindots::link
