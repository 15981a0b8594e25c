#include "link/fit_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_map>

#include "core/rng.hpp"

namespace joindots::link {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int resolve_threads(int configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Starting values of EM from the candidate pairs that are almost surely matches: those
/// agreeing exactly on an identifier, else on given name, family name and date of birth
/// (names only when no date is compared). m of the other fields starts at their levels
/// among these pairs and the match share at their share, so EM starts near the person
/// class rather than near "whatever agrees most" (a shared postcode, issue 12).
struct AnchorStart {
  LevelProbabilities m;
  double lambda = 0;
  std::int64_t pairs = 0;
};

AnchorStart anchor_start(const PatternCounts& patterns, const std::vector<Comparison>& comparisons,
                         const std::vector<std::size_t>& levels) {
  auto find = [&](Field f) -> int {
    for (std::size_t k = 0; k < comparisons.size(); ++k)
      if (comparisons[k].field == f) return static_cast<int>(k);
    return -1;
  };
  std::vector<int> anchors;
  for (Field f : {Field::nhs_number, Field::upn, Field::pnc_id, Field::identifier})
    if (find(f) >= 0) anchors.push_back(find(f));
  if (anchors.empty()) {
    for (Field f : {Field::given_name, Field::family_name, Field::dob})
      if (find(f) >= 0) anchors.push_back(find(f));
    if (anchors.size() < 2) return {};
  }
  AnchorStart out;
  out.m = initial_m(levels);
  std::vector<std::vector<double>> tally(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) tally[k].assign(levels[k], 0.0);
  std::int64_t all = 0;
  for (const auto& [p, c] : patterns) {
    all += c;
    bool anchored = true;
    for (int k : anchors)
      anchored = anchored && level_of(p, static_cast<std::size_t>(k)) + 1 ==
                                 static_cast<int>(levels[static_cast<std::size_t>(k)]);
    if (!anchored) continue;
    out.pairs += c;
    for (std::size_t k = 0; k < levels.size(); ++k)
      tally[k][static_cast<std::size_t>(level_of(p, k))] += static_cast<double>(c);
  }
  if (out.pairs < 20) return {};
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (std::find(anchors.begin(), anchors.end(), static_cast<int>(k)) != anchors.end()) continue;
    double total = 0;
    for (std::size_t l = 1; l < levels[k]; ++l) total += tally[k][l];
    if (total < 20) continue;
    for (std::size_t l = 1; l < levels[k]; ++l)
      out.m[k][l] = (tally[k][l] + 0.5) / (total + 0.5 * static_cast<double>(levels[k] - 1));
  }
  out.lambda = std::clamp(static_cast<double>(out.pairs) / static_cast<double>(all), 0.01, 0.9);
  return out;
}

// Sessions (Splink's training by blocking rule): among the pairs sharing a block of rule r,
// the fields of r agree by construction and say nothing; the other fields are independent of
// the blocking, so their u is that of random pairs. EM with u fixed there fits m of the other
// fields; each field's m is the mean over sessions.
void fit_m_by_sessions(const LinkConfig& cfg, const std::vector<std::size_t>& levels,
                       const std::vector<PatternCounts>& rule_patterns, FsModel& model) {
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
    // A field correlated with a blocked one is not independent of the blocking either.
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const int j = cfg.comparisons[k].absorbed_by;
      if (j >= 0 && (excluded[k] || excluded[static_cast<std::size_t>(j)]))
        excluded[k] = excluded[static_cast<std::size_t>(j)] = true;
    }
    // A session with one free field has nothing to tell matches from non-matches by but
    // that field: its m comes out as whatever fits the blocked pairs (issue 12: m(dob
    // exact) 0.03 against a true 0.59). Such fields keep the m of the overall EM.
    if (std::count(excluded.begin(), excluded.end(), false) < 2) continue;
    std::unordered_map<Pattern, std::int64_t> masked;
    for (const auto& [p, c] : rule_patterns[r]) {
      Pattern q = p;
      for (std::size_t k = 0; k < levels.size(); ++k)
        if (excluded[k]) q &= ~(Pattern{0xF} << (4 * k));
      masked[q] += c;
    }
    const PatternCounts session(masked.begin(), masked.end());
    EmResult fit = em_fit(session, levels, model.m, model.u, 0.5,
                          {cfg.em_max_iterations, cfg.em_tolerance, true});
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

// The prior of a random pair (model.prior): the expected matches among candidates over all
// pairs, or with sessions the fixed point lambda = E[matches | m, u, lambda] / all pairs.
void set_random_pair_prior(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt,
                           const PatternCounts& patterns, std::int64_t candidates, FsModel& model) {
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
  model.prior =
      all_pairs > 0
          ? std::min(0.5, model.lambda_candidates * static_cast<double>(candidates) / all_pairs)
          : 0;
  if (cfg.em_sessions && all_pairs > 0) {
    // The prior as the fixed point lambda = E[matches | m, u, lambda] / all pairs, the
    // expectation over candidate pairs (pairs outside blocking are taken as non-matches).
    for (int it = 0; it < 200; ++it) {
      double expected = 0;
      for (const auto& [p, c] : patterns)
        expected += static_cast<double>(c) * model.probability(model.weight(p));
      const double next = std::clamp(expected / all_pairs, 1e-12, 0.5);
      const bool done = std::abs(next - model.prior) < 1e-6 * model.prior;
      model.prior = next;
      if (done) break;
    }
  }
}

}  // namespace

