// FEBRL4 encoded and linked on its encodings (issue 16's acceptance: F1 >= 0.99 with only
// given name, surname, suburb and postcode; anonlink 0.997, fastLink 0.941 on plaintext).
//
// FEBRL4 is not in the agency schema, so each record is encoded here rather than by
// `joindots encode`, with the same encoder and keys: given name and surname as the scheme
// encodes them (padded bigrams, their blocking tokens); FEBRL's 4-digit Australian postcode
// written in the UK shape the scheme parses ("4223" -> "X42 2AD": the first two digits the
// district, the third the sector, the fourth the unit), so its parts are CLK elements and
// its tokens; the suburb's padded bigrams added to the CLK under the postcode field's key
// ("s:" before each, so they never meet a postcode part), 8 bits each. No date of birth,
// sex or identifier. The records of both files are then linked by link_encoded_records,
// the stage `link --db` runs on an encoded store, with one record per file in a person
// (the files are one to one: `link --one-per-source on`), and scored against entity_id.
//
// HARDENING (issue 16, item 5) is "none" or hardenings of `joindots encode` joined by '+':
// "fold", "flip-P" (salting needs a sex or a date of birth, which the four fields lack).
// POSTCODE is how the postcode enters the CLK: "uk" (its UK-shaped parts, as above) or
// "digits" (each digit with its position, "p0:4" ..., at POSTCODE_BITS each, under the
// postcode field's key: a changed digit changes one element of four, where it changes up to
// three of the four UK parts); its tokens are the UK-shaped ones either way.
//
// NAMES is "apart" (the scheme's default: given and family names under their own keys) or
// "one-key" (`encode --names-one-key`: both names' bigrams under the given name's key, so
// names recorded the other way round, 340 of FEBRL4's 5,000 true pairs, set the same bits;
// not the default: it costs the noisy simulated countries' suspects, bench/README.md).
//
// A FEBRL3 directory (febrl3.csv, one file with duplicates) is linked as one source
// (deduplication, no one-to-one limit).
//
// Besides the run: the true pairs by Dice level with how many were linked, which fields
// differ in the true pairs below a Dice of 0.6, and (FEBRL4) what anonlink's rule (mutual best
// by Dice above t) makes of the same filters.
//
// usage: joindots_encoded_febrl FEBRL_DIR [SUBURB_BITS] [EM_FIX_U (0 or 1)] [HARDENING]
//        [POSTCODE (uk or digits)] [POSTCODE_BITS] [NAMES (apart or one-key)]
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <map>
#include <cmath>

#include "encoded_febrl_data.hpp"

using namespace joindots;
using bench::Plain;
using bench::kPlainNames;

