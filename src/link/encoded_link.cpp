// Linkage on encodings, the stage (link/encoded_link.hpp): candidates, comparisons, the
// Fellegi-Sunter fit, clerical decisions, clustering, persons and the saved run.
#include "link/encoded_link.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <array>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "link/encoded_model.hpp"
#include "link/missed_links.hpp"
#include "link/structure.hpp"

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
                        {"u", (model.u_candidates.empty() ? model.u : model.u_candidates)[k][l]},
                        {"weight", model.level_weight[k][l]}});
    fields.push_back({{"field", encoded_comparison_name(k)},
                      {"comparator", k == kDiceComparison || k == kDiceWithoutDobComparison ? "dice"
                                     : k == kSexComparison                                     ? "exact"
                                                                                               : "token"},
                      {"tf_adjust", k > 0 && k < kSexComparison &&
                                        encode::kTokenColumns[k - 1].column.starts_with("blk_")},
                      {"levels", levels}});
  }
  nlohmann::json blocking = nlohmann::json::array();
  blocking.push_back({{"rule", fmt::format("a token shared in one of {} columns (the compared ones but blk_dob), or "
                                           "the CLKs' bits equal in one of {} LSH bands of {} bits",
                                           std::popcount(kEncodedBlockingColumns), kEncodedLshBands, lsh_bits)},
                      {"pairs_implied", cand.pairs_in_blocks},
                      {"pairs_new", static_cast<std::int64_t>(cand.pairs.size())},
                      {"blocks_skipped", cand.blocks_skipped}});
  return {{"model", {{"fields", fields}}},
          {"blocking", blocking},
          {"encoded",
           {{"lsh_bands", kEncodedLshBands},
            {"lsh_bits", lsh_bits},
            {"em_u", model.u_fitted ? "fitted" : "fixed"},
            {"match_share_u_among_candidates", model.lambda_u_candidates},
            {"silver_standard",
             {{"matches", model.silver_pairs[0]},
              {"non_matches", model.silver_pairs[1]},
              {"errors_u_fixed", model.silver_errors[0]},
              {"errors_u_among_candidates", model.silver_errors[1]}}},
            {"em_m", model.m_pooled ? "victims" : "fitted"},
            {"em_mode", model.one_to_one ? "one_to_one" : "standard"},
            {"one_to_one", model.one_to_one},
            {"one_to_one_basis", model.one_to_one_basis},
            {"within_source_duplicate_rate", model.within_source_duplicate_rate},
            {"one_to_one_assigned", model.one_to_one_assigned}}}};
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
  // Two files of one record a person: the one-to-one mode (encoded_model.hpp), on the pairs
  // across the files; learned, it is kept only when each file's pairs within it are not
  // matches, else the pairs within go back and the standard fit is made on all.
  const OneToOneBasis basis = one_to_one_basis(d, config);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> within;
  if (basis != OneToOneBasis::none) within = split_within_source(d, cand);
  res.candidate_pairs = static_cast<std::int64_t>(cand.pairs.size());
  res.seconds.block = since(t);
  phases.end("candidates");
  t = Clock::now();
  const EncodedComparer cmp(d, res.threads);
  phases.end("layout");
  std::vector<Pattern> patterns = compare_candidates(cmp, cand, res.threads, options.quiet);
  res.seconds.compare = since(t);
  phases.end("compare");
  t = Clock::now();
  LinkConfig cfg = config;  // max_per_source 1 when the one-to-one mode is learned
  EncodedModel model;
  if (basis != OneToOneBasis::none) {
    model = fit_one_to_one_model(d, cmp, cand, patterns, config, res.threads);
    model.tf = &cmp;
    model.one_to_one_basis = basis == OneToOneBasis::config ? "max_per_source = 1" : "learned";
    if (basis == OneToOneBasis::learned) {
      model.within_source_duplicate_rate = within_source_duplicate_rates(
          d, cmp, within, model, static_cast<double>(cand.pairs.size()), config.threshold);
      if (std::ranges::all_of(model.within_source_duplicate_rate, [](double r) { return r < kOnePerPersonRate; })) {
        cfg.max_per_source = 1;
      } else {
        const std::vector<double> rates = std::move(model.within_source_duplicate_rate);
        cand.pairs.insert(cand.pairs.end(), within.begin(), within.end());
        std::sort(cand.pairs.begin(), cand.pairs.end());
        res.candidate_pairs = static_cast<std::int64_t>(cand.pairs.size());
        patterns = compare_candidates(cmp, cand, res.threads, options.quiet);
        model = fit_encoded_model(d, cmp, patterns, config, res.threads, pooled_m);
        model.within_source_duplicate_rate = rates;
      }
    }
  } else {
    model = fit_encoded_model(d, cmp, patterns, config, res.threads, pooled_m);
  }
  model.tf = &cmp;
  if (!model.implausible.empty())
    res.warnings.push_back({"match_share", model.implausible,
                            "the keyed tokens and the CLK's Dice of candidate pairs agree together (relatives at one "
                            "address, common names in one place), and with u fixed EM took that for the match class",
                            "leave model.em_fix_u at 0 (u is then fitted among the candidates), or check the links "
                            "against known pairs"});
  if (!model.namesakes.empty())
    res.warnings.push_back(
        {"namesakes", model.namesakes,
         "many children share a common name, and agreeing names count several times on the encodings (the names' "
         "tokens, the name-and-date tokens, the Dice), which random pairs cannot show: with u fixed EM took namesakes "
         "for matches",
         "model.em_silver_standard = 1 lets the labelled pairs choose the fit with u among the candidates (fewer "
         "false links, more missed ones: docs/linkage.md \"Linkage on encodings\")"});
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
  res.cluster_stats = cluster_encoded(d, cmp, res.pairs, model, cfg, res.usual_cluster_size);
  res.cluster = res.cluster_stats.cluster;
  res.clusters = res.cluster_stats.clusters;
  res.seconds.cluster = since(t);
  phases.end("cluster");
  rr.persons = encoded_persons(d, res.cluster_stats);
  phases.end("persons");
  t = Clock::now();
  {
    // The true links the run left apart (link/missed_links.hpp), on the encodings' comparisons.
    std::vector<std::string> area(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) area[i] = d.records[i].lad_cd;
    std::vector<std::size_t> identifiers;  // the hard fields' token comparisons
    for (Field f : config.hard_fields) identifiers.push_back(1 + identifier_token_column(f));
    res.missed_links = estimate_missed_links(
        area, [&](std::uint32_t a, std::uint32_t b) { return cmp.pattern(a, b); }, model.m, model.u, config,
        identifiers, res.pairs, res.cluster, res.threads);
  }
  res.seconds.missed_links = since(t);
  phases.end("missed links");
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
