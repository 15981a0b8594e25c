#include "link/link.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_map>

#include "core/progress.hpp"
#include "core/rng.hpp"

namespace joindots::link {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int resolve_threads(int configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Pass 1 over the candidate pairs: the counts of their comparison patterns, overall and
/// per blocking rule (the pairs sharing a block of the rule, whichever rule emitted them).
/// Nothing per pair is kept, so memory does not grow with the number of pairs.
struct PatternTally {
  PatternCounts all;
  std::vector<PatternCounts> per_rule;
  std::int64_t pairs = 0;
};

PatternCounts sorted_counts(const std::unordered_map<Pattern, std::int64_t>& m) {
  PatternCounts out(m.begin(), m.end());
  std::sort(out.begin(), out.end());
  return out;
}

PatternTally tally_candidates(const std::vector<LinkRecord>& records, Blocker& blocker,
                              const std::vector<Comparison>& comparisons, int threads, bool per_rule, bool quiet) {
  const std::size_t rules = std::min<std::size_t>(blocker.rules().size(), 32);
  struct Local {
    std::unordered_map<Pattern, std::int64_t> all;
    std::vector<std::unordered_map<Pattern, std::int64_t>> rule;
  };
  std::vector<Local> local(static_cast<std::size_t>(threads));
  for (auto& l : local) l.rule.resize(rules);
  Progress progress("comparing", "pairs", blocker.pairs_implied(), quiet);
  blocker.for_each_pair(
      threads,
      [&](int t, std::uint32_t a, std::uint32_t b) {
        Local& l = local[static_cast<std::size_t>(t)];
        const Pattern p = compare_pair(records[a], records[b], comparisons);
        ++l.all[p];
        if (per_rule) {
          const std::uint32_t mask = blocker.rule_mask(a, b);
          for (std::size_t r = 0; r < rules; ++r)
            if (mask & (1u << r)) ++l.rule[r][p];
        }
      },
      [&](std::int64_t done) { progress.set(done); });
  progress.finish();
  PatternTally out;
  std::unordered_map<Pattern, std::int64_t> all;
  std::vector<std::unordered_map<Pattern, std::int64_t>> rule(blocker.rules().size());
  for (auto& l : local) {
    for (const auto& [p, c] : l.all) all[p] += c, out.pairs += c;
    for (std::size_t r = 0; r < rules; ++r)
      for (const auto& [p, c] : l.rule[r]) rule[r][p] += c;
  }
  out.all = sorted_counts(all);
  for (const auto& m : rule) out.per_rule.push_back(sorted_counts(m));
  return out;
}

/// Fits m and the share of matches among candidates by EM on the pattern counts; u from
/// random pairs; the prior of a random pair from the expected number of matches.
FsModel fit_model(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt,
                  const PatternCounts& patterns, const std::vector<PatternCounts>& rule_patterns,
                  std::int64_t candidates, LinkTimings& seconds) {
  FsModel model;
  model.comparisons = cfg.comparisons;
  std::vector<std::size_t> levels;
  for (const auto& c : cfg.comparisons) levels.push_back(level_count(c.comparator));

  auto t = Clock::now();
  Rng rng(cfg.seed, "link-u");
  model.u = estimate_u(records, cfg.comparisons, cfg.u_pairs, opt.cross_source_only, rng);
  seconds.estimate_u = since(t);

  t = Clock::now();
  model.m = initial_m(levels);
  model.u_candidates = model.u;
  model.lambda_candidates = 0.1;
  if (!patterns.empty()) {
    // 1. One EM over all candidate pairs, fitting m, u and the match share (fastLink).
    EmResult em = em_fit(patterns, levels, model.m, model.u, 0.1, {cfg.em_max_iterations, cfg.em_tolerance, cfg.em_fix_u});
    model.m = std::move(em.m);
    model.u_candidates = std::move(em.u);
    model.lambda_candidates = em.lambda;
    model.em_iterations = em.iterations;
    model.em_converged = em.converged;
    // 2. Sessions (Splink's training by blocking rule): among the pairs sharing a block of
    //    rule r, the fields of r agree by construction and say nothing; the other fields
    //    are independent of the blocking, so their u is that of random pairs. EM with u
    //    fixed there fits m of the other fields; each field's m is the mean over sessions.
    if (cfg.em_sessions && !rule_patterns.empty()) {
      std::vector<std::vector<double>> sum(levels.size());
      std::vector<int> sessions(levels.size(), 0);
      for (std::size_t k = 0; k < levels.size(); ++k) sum[k].assign(levels[k], 0.0);
      for (std::size_t r = 0; r < rule_patterns.size(); ++r) {
        std::int64_t pairs = 0;
        for (const auto& [p, c] : rule_patterns[r]) pairs += c;
        if (pairs < 50) continue;
        std::vector<bool> excluded(levels.size(), false);
        for (const auto& key : cfg.blocking[r].keys)
          for (std::size_t k = 0; k < levels.size(); ++k)
            if (cfg.comparisons[k].field == key.field) excluded[k] = true;
        std::unordered_map<Pattern, std::int64_t> masked;
        for (const auto& [p, c] : rule_patterns[r]) {
          Pattern q = p;
          for (std::size_t k = 0; k < levels.size(); ++k)
            if (excluded[k]) q &= ~(Pattern{0xF} << (4 * k));
          masked[q] += c;
        }
        const PatternCounts session(masked.begin(), masked.end());
        EmResult fit = em_fit(session, levels, model.m, model.u, 0.5, {cfg.em_max_iterations, cfg.em_tolerance, true});
        for (std::size_t k = 0; k < levels.size(); ++k) {
          if (excluded[k]) continue;
          for (std::size_t l = 1; l < levels[k]; ++l) sum[k][l] += fit.m[k][l];
          ++sessions[k];
        }
      }
      for (std::size_t k = 0; k < levels.size(); ++k)
        if (sessions[k])
          for (std::size_t l = 1; l < levels[k]; ++l) model.m[k][l] = sum[k][l] / sessions[k];
    }
  }
  seconds.em = since(t);

  // Prior of a random pair.
  double all_pairs = 0;
  if (opt.cross_source_only) {
    std::map<std::uint32_t, double> per_source;
    for (const auto& r : records) per_source[r.source] += 1;
    double n = static_cast<double>(records.size()), same = 0;
    for (const auto& [s, c] : per_source) same += c * (c - 1) / 2;
    all_pairs = n * (n - 1) / 2 - same;
  } else {
    const double n = static_cast<double>(records.size());
    all_pairs = n * (n - 1) / 2;
  }
  model.prior = all_pairs > 0 ? std::min(0.5, model.lambda_candidates * static_cast<double>(candidates) / all_pairs) : 0;
  if (cfg.em_sessions && all_pairs > 0) {
    // The prior as the fixed point lambda = E[matches | m, u, lambda] / all pairs, the
    // expectation over candidate pairs (pairs outside blocking are taken as non-matches).
    for (int it = 0; it < 200; ++it) {
      double expected = 0;
      for (const auto& [p, c] : patterns) expected += static_cast<double>(c) * model.probability(model.weight(p));
      const double next = std::clamp(expected / all_pairs, 1e-12, 0.5);
      const bool done = std::abs(next - model.prior) < 1e-6 * model.prior;
      model.prior = next;
      if (done) break;
    }
  }

  // Term frequencies.
  model.tf.resize(cfg.comparisons.size());
  for (std::size_t k = 0; k < cfg.comparisons.size(); ++k)
    if (cfg.comparisons[k].tf_adjust)
      for (const auto& r : records) model.tf[k].add(r[cfg.comparisons[k].field]);
  return model;
}

}  // namespace

PatternCounts count_patterns(const std::vector<LinkRecord>& records, Blocker& blocker,
                             const std::vector<Comparison>& comparisons, int threads) {
  return tally_candidates(records, blocker, comparisons, threads, false, true).all;
}

LinkResult link_records(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt) {
  const auto start = Clock::now();
  LinkResult res;
  res.threads = resolve_threads(cfg.threads);

  // Block.
  auto t = Clock::now();
  Blocker blocker(records, cfg.blocking, opt.cross_source_only, cfg.max_pairs, cfg.max_block);
  res.seconds.block = since(t);

  // Compare, pass 1: pattern counts only (overall and per rule, for the EM sessions).
  t = Clock::now();
  PatternTally tallied = tally_candidates(records, blocker, cfg.comparisons, res.threads, cfg.em_sessions, opt.quiet);
  res.blocking = blocker.report();
  res.candidate_pairs = tallied.pairs;
  res.patterns = std::move(tallied.all);
  res.seconds.compare = since(t);

  // Estimate u and m (EM on pattern counts).
  res.model = fit_model(records, cfg, opt, res.patterns, tallied.per_rule, res.candidate_pairs, res.seconds);

  // Score, pass 2: compare again and keep the pairs at or above the floor; clerical
  // decisions override.
  t = Clock::now();
  std::unordered_map<Pattern, double> base;
  for (const auto& [p, c] : res.patterns) base[p] = res.model.weight(p);
  bool any_tf = false;
  for (const auto& c : cfg.comparisons) any_tf = any_tf || c.tf_adjust;
  auto score = [&](std::uint32_t a, std::uint32_t b, Pattern p) {
    if (any_tf) return res.model.weight(p, records[a], records[b]);
    auto it = base.find(p);
    return it != base.end() ? it->second : res.model.weight(p);
  };
  std::map<std::pair<std::string, std::string>, std::uint32_t> index_of;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cannot_link;
  std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided;
  if (!opt.decisions.empty()) {
    auto src = [&](std::uint32_t s) { return s < opt.source_names.size() ? opt.source_names[s] : std::to_string(s); };
    for (std::uint32_t i = 0; i < records.size(); ++i) index_of[{src(records[i].source), records[i].id}] = i;
    for (const auto& d : opt.decisions) {
      auto ia = index_of.find({d.source_a, d.id_a}), ib = index_of.find({d.source_b, d.id_b});
      if (ia == index_of.end() || ib == index_of.end()) continue;
      auto key = std::minmax(ia->second, ib->second);
      decided[{key.first, key.second}] = d.match;
      if (!d.match) cannot_link.emplace_back(key.first, key.second);
      ++res.decisions_applied;
    }
  }
  {
    std::vector<std::vector<ScoredPair>> kept(static_cast<std::size_t>(res.threads));
    Progress progress("scoring", "pairs", blocker.pairs_implied(), opt.quiet);
    blocker.for_each_pair(
        res.threads,
        [&](int th, std::uint32_t a, std::uint32_t b) {
          const Pattern pat = compare_pair(records[a], records[b], cfg.comparisons);
          const double w = score(a, b, pat);
          const double p = res.model.probability(w);
          ScoredPair sp{a, b, static_cast<float>(w), static_cast<float>(p), false};
          if (!decided.empty()) {
            auto it = decided.find({a, b});
            if (it != decided.end()) {
              sp.probability = it->second ? 1.0f : 0.0f;
              sp.clerical = true;
            }
          }
          if (sp.probability >= opt.keep_floor || sp.clerical) kept[static_cast<std::size_t>(th)].push_back(sp);
        },
        [&](std::int64_t done) { progress.set(done); });
    progress.finish();
    std::size_t total = 0;
    for (const auto& v : kept) total += v.size();
    res.pairs.reserve(total);
    for (auto& v : kept) {
      res.pairs.insert(res.pairs.end(), v.begin(), v.end());
      std::vector<ScoredPair>().swap(v);
    }
    // Deterministic order whatever the thread timing.
    std::sort(res.pairs.begin(), res.pairs.end(),
              [](const ScoredPair& x, const ScoredPair& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
    for (const auto& sp : res.pairs)
      if (sp.clerical) decided.erase({sp.a, sp.b});
  }
  for (const auto& [key, match] : decided) {  // decided pairs blocking did not propose
    const Pattern p = compare_pair(records[key.first], records[key.second], cfg.comparisons);
    res.pairs.push_back({key.first, key.second, static_cast<float>(res.model.weight(p, records[key.first], records[key.second])),
                         match ? 1.0f : 0.0f, true});
  }
  res.seconds.score = since(t);

  // Cluster.
  t = Clock::now();
  ClusterInput in;
  in.records = records.size();
  in.pairs = res.pairs;
  if (!cfg.hard_fields.empty()) {
    in.hard_values.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
      for (Field f : cfg.hard_fields) in.hard_values[i].push_back(records[i][f]);
  }
  if (cfg.max_per_source > 0) {
    in.source.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) in.source[i] = records[i].source;
  }
  in.cannot_link = std::move(cannot_link);
  in.probability = [&](std::uint32_t a, std::uint32_t b) {
    if (opt.cross_source_only && records[a].source == records[b].source) return 1.0;  // never compared: neutral
    const Pattern p = compare_pair(records[a], records[b], cfg.comparisons);
    return res.model.probability(res.model.weight(p, records[a], records[b]));
  };
  ClusterOptions copt;
  copt.threshold = cfg.threshold;
  copt.min_cohesion = cfg.min_cohesion;
  copt.max_per_source = cfg.max_per_source;
  copt.seed = cfg.seed;
  res.cluster_stats = cluster_pairs(std::move(in), copt);
  res.cluster = res.cluster_stats.cluster;
  res.clusters = res.cluster_stats.clusters;
  res.seconds.cluster = since(t);
  res.seconds.total = since(start);
  return res;
}

BlockingRecall blocking_recall(const std::vector<LinkRecord>& records, const std::vector<std::string>& truth,
                               const LinkConfig& config, bool cross_source_only) {
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
  br.recall = br.true_pairs ? static_cast<double>(br.candidate_true_pairs) / static_cast<double>(br.true_pairs) : 1.0;
  return br;
}

}  // namespace joindots::link
