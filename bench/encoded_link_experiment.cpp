// A first measurement of linkage on encodings (issue 16, item 3), before it is built into
// `joindots link`: candidates from tokens and LSH (encode/candidates.hpp), each pair's
// pattern of Dice level, agreement on each token column and sex; u from 1 M random pairs,
// m and lambda by EM with u fixed (link/fellegi_sunter.hpp), clustering with plaintext's
// default threshold 0.5 and cohesion guard 0.5 (no size-aware relaxation, no hard fields),
// evaluated against the simulator's truth as `link --truth` does. An experiment to choose
// the design of item 3, not the stage itself.
//
// usage: joindots_encoded_link_experiment STORE SIM_DIR [role] [lsh_bands] [min_cohesion] [token columns]
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "encode/candidates.hpp"
#include "encode/dice.hpp"
#include "encode/encoder.hpp"
#include "io/csv_reader.hpp"
#include "link/cluster.hpp"
#include "link/evaluate.hpp"
#include "link/fellegi_sunter.hpp"
#include "store/store.hpp"

using namespace joindots;

namespace {

struct Loaded {
  encode::BlockingInput in;
  std::vector<std::uint32_t> weight;
  std::vector<std::string> person, sex;
};

Loaded load(Store& store, const std::filesystem::path& sim, Role role) {
  std::unordered_map<std::string, std::string> person;
  CsvReader truth(sim / "truth" / "records.csv");
  CsvRow row;
  while (truth.next(row)) person[row.fields[0] + '\x1f' + row.fields[1]] = row.fields[2];
  std::map<std::int64_t, std::pair<std::string, std::string>> of_pk;
  store.for_each_record(role, [&](const StoredRecord& r) {
    of_pk[r.record_pk] = {person.at(r.record.source_org + '\x1f' + r.record.record_id), std::string(to_string(r.record.sex))};
  });
  Loaded d;
  store.for_each_encoded_record(role, [&](std::int64_t pk, const EncodedColumns& e) {
    d.person.push_back(of_pk.at(pk).first);
    d.sex.push_back(of_pk.at(pk).second);
    const std::size_t at = d.in.clks.size();
    d.in.clks.resize(at + d.in.words);
    std::memcpy(d.in.clks.data() + at, e.clk.data(), std::min(e.clk.size(), d.in.words * 8));
    d.weight.push_back(static_cast<std::uint32_t>(e.clk_weight));
    d.in.tokens.push_back(encode::tokens_from_json(e.tokens_json));
  });
  return d;
}

// Comparisons: 0 the Dice level, then agreement (missing, else, any token shared) on each
// token column chosen (kTokenColumns indices; default all 13: the best of the sets tried,
// bench/README.md), then sex.
std::vector<std::uint16_t> kTokenColumnOf = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
std::size_t kTokens = 13;
std::vector<std::size_t> kLevels;

int token_level(const Loaded& d, std::uint32_t a, std::uint32_t b, std::uint16_t column) {
  bool has_a = false, has_b = false;
  for (const auto& t : d.in.tokens[a]) has_a |= t.column == column;
  for (const auto& t : d.in.tokens[b]) has_b |= t.column == column;
  if (!has_a || !has_b) return 0;
  for (const auto& ta : d.in.tokens[a])
    if (ta.column == column)
      for (const auto& tb : d.in.tokens[b])
        if (tb == ta) return 2;
  return 1;
}

link::Pattern pattern(const Loaded& d, std::uint32_t a, std::uint32_t b) {
  std::uint16_t shared = 0;
  encode::and_counts(d.in.clks.data() + a * d.in.words, d.in.clks.data() + b * d.in.words, 1, d.in.words, &shared);
  link::Pattern p = static_cast<link::Pattern>(encode::dice_level(encode::dice_from_counts(shared, d.weight[a], d.weight[b]),
                                                                   d.weight[a] == 0 || d.weight[b] == 0));
  for (std::size_t k = 0; k < kTokens; ++k)
    p |= static_cast<link::Pattern>(token_level(d, a, b, kTokenColumnOf[k])) << (4 * (k + 1));
  const bool sex_known = d.sex[a] != "unknown" && d.sex[b] != "unknown";
  p |= static_cast<link::Pattern>(sex_known ? (d.sex[a] == d.sex[b] ? 2 : 1) : 0) << (4 * (kTokens + 1));
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fmt::print(stderr, "usage: {} STORE SIM_DIR [role] [lsh_bands]\n", argv[0]), 1;
  const Role role = *parse_enum<Role>(kRoleNames, argc > 3 ? argv[3] : "victim");
  if (argc > 6) {  // token columns, e.g. 0,1,2,3,9
    kTokenColumnOf.clear();
    for (const char* c = argv[6]; *c;) {
      char* end = nullptr;
      kTokenColumnOf.push_back(static_cast<std::uint16_t>(std::strtoul(c, &end, 10)));
      c = *end ? end + 1 : end;
    }
  }
  kTokens = kTokenColumnOf.size();
  kLevels.assign(kTokens + 2, 3);
  kLevels[0] = encode::kDiceLevels;
  auto store = Store::open(argv[1], false);
  const Loaded d = load(*store, argv[2], role);
  const auto n = static_cast<std::uint32_t>(d.person.size());
  encode::CandidateOptions copt;
  copt.lsh_bands = argc > 4 ? std::atoi(argv[4]) : 10;
  const auto cand = encode::find_candidates(d.in, copt);

  // u from 1,000,000 random pairs; m and lambda by EM on the candidates' pattern counts.
  std::mt19937_64 rng(16);
  std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
  link::LevelProbabilities u(kLevels.size());
  for (std::size_t k = 0; k < kLevels.size(); ++k) u[k].assign(kLevels[k], 1.0);  // Laplace
  for (int i = 0; i < 1'000'000; ++i) {
    const auto a = pick(rng), b = pick(rng);
    if (a == b) continue;
    const auto p = pattern(d, a, b);
    for (std::size_t k = 0; k < kLevels.size(); ++k) u[k][static_cast<std::size_t>(link::level_of(p, k))] += 1;
  }
  for (auto& row : u) {
    double total = 0;
    for (std::size_t l = 1; l < row.size(); ++l) total += row[l];
    for (std::size_t l = 1; l < row.size(); ++l) row[l] /= total;
    row[0] = 1;
  }
  std::unordered_map<link::Pattern, std::int64_t> counts_map;
  std::vector<link::Pattern> patterns;
  for (const auto& [a, b] : cand.pairs) ++counts_map[patterns.emplace_back(pattern(d, a, b))];
  link::PatternCounts counts(counts_map.begin(), counts_map.end());
  link::EmOptions eopt;
  eopt.fix_u = true;
  const auto em = link::em_fit(counts, kLevels, link::initial_m(kLevels), u, 0.3, eopt);
  const double all_pairs = double(n) * (n - 1) / 2;
  const double prior = em.lambda * static_cast<double>(cand.pairs.size()) / all_pairs;
  auto probability_of = [&](link::Pattern p) {
    double w = std::log2(prior / (1 - prior));
    for (std::size_t k = 0; k < kLevels.size(); ++k) {
      const auto l = static_cast<std::size_t>(link::level_of(p, k));
      if (l) w += std::log2(em.m[k][l] / u[k][l]);
    }
    return 1.0 / (1.0 + std::exp2(-w));
  };
  link::ClusterInput in;
  in.records = n;
  for (std::size_t i = 0; i < cand.pairs.size(); ++i) {
    const double pr = probability_of(patterns[i]);
    if (pr >= 0.01) in.pairs.push_back({cand.pairs[i].first, cand.pairs[i].second, 0, static_cast<float>(pr)});
  }
  in.probability = [&](std::uint32_t a, std::uint32_t b) { return probability_of(pattern(d, a, b)); };
  link::ClusterOptions clopt;
  clopt.threshold = 0.5;
  clopt.min_cohesion = argc > 5 ? std::atof(argv[5]) : 0.5;
  const auto clusters = link::cluster_pairs(std::move(in), clopt);
  const auto ev = link::evaluate(clusters.cluster, d.person);
  fmt::print("{} records {}, candidates {} (LSH bands {}), EM lambda {:.4f} in {} iterations\n", to_string(role), n,
             cand.pairs.size(), copt.lsh_bands, em.lambda, em.iterations);
  fmt::print("pairwise F1 {:.4f} (precision {:.4f}, recall {:.4f}); persons {} against {} true ({:+.2f}%)\n", ev.f1,
             ev.precision, ev.recall, ev.found_entities, ev.true_entities, 100 * ev.entity_count_error);
  return 0;
}
