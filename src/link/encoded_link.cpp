// Linkage on encodings, the stage (link/encoded_link.hpp): candidates, comparisons, the
// Fellegi-Sunter fit, clerical decisions, clustering, persons and the saved run.
#include "link/encoded_link.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "link/encoded_compare.hpp"

namespace joindots::link {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Seconds of each step, wall clock and CPU (all threads), printed on one line on stderr
/// unless quiet: where a run's time goes on a machine shared with other work, whose wall
/// clock says little alone (bench/README.md "Linkage on encodings at a million records").
class PhaseLog {
 public:
  PhaseLog(std::string label, bool quiet) : label_(std::move(label)), quiet_(quiet) {}
  void end(std::string_view step) {
    const auto wall = Clock::now();
    const double cpu = cpu_seconds();
    line_ += fmt::format("{}{} {:.1f}/{:.1f}", line_.empty() ? "" : ", ", step,
                         std::chrono::duration<double>(wall - wall_).count(), cpu - cpu_);
    wall_ = wall;
    cpu_ = cpu;
  }
  void print() const {
    if (!quiet_) fmt::print(stderr, "{} (wall/CPU s): {}\n", label_, line_);
  }

 private:
  static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  std::string label_, line_;
  bool quiet_;
  Clock::time_point wall_ = Clock::now();
  double cpu_ = cpu_seconds();
};

/// Calls fn(part, begin, end) over [0, n) split into `threads` parts, one thread each.
template <typename Fn>
void parallel_parts(std::size_t n, int threads, Fn fn) {
  const auto parts = static_cast<std::size_t>(std::clamp<std::size_t>(static_cast<std::size_t>(threads), 1,
                                                                      std::max<std::size_t>(1, n / 10'000)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(fn, t, n * t / parts, n * (t + 1) / parts);
  fn(std::size_t{0}, std::size_t{0}, n / parts);
  for (auto& th : pool) th.join();
}

/// The fitted model: m by EM, u from random pairs, the prior of a random pair.
struct EncodedModel {
  LevelProbabilities m, u;
  double lambda = 0, prior = 0;
  int iterations = 0;
  bool converged = false;
  bool u_fitted = false;  // EM fitted u among candidates (fit_encoded_model)
  bool m_pooled = false;  // m taken from the victims of the run, only the match share fitted
  std::vector<std::vector<double>> level_weight;  // log2(m/u), 0 for missing

  double weight(Pattern p) const {
    double w = 0;
    for (std::size_t k = 0; k < level_weight.size(); ++k)
      w += level_weight[k][static_cast<std::size_t>(level_of(p, k))];
    return w;
  }
  /// The pattern's weight plus the term-frequency adjustment (Splink's): for each blocking
  /// token column the two records share a token of, log2(u of agreement / the share of
  /// records holding the rarest token they share), so that sharing a common surname's code
  /// counts for less than sharing a rare one's. Identifier tokens are left as they are.
  double pair_weight(const std::array<std::uint32_t, EncodedComparer::kColumns>& rarest, Pattern p) const {
    double w = weight(p);
    if (!tf) return w;
    for (std::size_t c = 0; c < rarest.size(); ++c)
      if (rarest[c] && encode::kTokenColumns[c].column.starts_with("blk_"))
        w += std::log2(u[c + 1][2] / (static_cast<double>(rarest[c]) / tf->records()));
    return w;
  }
  double pair_weight(std::uint32_t a, std::uint32_t b, Pattern p) const {
    return tf ? pair_weight(tf->rarest_shared(a, b), p) : weight(p);
  }
  const EncodedComparer* tf = nullptr;  // null: no adjustment

  double probability(double w) const {
    const double pr = std::clamp(prior, 1e-15, 1 - 1e-15);
    return 1.0 / (1.0 + std::exp2(-(w + std::log2(pr / (1 - pr)))));
  }
};

/// The patterns of the candidate pairs, on `threads` threads.
std::vector<Pattern> compare_candidates(const EncodedComparer& cmp, const encode::Candidates& cand, int threads,
                                        bool quiet) {
  std::vector<Pattern> patterns(cand.pairs.size());
  Progress progress("comparing encodings", "pairs", static_cast<std::int64_t>(patterns.size()), quiet);
  std::atomic<std::int64_t> done{0};
  parallel_parts(patterns.size(), threads, [&](std::size_t part, std::size_t begin, std::size_t end) {
    cmp.for_pairs(cand.pairs, begin, end, true, [&](std::size_t i) {
      patterns[i] = cmp.pattern(cand.pairs[i].first, cand.pairs[i].second);
      if ((i - begin) % 65'536 == 65'535) {
        done += 65'536;
        if (part == 0) progress.set(done);
      }
    });
  });
  progress.set(static_cast<std::int64_t>(patterns.size()));
  progress.finish();
  return patterns;
}

/// u of each comparison from `n_pairs` random pairs (Laplace-smoothed): almost all are
/// non-matches. The pairs are drawn first, so the result does not depend on the threads.
LevelProbabilities estimate_encoded_u(const EncodedComparer& cmp, std::int64_t n_pairs, std::uint64_t seed,
                                      int threads) {
  const auto& levels = encoded_levels();
  const auto n = static_cast<std::uint64_t>(cmp.records());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  Rng rng(seed, "link-u");
  for (std::int64_t i = 0; i < n_pairs && n > 1; ++i) {
    const auto a = static_cast<std::uint32_t>(rng.next() % n), b = static_cast<std::uint32_t>(rng.next() % n);
    if (a != b) pairs.emplace_back(a, b);
  }
  std::vector<std::vector<std::vector<std::int64_t>>> local(static_cast<std::size_t>(std::max(threads, 1)));
  for (auto& l : local)
    for (auto size : levels) l.emplace_back(size, 0);
  parallel_parts(pairs.size(), threads, [&](std::size_t part, std::size_t begin, std::size_t end) {
    cmp.for_pairs(pairs, begin, end, false, [&](std::size_t i) {
      const Pattern p = cmp.pattern(pairs[i].first, pairs[i].second);
      for (std::size_t k = 0; k < levels.size(); ++k) ++local[part][k][static_cast<std::size_t>(level_of(p, k))];
    });
  });
  LevelProbabilities u(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) {
    u[k].assign(levels[k], 1.0);
    double total = 0;
    for (std::size_t l = 1; l < levels[k]; ++l) {
      for (const auto& part : local) u[k][l] += static_cast<double>(part[k][l]);
      total += u[k][l];
    }
    for (std::size_t l = 1; l < levels[k]; ++l) u[k][l] /= total;
    u[k][0] = 1;
  }
  return u;
}

/// m and the match share among candidates by EM with u fixed at the random pairs' (Splink);
/// when that fit expects more than kMaxMatchesPerRecord matching pairs per record (persons of
/// more than 11 records on average), its match class is token sharing rather than persons:
/// candidates share tokens far more often than random pairs, and among a million records'
/// victims it called 0.85 of them matches (F1 0.76). EM then fits u among candidates too
/// (fastLink, plaintext's default): there 0.065 and F1 0.973. Not always: on a few thousand
/// records the fitted u makes a match class of exact copies (a scale-0.2 country's victims:
/// F1 0.967, persons +9%, against 0.999 and +0.2% with u fixed). `em_fix_u = 1` keeps u
/// fixed whatever the fit expects. Weights use the random pairs' u; the prior of a random
/// pair from the matches expected.
constexpr double kMaxMatchesPerRecord = 5;

// The match share among pattern counts with m and u fixed: EM on lambda alone.
double fit_lambda(const PatternCounts& counts, const LevelProbabilities& m, const LevelProbabilities& u) {
  std::vector<std::pair<double, double>> ratio;  // (log2 m/u of the pattern, count)
  double total = 0;
  for (const auto& [p, c] : counts) {
    double w = 0;
    for (std::size_t k = 0; k < m.size(); ++k) {
      const auto l = static_cast<std::size_t>(level_of(p, k));
      if (l) w += std::log2(m[k][l] / u[k][l]);
    }
    ratio.emplace_back(w, static_cast<double>(c));
    total += static_cast<double>(c);
  }
  double lambda = 0.1;
  for (int it = 0; it < 500; ++it) {
    double matched = 0;
    for (const auto& [w, c] : ratio) matched += c / (1 + (1 - lambda) / lambda * std::exp2(-w));
    const double next = matched / total;
    if (std::abs(next - lambda) < 1e-9) return next;
    lambda = std::clamp(next, 1e-9, 1 - 1e-9);
  }
  return lambda;
}

/// With `pooled_m` (the victims' m of the same run), the role's m is theirs and EM fits only
/// the match share: how a match looks in the encodings does not depend on the role, and
/// the victims, most of the records and persons of several, identify it, where a few
/// thousand suspects or associates, whose relatives share postcode and family-name tokens,
/// make a match class of households (default country: suspects F1 0.846 -> 0.899,
/// associates 0.638 -> 0.851).
EncodedModel fit_encoded_model(const EncodedRole& d, const EncodedComparer& cmp, const std::vector<Pattern>& patterns,
                               const LinkConfig& config, int threads, const LevelProbabilities* pooled_m) {
  const auto& levels = encoded_levels();
  EncodedModel model;
  model.u = estimate_encoded_u(cmp, config.u_pairs, config.seed, threads);
  std::unordered_map<Pattern, std::int64_t> counted;
  for (Pattern p : patterns) ++counted[p];
  const PatternCounts counts(counted.begin(), counted.end());
  model.m = initial_m(levels);
  if (!counts.empty() && pooled_m) {
    model.m = *pooled_m;
    model.lambda = fit_lambda(counts, model.m, model.u);
    model.m_pooled = true;
  } else if (!counts.empty()) {
    EmOptions eo;
    eo.max_iterations = config.em_max_iterations;
    eo.tolerance = config.em_tolerance;
    eo.fix_u = true;
    eo.order_against = &model.u;
    EmResult em = em_fit(counts, levels, model.m, model.u, 0.3, eo);
    const double per_record = em.lambda * static_cast<double>(patterns.size()) / static_cast<double>(d.size());
    if (!config.em_fix_u && per_record > kMaxMatchesPerRecord) {
      eo.fix_u = false;
      em = em_fit(counts, levels, model.m, model.u, 0.3, eo);
      model.u_fitted = true;
    }
    model.m = em.m;
    model.lambda = em.lambda;
    model.iterations = em.iterations;
    model.converged = em.converged;
  }
  order_levels(model.m, model.u);
  const double n = static_cast<double>(d.size());
  const double all_pairs = n * (n - 1) / 2;
  model.prior = all_pairs > 0 ? std::min(0.5, model.lambda * static_cast<double>(patterns.size()) / all_pairs) : 0;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    auto& w = model.level_weight.emplace_back(levels[k], 0.0);
    for (std::size_t l = 1; l < levels[k]; ++l) w[l] = std::log2(model.m[k][l] / model.u[k][l]);
  }
  return model;
}

/// Clerical decisions (read_review_decisions) on the records of `d`, by (source_org,
/// record_id): pair -> match. Decisions naming a record not in this role are skipped.
std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided_pairs(const EncodedRole& d,
                                                                     const std::vector<ReviewDecision>& decisions) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided;
  if (decisions.empty()) return decided;
  std::map<std::pair<std::string, std::string>, std::uint32_t> index_of;
  for (std::uint32_t i = 0; i < d.size(); ++i) index_of[{d.records[i].source_org, d.records[i].record_id}] = i;
  for (const auto& dec : decisions) {
    const auto a = index_of.find({dec.source_a, dec.id_a}), b = index_of.find({dec.source_b, dec.id_b});
    if (a == index_of.end() || b == index_of.end() || a->second == b->second) continue;
    decided[std::minmax(a->second, b->second)] = dec.match;
  }
  return decided;
}

/// The scored pairs kept (probability at least `floor`, or decided), decisions applied and
/// decided pairs the candidates missed added. Scored on `threads` threads, each keeping its
/// share of the candidates in order.
std::vector<ScoredPair> score_pairs(const EncodedComparer& cmp, const encode::Candidates& cand,
                                    const std::vector<Pattern>& patterns, const EncodedModel& model, double floor,
                                    std::map<std::pair<std::uint32_t, std::uint32_t>, bool> decided, int threads) {
  std::vector<std::vector<ScoredPair>> parts(static_cast<std::size_t>(std::max(threads, 1)));
  parallel_parts(patterns.size(), threads, [&](std::size_t part, std::size_t begin, std::size_t end) {
    auto& out = parts[part];
    cmp.for_pairs(cand.pairs, begin, end, true, [&](std::size_t i) {
      const auto [a, b] = cand.pairs[i];
      const double w = model.pair_weight(a, b, patterns[i]);
      const ScoredPair sp{a, b, static_cast<float>(w), static_cast<float>(model.probability(w)), false};
      if (sp.probability >= floor || (!decided.empty() && decided.count({a, b}))) out.push_back(sp);
    });
  });
  std::vector<ScoredPair> kept;
  std::size_t total = 0;
  for (const auto& part : parts) total += part.size();
  kept.reserve(total + decided.size());
  for (auto& part : parts) {
    kept.insert(kept.end(), part.begin(), part.end());
    std::vector<ScoredPair>().swap(part);
  }
  if (!decided.empty())
    for (auto& sp : kept)
      if (const auto it = decided.find({sp.a, sp.b}); it != decided.end()) {
        sp.probability = it->second ? 1.0f : 0.0f;
        sp.clerical = true;
        decided.erase(it);
      }
  for (const auto& [key, match] : decided)
    kept.push_back({key.first, key.second,
                    static_cast<float>(model.pair_weight(key.first, key.second, cmp.pattern(key.first, key.second))),
                    match ? 1.0f : 0.0f, true});
  std::sort(kept.begin(), kept.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  return kept;
}

/// Clusters the kept pairs with the guards of the plaintext path: the hard rule on the
/// identifier tokens, records per source, clerical non-matches, cohesion and its size-aware
/// relaxation.
ClusterResult cluster_encoded(const EncodedRole& d, const EncodedComparer& cmp, const std::vector<ScoredPair>& pairs,
                              const EncodedModel& model, const LinkConfig& config, std::size_t& usual_size) {
  ClusterInput in;
  in.records = d.size();
  in.pairs = pairs;
  std::vector<std::uint16_t> hard;
  for (Field f : config.hard_fields) hard.push_back(identifier_token_column(f));
  if (!hard.empty()) {
    in.hard_values.resize(d.size());
    for (std::size_t i = 0; i < d.size(); ++i)
      for (auto c : hard) in.hard_values[i].push_back(hard_token_value(d.input.tokens[i], c));
  }
  if (config.max_per_source > 0) in.source = d.source;
  for (const auto& p : pairs)
    if (p.clerical && p.probability == 0.0f) in.cannot_link.emplace_back(p.a, p.b);
  in.probability = [&](std::uint32_t a, std::uint32_t b) {
    return model.probability(model.pair_weight(a, b, cmp.pattern(a, b)));
  };
  in.probabilities = [&](const std::vector<std::pair<std::uint32_t, std::uint32_t>>& batch, std::vector<double>& out) {
    out.resize(batch.size());
    cmp.for_pairs(batch, 0, batch.size(), false, [&](std::size_t i) {
      const auto [a, b] = batch[i];
      out[i] = model.probability(model.pair_weight(a, b, cmp.pattern(a, b)));
    });
  };
  ClusterOptions copt;
  copt.threshold = config.threshold;
  copt.min_cohesion = config.min_cohesion;
  copt.max_per_source = config.max_per_source;
  copt.seed = config.seed;
  ClusterResult clusters = cluster_pairs(in, copt);
  usual_size = usual_cluster_size(clusters, config);
  if (usual_size > 0) {
    copt.relaxed_up_to = usual_size;
    copt.relaxed_min_cohesion = config.min_cohesion_within_usual;
    clusters = cluster_pairs(std::move(in), copt);
  }
  return clusters;
}

/// Persons as the plaintext path summarises them; the age band, which plaintext takes from
/// the date of birth, from the band each encoded record carries: that of the person's
/// earliest record that has one (its band at its event: the person's age at first contact).
std::vector<Person> encoded_persons(const EncodedRole& d, const ClusterResult& clusters) {
  std::vector<Person> persons = summarise_persons(d.records, clusters.cluster, clusters.clusters);
  std::vector<std::int64_t> earliest(clusters.clusters, -1);
  for (std::uint32_t i = 0; i < d.size(); ++i) {
    if (d.age_band[i] == "unknown" || d.age_band[i].empty()) continue;
    auto& e = earliest[clusters.cluster[i]];
    if (e < 0 || d.records[i].event_date < d.records[static_cast<std::size_t>(e)].event_date) e = i;
  }
  for (std::size_t c = 0; c < persons.size(); ++c)
    persons[c].age_band = earliest[c] < 0 ? "unknown" : d.age_band[static_cast<std::size_t>(earliest[c])];
  return persons;
}

/// Pairwise quality against the simulator's truth, and the share of true pairs the
/// candidates hold (blocking recall).
void evaluate_encoded(const EncodedRole& d, const SimulatedTruth& truth, const encode::Candidates& cand, RoleRun& rr) {
  std::vector<std::string> label(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto it = truth.person_of.find({d.records[i].source_org, d.records[i].record_id});
    if (it != truth.person_of.end()) label[i] = it->second;
  }
  rr.evaluation = evaluate(rr.result.cluster, label);
  std::unordered_map<std::string, std::vector<std::uint32_t>> members;
  for (std::uint32_t i = 0; i < d.size(); ++i)
    if (!label[i].empty()) members[label[i]].push_back(i);
  BlockingRecall br;
  for (const auto& [person, m] : members)
    for (std::size_t x = 0; x < m.size(); ++x)
      for (std::size_t y = x + 1; y < m.size(); ++y) {
        ++br.true_pairs;
        const std::pair<std::uint32_t, std::uint32_t> pair = std::minmax(m[x], m[y]);
        br.candidate_true_pairs += std::binary_search(cand.pairs.begin(), cand.pairs.end(), pair);
      }
  br.recall = br.true_pairs ? static_cast<double>(br.candidate_true_pairs) / static_cast<double>(br.true_pairs) : 1.0;
  rr.blocking_recall = br;
}

/// What the diagnostics of LinkResult cannot say of an encoded run: the comparisons with
/// their m, u and weights, the candidates.
nlohmann::json encoded_diagnostics(const EncodedModel& model, const encode::Candidates& cand, int lsh_bits) {
  nlohmann::json fields = nlohmann::json::array();
  for (std::size_t k = 0; k < kEncodedComparisons; ++k) {
    nlohmann::json levels = nlohmann::json::array();
    for (std::size_t l = 1; l < encoded_levels()[k]; ++l)
      levels.push_back({{"level", encoded_level_name(k, static_cast<int>(l))},
                        {"m", model.m[k][l]},
                        {"u", model.u[k][l]},
                        {"weight", model.level_weight[k][l]}});
    fields.push_back({{"field", encoded_comparison_name(k)},
                      {"comparator", k == 0 ? "dice" : k + 1 == kEncodedComparisons ? "exact" : "token"},
                      {"tf_adjust", k > 0 && k < kEncodedComparisons - 1 &&
                                        encode::kTokenColumns[k - 1].column.starts_with("blk_")},
                      {"levels", levels}});
  }
  nlohmann::json blocking = nlohmann::json::array();
  blocking.push_back({{"rule", fmt::format("a token shared in one of {} columns (all but blk_dob), or the CLKs' bits "
                                           "equal in one of {} LSH bands of {} bits",
                                           encode::kTokenColumns.size() - 1, kEncodedLshBands, lsh_bits)},
                      {"pairs_implied", cand.pairs_in_blocks},
                      {"pairs_new", static_cast<std::int64_t>(cand.pairs.size())},
                      {"blocks_skipped", cand.blocks_skipped}});
  return {{"model", {{"fields", fields}}},
          {"blocking", blocking},
          {"encoded",
           {{"lsh_bands", kEncodedLshBands},
            {"lsh_bits", lsh_bits},
            {"em_u", model.u_fitted ? "fitted" : "fixed"},
            {"em_m", model.m_pooled ? "victims" : "fitted"}}}};
}

}  // namespace

namespace {

/// The settings a linkage on encodings cannot follow, refused rather than ignored.
void check_encoded_settings(const LinkSettings& s) {
  auto refuse = [](std::string_view what) {
    throw UsageError(fmt::format(
        "link: the store is in encoded mode: {} cannot apply to encodings (they are compared by the CLKs' Dice "
        "coefficient, the keyed tokens and sex, and blocked on the tokens and LSH bands of the CLKs: "
        "docs/linkage.md \"Linkage on encodings\")",
        what));
  };
  if (s.fields) refuse("[compare] fields");
  for (const auto& c : s.comparator)
    if (c) refuse("a [compare] comparator");
  if (s.tf_adjust) refuse("[compare] tf_adjust");
  if (s.blocking) refuse("[blocking] rules");
  const LinkConfig defaults;
  if (s.config.em_sessions != defaults.em_sessions) refuse("[model] em_sessions");
  if (s.config.correlated_fields != defaults.correlated_fields) refuse("[model] correlated_fields");
}

/// The clerical-review band as the plaintext path saves it: each pair with the level of
/// every comparison.
std::vector<ReviewPair> review_band(const EncodedRole& d, const std::vector<ScoredPair>& pairs,
                                    const LinkConfig& config) {
  std::vector<ReviewPair> out;
  for (const auto& p : pairs) {
    if (p.clerical || p.probability < config.review_low || p.probability >= config.review_high) continue;
    const Pattern pattern = encoded_pattern(d, p.a, p.b);
    nlohmann::json levels = nlohmann::json::object();
    for (std::size_t k = 0; k < kEncodedComparisons; ++k)
      levels[encoded_comparison_name(k)] = encoded_level_name(k, level_of(pattern, k));
    out.push_back({d.record_pk[p.a], d.record_pk[p.b], p.weight, p.probability, levels.dump()});
  }
  return out;
}

}  // namespace

RoleRun link_encoded_records(const EncodedRole& d, Role role, const LinkConfig& config,
                             const StoreLinkOptions& options, encode::Candidates& cand,
                             const LevelProbabilities* pooled_m) {
  const auto start = Clock::now();
  PhaseLog phases(fmt::format("linking {} encodings", to_string(role)), options.quiet);
  RoleRun rr;
  rr.role = role;
  rr.records = d.size();
  LinkResult& res = rr.result;
  res.threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto t = Clock::now();
  encode::CandidateOptions copt;
  copt.max_block = config.max_block > 0 ? static_cast<std::size_t>(config.max_block) : SIZE_MAX;
  copt.max_pairs = config.max_pairs;
  copt.lsh_bands = kEncodedLshBands;
  copt.lsh_bits = encode::lsh_bits_for(d.input, config.seed);
  copt.seed = config.seed;
  copt.blocking_columns = kEncodedBlockingColumns;
  copt.threads = res.threads;
  cand = encode::find_candidates(d.input, copt);
  res.candidate_pairs = static_cast<std::int64_t>(cand.pairs.size());
  res.seconds.block = since(t);
  phases.end("candidates");
  t = Clock::now();
  const EncodedComparer cmp(d, res.threads);
  phases.end("layout");
  const std::vector<Pattern> patterns = compare_candidates(cmp, cand, res.threads, options.quiet);
  res.seconds.compare = since(t);
  phases.end("compare");
  t = Clock::now();
  EncodedModel model = fit_encoded_model(d, cmp, patterns, config, res.threads, pooled_m);
  model.tf = &cmp;
  res.seconds.em = since(t);
  phases.end("u and EM");
  res.model.m = model.m;
  res.model.u = model.u;
  res.model.prior = model.prior;
  res.model.lambda_candidates = model.lambda;
  res.model.em_iterations = model.iterations;
  res.model.em_converged = model.converged;
  t = Clock::now();
  const auto decided = decided_pairs(d, options.decisions);
  res.decisions_applied = static_cast<std::int64_t>(decided.size());
  res.pairs = score_pairs(cmp, cand, patterns, model, options.pair_floor, decided, res.threads);
  res.seconds.score = since(t);
  phases.end("score");
  t = Clock::now();
  res.cluster_stats = cluster_encoded(d, cmp, res.pairs, model, config, res.usual_cluster_size);
  res.cluster = res.cluster_stats.cluster;
  res.clusters = res.cluster_stats.clusters;
  res.seconds.cluster = since(t);
  phases.end("cluster");
  rr.persons = encoded_persons(d, res.cluster_stats);
  phases.end("persons");
  if (options.truth) evaluate_encoded(d, *options.truth, cand, rr);
  phases.end("truth");
  rr.diagnostics_extra = encoded_diagnostics(model, cand, copt.lsh_bits);
  res.seconds.total = since(start);
  phases.print();
  return rr;
}

namespace {

nlohmann::json encoded_params(const LinkConfig& config, const StoreLinkOptions& options,
                              const std::vector<Role>& roles, const StoreEncoding& encoding) {
  nlohmann::json params = link_run_params(config, options, roles);
  params["encoded"] = true;
  params["scheme"] = encoding.scheme;
  for (std::size_t c = 0; c < encode::kTokenColumns.size(); ++c)
    if (kEncodedBlockingColumns >> c & 1u) params["blocking"].push_back(std::string(encode::kTokenColumns[c].column));
  params["blocking"].push_back(
      fmt::format("clk lsh {} bands (24 bits on 20,000 records, more on more)", kEncodedLshBands));
  for (std::size_t k = 0; k < kEncodedComparisons; ++k) params["comparisons"].push_back(encoded_comparison_name(k));
  return params;
}

}  // namespace

StoreLinkRun link_encoded_store(Store& store, const LinkSettings& settings, const StoreLinkOptions& options) {
  const auto start = Clock::now();
  const auto encoding = store.encoding();
  if (!encoding) throw InternalError("link_encoded_store: the store is not in encoded mode");
  check_encoded_settings(settings);
  const LinkConfig config = resolve_link_config(settings, store_fields());
  for (Field f : config.hard_fields) identifier_token_column(f);  // a UsageError before any run starts
  std::vector<Role> roles = options.roles;
  if (roles.empty()) roles = {Role::victim, Role::suspect, Role::associate};
  StoreLinkRun run;
  run.run_id = store.start_run("link", encoded_params(config, options, roles, *encoding).dump());
  std::int64_t next_person_id = 1;
  std::optional<LevelProbabilities> victims_m;  // for the roles linked after the victims
  try {
    for (Role role : roles) {
      PhaseLog phases(fmt::format("{} records", to_string(role)), options.quiet);
      const EncodedRole d = read_encoded_role(store, role, options.quiet);
      phases.end("read");
      if (d.size() == 0) {
        RoleRun empty;
        empty.role = role;
        run.roles.push_back(std::move(empty));
        continue;
      }
      encode::Candidates cand;
      RoleRun rr = link_encoded_records(d, role, config, options, cand, victims_m ? &*victims_m : nullptr);
      if (role == Role::victim) victims_m = rr.result.model.m;
      rr.diagnostics_extra["encoded"]["scheme"] = encoding->scheme;
      LinkRunOutput out = role_output(rr, d.record_pk, next_person_id);
      out.review = review_band(d, rr.result.pairs, config);
      out.diagnostics_json = role_diagnostics_json(rr, d.orgs).dump();
      phases.end("link");
      store.save_link_run(run.run_id, out);
      phases.end("save");
      phases.print();
      run.roles.push_back(std::move(rr));
    }
  } catch (...) {
    store.finish_run(run.run_id, "failed", "{}");
    throw;
  }
  run.seconds = since(start);
  store.finish_run(run.run_id, "done", run_summary_json(run).dump());
  return run;
}

}  // namespace joindots::link