/// Fits m and the share of matches among candidates by EM on the pattern counts; u from
/// random pairs; the prior of a random pair from the expected number of matches.
FsModel fit_model(const std::vector<LinkRecord>& records, const LinkConfig& cfg,
                  const LinkOptions& opt, const PatternCounts& patterns,
                  const std::vector<PatternCounts>& rule_patterns, std::int64_t candidates,
                  LinkTimings& seconds) {
  FsModel model;
  model.comparisons = cfg.comparisons;
  std::vector<std::size_t> levels;
  for (const auto& c : cfg.comparisons) levels.push_back(level_count(c.comparator));

  auto t = Clock::now();
  Rng rng(cfg.seed, "link-u");
  model.u = estimate_u(records, cfg.comparisons, cfg.u_pairs, opt.cross_source_only, rng,
                       resolve_threads(cfg.threads));
  seconds.estimate_u = since(t);

  t = Clock::now();
  model.m = initial_m(levels);
  model.u_candidates = model.u;
  model.lambda_candidates = 0.1;
  if (!patterns.empty()) {
    // 1. One EM over all candidate pairs, fitting m, u and the match share (fastLink),
    //    started from the pairs that agree exactly on an identifier or on names and date
    //    (anchor_start), not from "whatever agrees most is a match".
    const AnchorStart anchor = anchor_start(patterns, cfg.comparisons, levels);
    if (anchor.pairs > 0) model.m = anchor.m;
    EmResult em = em_fit(patterns, levels, model.m, model.u, anchor.pairs > 0 ? anchor.lambda : 0.1,
                         {cfg.em_max_iterations, cfg.em_tolerance, cfg.em_fix_u, true, &model.u});
    model.m = std::move(em.m);
    model.u_candidates = std::move(em.u);
    model.lambda_candidates = em.lambda;
    model.em_iterations = em.iterations;
    model.em_converged = em.converged;
    // 2. Sessions (Splink's training by blocking rule): among the pairs sharing a block of
    //    rule r, the fields of r agree by construction and say nothing; the other fields
    //    are independent of the blocking, so their u is that of random pairs. EM with u
    //    fixed there fits m of the other fields; each field's m is the mean over sessions.
    if (cfg.em_sessions && !rule_patterns.empty()) fit_m_by_sessions(cfg, levels, rule_patterns, model);
  }
  // The fits are ordered against their own u, but the weights use the random-pair u:
  // order against it.
  for (std::size_t k = 0; k < levels.size(); ++k)
    model.m_exact_fitted.push_back(model.m[k][levels[k] - 1]);
  order_levels(model.m, model.u);
  seconds.em = since(t);

  set_random_pair_prior(records, cfg, opt, patterns, candidates, model);

  // Term frequencies.
  model.tf.resize(cfg.comparisons.size());
  for (std::size_t k = 0; k < cfg.comparisons.size(); ++k)
    if (cfg.comparisons[k].tf_adjust)
      for (const auto& r : records) model.tf[k].add(r[cfg.comparisons[k].field]);
  return model;
}

}  // namespace joindots::link