namespace {

// Where the true pairs (one record of each file per entity) lie by the Dice level of their
// CLKs, and how many of each level the run linked: where recall is lost.
void print_true_pairs_by_dice(const link::EncodedRole& d, const SimulatedTruth& truth,
                              const std::vector<std::uint32_t>& cluster, const std::vector<Plain>& plain) {
  std::map<std::string, std::vector<std::uint32_t>> members;
  for (std::uint32_t i = 0; i < d.size(); ++i)
    members[truth.person_of.at({d.records[i].source_org, d.records[i].record_id})].push_back(i);
  std::array<int, encode::kDiceLevels> pairs{}, linked{};
  std::array<int, 4> missing{}, differ{};
  std::array<int, 5> fields_off{};
  const std::size_t w = d.input.words;
  for (const auto& [entity, m] : members)
    for (std::size_t x = 0; x < m.size(); ++x)
      for (std::size_t y = x + 1; y < m.size(); ++y) {
        std::uint16_t shared = 0;
        encode::and_counts(d.input.clks.data() + m[x] * w, d.input.clks.data() + m[y] * w, 1, w, &shared);
        const double dice = encode::dice_from_counts(shared, d.clk_weight[m[x]], d.clk_weight[m[y]]);
        const int level = encode::dice_level(dice, d.clk_weight[m[x]] == 0 || d.clk_weight[m[y]] == 0);
        ++pairs[static_cast<std::size_t>(level)];
        linked[static_cast<std::size_t>(level)] += cluster[m[x]] == cluster[m[y]];
        if (level != 1) continue;  // below 0.6
        int off = 0;
        for (std::size_t f = 0; f < 4; ++f) {
          const auto &a = plain[m[x]][f], &b = plain[m[y]][f];
          if (a.empty() || b.empty()) ++missing[f], ++off;
          else if (a != b) ++differ[f], ++off;
        }
        ++fields_off[static_cast<std::size_t>(off)];
      }
  fmt::print("true pairs by Dice level (linked / all):");
  for (int l = 0; l < encode::kDiceLevels; ++l)
    fmt::print(" {} {}/{}", link::encoded_level_name(0, l), linked[static_cast<std::size_t>(l)],
               pairs[static_cast<std::size_t>(l)]);
  fmt::print("\ntrue pairs below 0.6, fields missing in one / different:");
  for (std::size_t f = 0; f < 4; ++f) fmt::print(" {} {}/{}", kPlainNames[f], missing[f], differ[f]);
  fmt::print("; by how many of the four are missing or differ: 0-4 {}\n", fmt::join(fields_off, " "));
}

// What the CLKs alone allow (anonlink's way, an upper bound for the encoding): each record of
// the first file and its best record of the second by Dice, linked when each is the other's
// best and their Dice is at least t; pairwise precision, recall and F1 against the truth.
void print_mutual_best(const link::EncodedRole& d, const SimulatedTruth& truth) {
  std::vector<std::uint32_t> first, second;
  for (std::uint32_t i = 0; i < d.size(); ++i) (d.source[i] == 0 ? first : second).push_back(i);
  const std::size_t w = d.input.words;
  std::vector<std::uint64_t> block;
  std::vector<std::uint32_t> weights;
  for (auto j : second) {
    block.insert(block.end(), d.input.clks.begin() + j * w, d.input.clks.begin() + (j + 1) * w);
    weights.push_back(d.clk_weight[j]);
  }
  std::vector<float> dice(second.size());
  std::vector<std::pair<std::uint32_t, float>> best_of_first(first.size(), {0, -1.0f});
  std::vector<std::pair<std::uint32_t, float>> best_of_second(second.size(), {0, -1.0f});
  for (std::size_t a = 0; a < first.size(); ++a) {
    encode::dice_against_block(d.input.clks.data() + first[a] * w, d.clk_weight[first[a]], block.data(), weights.data(),
                               second.size(), w, dice.data());
    for (std::size_t b = 0; b < second.size(); ++b) {
      if (dice[b] > best_of_first[a].second) best_of_first[a] = {static_cast<std::uint32_t>(b), dice[b]};
      if (dice[b] > best_of_second[b].second) best_of_second[b] = {static_cast<std::uint32_t>(a), dice[b]};
    }
  }
  auto person = [&](std::uint32_t i) { return truth.person_of.at({d.records[i].source_org, d.records[i].record_id}); };
  std::size_t true_pairs = 0;
  std::map<std::string, int> in_first;
  for (auto i : first) ++in_first[person(i)];
  for (auto j : second) true_pairs += in_first.count(person(j));
  fmt::print("mutual best by Dice alone (anonlink's rule; true pairs {}):", true_pairs);
  for (float t : {0.3f, 0.4f, 0.5f, 0.6f, 0.7f}) {
    std::size_t linked = 0, right = 0;
    for (std::size_t a = 0; a < first.size(); ++a) {
      const auto [b, dab] = best_of_first[a];
      if (dab < t || best_of_second[b].first != a) continue;
      ++linked;
      right += person(first[a]) == person(second[b]);
    }
    const double p = linked ? static_cast<double>(right) / static_cast<double>(linked) : 0;
    const double r = static_cast<double>(right) / static_cast<double>(true_pairs);
    fmt::print(" t {:.1f}: F1 {:.4f} (precision {:.4f}, recall {:.4f});", t, p + r > 0 ? 2 * p * r / (p + r) : 0, p, r);
  }
  fmt::print("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return fmt::print(stderr, "usage: {} FEBRL_DIR [SUBURB_BITS] [EM_FIX_U] [HARDENING] [POSTCODE] [POSTCODE_BITS] "
                      "[NAMES]\n", argv[0]), 1;
  const std::filesystem::path dir = argv[1];
  const int suburb_bits = argc > 2 ? std::atoi(argv[2]) : 8;
  const std::string postcode_mode = argc > 5 ? argv[5] : "uk";
  const int postcode_bits = argc > 6 ? std::atoi(argv[6]) : 15;
  const std::string names_mode = argc > 7 ? argv[7] : "apart";
  if (postcode_mode != "uk" && postcode_mode != "digits")
    return fmt::print(stderr, "POSTCODE: uk or digits\n"), 1;
  if (names_mode != "apart" && names_mode != "one-key") return fmt::print(stderr, "NAMES: apart or one-key\n"), 1;
  const auto start = std::chrono::steady_clock::now();
  auto [d, truth, plain, dedup, scheme] =
      bench::encode_febrl(dir, {suburb_bits, argc > 4 ? argv[4] : "none", postcode_mode, postcode_bits, names_mode});
  const double encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  link::LinkConfig config;
  if (!dedup) config.max_per_source = 1;  // one to one files
  config.hard_fields.clear();
  config.em_fix_u = argc > 3 && std::atoi(argv[3]) == 1;
  link::StoreLinkOptions options;
  options.truth = truth;
  options.quiet = true;
  encode::Candidates cand;
  const link::RoleRun rr = link::link_encoded_records(d, Role::victim, config, options, cand);
  const auto& ev = *rr.evaluation;
  fmt::print("{} given name, surname, suburb, postcode encoded (suburb {} bits a bigram, postcode {} at {} bits, "
             "names {}, em_fix_u {}, scheme {}): {} records\n",
             dir.filename().string(), suburb_bits, postcode_mode, postcode_mode == "uk" ? 8 : postcode_bits, names_mode,
             config.em_fix_u ? 1 : 0, scheme, d.size());
  fmt::print("encode {:.1f} s; link {:.1f} s: candidates {} (blocking recall {:.4f}), EM lambda {:.4f}\n",
             encode_seconds, rr.result.seconds.total, cand.pairs.size(), rr.blocking_recall->recall,
             rr.result.model.lambda_candidates);
  fmt::print("pairwise F1 {:.4f} (precision {:.4f}, recall {:.4f}); persons {} against {} true\n", ev.f1,
             ev.precision, ev.recall, ev.found_entities, ev.true_entities);
  fmt::print("match share with u among the candidates too: {:.4f}; EM mode {} ({} pairs assigned one to one)\n",
             rr.diagnostics_extra["encoded"]["match_share_u_among_candidates"].get<double>(),
             rr.diagnostics_extra["encoded"]["em_mode"].get<std::string>(),
             rr.diagnostics_extra["encoded"]["one_to_one_assigned"].get<std::int64_t>());
  for (const auto& w : rr.result.warnings) fmt::print("warning ({}): {}\n", w.code, w.message);
  const auto& m = rr.result.model;
  for (std::size_t k = 0; k < m.m.size(); ++k) {
    fmt::print("  {:<20}", link::encoded_comparison_name(k));
    for (std::size_t l = 1; l < m.m[k].size(); ++l)
      fmt::print(" {} {:+.1f}", link::encoded_level_name(k, static_cast<int>(l)), std::log2(m.m[k][l] / m.u[k][l]));
    fmt::print("\n");
  }
  print_true_pairs_by_dice(d, truth, rr.result.cluster, plain);
  if (!dedup) print_mutual_best(d, truth);
  return 0;
}
