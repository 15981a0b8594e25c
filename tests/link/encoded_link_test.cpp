// Linkage on encodings end to end (issue 16, item 3): a small simulated country encoded at
// source, ingested, linked on its encodings, and set against the same country linked in
// plaintext and against the simulator's truth; the stages after link run on the result.
#include "link/encoded_link.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "encode/candidates.hpp"
#include "encode/dice.hpp"
#include "encode/encode_file.hpp"
#include "ingest/ingest.hpp"
#include "link/encoded_compare.hpp"
#include "questions/four_questions.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots::link {
namespace {

using testing::TempDir;

const char* const kSecret = testing::kTestSecret;

using testing::csv_files;

const RoleRun& victims(const StoreLinkRun& run) {
  for (const auto& rr : run.roles)
    if (rr.role == Role::victim) return rr;
  throw std::runtime_error("no victims in the run");
}

// One country (scale 0.2, seed 16), linked once in plaintext and once on its encodings.
class EncodedLink : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const std::filesystem::path sim_out = testing::simulate_and_encode(dir_->path(), 0.2, 16);
    const SimulatedTruth truth = read_simulated_truth(sim_out);
    plain_ = new SqliteStore(dir_->path() / "plain.db", true);
    for (const auto& f : csv_files(sim_out / "agencies")) ingest_file(*plain_, testing::test_areas(), f);
    encoded_ = new SqliteStore(dir_->path() / "encoded.db", true);
    for (const auto& f : csv_files(dir_->path() / "encoded")) ingest_file(*encoded_, testing::test_areas(), f);
    StoreLinkOptions lo;
    lo.truth = truth;
    plain_run_ = new StoreLinkRun(link_store(*plain_, LinkSettings{}, lo));
    encoded_run_ = new StoreLinkRun(link_store(*encoded_, LinkSettings{}, lo));
  }
  static void TearDownTestSuite() {
    delete plain_run_;
    delete encoded_run_;
    delete plain_;
    delete encoded_;
    delete dir_;
  }
  static std::filesystem::path sim_dir() { return dir_->path() / "sim"; }
  static questions::QuestionsOptions estimate_options() {
    questions::QuestionsOptions o;
    o.estimate.bootstrap_replicates = 100;
    o.estimate.method = estimate::Method::LogLinear;
    o.linkage_draws = 5;  // enough to run the draws on the saved pairs and hard values
    o.thresholds.clear();
    return o;
  }
  static TempDir* dir_;
  static SqliteStore *plain_, *encoded_;
  static StoreLinkRun *plain_run_, *encoded_run_;
};
TempDir* EncodedLink::dir_ = nullptr;
SqliteStore* EncodedLink::plain_ = nullptr;
SqliteStore* EncodedLink::encoded_ = nullptr;
StoreLinkRun* EncodedLink::plain_run_ = nullptr;
StoreLinkRun* EncodedLink::encoded_run_ = nullptr;

TEST_F(EncodedLink, VictimsLinkNearlyAsWellAsInPlaintext) {
  const auto& plain = victims(*plain_run_);
  const auto& enc = victims(*encoded_run_);
  ASSERT_TRUE(plain.evaluation && enc.evaluation);
  ASSERT_GT(enc.records, 2000u);
  EXPECT_EQ(enc.records, plain.records);
  // Issue 16's acceptance: F1 within 0.01 of plaintext, persons within 1% of the truth.
  EXPECT_NEAR(enc.evaluation->f1, plain.evaluation->f1, 0.01)
      << "encoded " << enc.evaluation->f1 << ", plaintext " << plain.evaluation->f1;
  EXPECT_LT(std::abs(enc.evaluation->entity_count_error), 0.01) << enc.evaluation->entity_count_error;
  // The candidates hold almost every true pair (tokens and LSH: 0.998 measured on the
  // default country).
  ASSERT_TRUE(enc.blocking_recall);
  EXPECT_GT(enc.blocking_recall->recall, 0.99);
  // The pairs an NHS number token labels judge the fits with u fixed at random pairs' and
  // with u among the candidates: on the simulator's country, whose records' fields err
  // independently, the fit with u fixed errs on fewer of them and is kept (the independent
  // generator's common names reverse it: tests/independent_country_test.py --encoded).
  const auto& silver = enc.diagnostics_extra["encoded"]["silver_standard"];
  std::printf("[ measured ] silver standard: %.0f matches, %.0f non-matches; errors u fixed %.0f, u among "
              "candidates %.0f\n",
              silver["matches"].get<double>(), silver["non_matches"].get<double>(),
              silver["errors_u_fixed"].get<double>(), silver["errors_u_among_candidates"].get<double>());
  EXPECT_GT(silver["matches"].get<double>(), 100);
  EXPECT_GT(silver["non_matches"].get<double>(), 100);
  EXPECT_LT(silver["errors_u_fixed"].get<double>(), silver["errors_u_among_candidates"].get<double>());
  EXPECT_EQ(enc.diagnostics_extra["encoded"]["em_u"], "fixed");
  // The model learned that a shared NHS number token is strong evidence and a different
  // one strong evidence against, as plaintext does of the numbers themselves.
  const auto& m = enc.result.model;
  ASSERT_EQ(m.m.size(), kEncodedComparisons);
  EXPECT_GT(std::log2(m.m[1][2] / m.u[1][2]), 5);
  EXPECT_LT(std::log2(m.m[1][1] / m.u[1][1]), -2);
}

const RoleRun& role_run(const StoreLinkRun& run, Role role) {
  for (const auto& rr : run.roles)
    if (rr.role == role) return rr;
  throw std::runtime_error("no such role in the run");
}

TEST_F(EncodedLink, SuspectsAndAssociatesTakeTheVictimsMatchModel) {
  // The victims fit m themselves; the roles after them take it and fit only their share of
  // matches (households of suspects and associates made a match class of their own).
  EXPECT_EQ(role_run(*encoded_run_, Role::victim).diagnostics_extra["encoded"]["em_m"], "fitted");
  // Many agencies' files, no limit of one record a source: the one-to-one mode does not apply.
  for (const auto& rr : encoded_run_->roles) EXPECT_EQ(rr.diagnostics_extra["encoded"]["em_mode"], "standard");
  for (Role role : {Role::suspect, Role::associate}) {
    const auto& enc = role_run(*encoded_run_, role);
    const auto& plain = role_run(*plain_run_, role);
    EXPECT_EQ(enc.diagnostics_extra["encoded"]["em_m"], "victims") << to_string(role);
    EXPECT_EQ(enc.result.model.m, role_run(*encoded_run_, Role::victim).result.model.m) << to_string(role);
    ASSERT_TRUE(enc.evaluation && plain.evaluation);
    // Measured on this country (2026-12-03): suspects 0.829 (plaintext 0.867), associates
    // 0.697 (0.812); the default country's 0.918 and 0.851 against 0.933 and 0.940.
    std::printf("[ measured ] %s: encoded F1 %.4f, plaintext %.4f\n", std::string(to_string(role)).c_str(),
                enc.evaluation->f1, plain.evaluation->f1);
    EXPECT_GT(enc.evaluation->f1, plain.evaluation->f1 - 0.15) << to_string(role);
  }
}

TEST_F(EncodedLink, TheLatentClassModelOfAreaPairsEstimatesTheLinksLeftApartAsInPlaintext) {
  // The true links the run left apart (link/missed_links.hpp), on the encodings' comparisons:
  // the share of the true pairs the run holds apart is 1 - pair recall.
  for (const auto* run : {plain_run_, encoded_run_}) {
    const auto& v = victims(*run);
    ASSERT_TRUE(v.evaluation);
    const auto& m = v.result.missed_links;
    std::printf("[ measured ] %s: area pairs %lld, implied matches %.0f, linked %lld, rate %.4f; pairs apart %.4f\n",
                run == plain_run_ ? "plaintext" : "encoded", static_cast<long long>(m.area_pairs), m.implied_matches,
                static_cast<long long>(m.linked), m.rate(), 1 - v.evaluation->recall);
    ASSERT_TRUE(m.estimated());
    EXPECT_EQ(m.pairs_compared, m.area_pairs);  // a small country: every pair of an area
    EXPECT_NEAR(m.rate(), 1 - v.evaluation->recall, 0.01);
    // The model's matches are about the run's linked pairs within an area (well linked here).
    EXPECT_NEAR(m.implied_matches, static_cast<double>(m.linked), 0.05 * static_cast<double>(m.linked));
  }
}

// 2,000 records in 200 places of 10: each place's records share a token of
// blk_family_district, and each record has a twin in its place (an identical CLK of some 200
// random bits); other CLKs share few bits. The candidates are the 9,000 pairs within places:
// 1,000 twins, 8,000 neighbours. Scored by how rarely random pairs share the token (1 in 222),
// the neighbours' token looks like a match, and EM with u fixed calls nearly all candidates
// matches: the collapse the guard of fit_encoded_model is for.
EncodedRole places_of_twins() {
  EncodedRole d;
  d.orgs = {"org"};
  std::mt19937_64 rng(11);
  std::vector<std::uint64_t> clk(16);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    Record r;
    r.record_id = std::to_string(i);
    r.source_org = "org";
    r.event_date = Date{2020, 1, 1};
    r.sex = Sex::M;
    d.records.push_back(r);
    d.record_pk.push_back(i + 1);
    d.source.push_back(0);
    if (i % 2 == 0) {  // a new person: about 200 of the 1,024 bits
      std::fill(clk.begin(), clk.end(), 0);
      for (int b = 0; b < 220; ++b) {
        const auto bit = rng() % 1024;
        clk[bit / 64] |= std::uint64_t{1} << (bit % 64);
      }
    }
    d.input.clks.insert(d.input.clks.end(), clk.begin(), clk.end());
    d.clk_weight.push_back(encode::filter_weight(clk.data(), clk.size()));
    d.input.tokens.push_back({{1000 + i / 10, 12}});  // blk_family_district of the place
    d.age_band.emplace_back("unknown");
  }
  d.input.words = 16;
  return d;
}

TEST(EncodedModelGuard, AMatchClassOfWhatCandidatesShareIsRefittedOrSaid) {
  ASSERT_EQ(encode::kTokenColumns[12].column, "blk_family_district");
  const EncodedRole d = places_of_twins();
  StoreLinkOptions options;
  options.quiet = true;
  options.truth = SimulatedTruth{};
  for (std::uint32_t i = 0; i < d.size(); ++i)
    options.truth->person_of[{"org", d.records[i].record_id}] = std::to_string(i / 2);
  auto run = [&](bool fix_u) {
    LinkConfig config;
    config.hard_fields.clear();
    config.em_fix_u = fix_u;
    encode::Candidates cand;
    return link_encoded_records(d, Role::victim, config, options, cand);
  };
  // u fixed, as model.em_fix_u = 1 keeps it: the share is most candidates and the run says so.
  const RoleRun fixed = run(true);
  EXPECT_GT(fixed.result.model.lambda_candidates, 0.5);
  const double among = fixed.diagnostics_extra["encoded"]["match_share_u_among_candidates"].get<double>();
  EXPECT_NEAR(among, 1000.0 / 9000.0, 0.03);  // the twins' share of the candidates
  ASSERT_EQ(fixed.result.warnings.size(), 1u);
  EXPECT_EQ(fixed.result.warnings[0].code, "match_share");
  EXPECT_NE(fixed.result.warnings[0].message.find("em_fix_u"), std::string::npos);
  // The stage's default: at 4.5 matching pairs a record the first rule (over 5) does not act;
  // the guard fits u among the candidates, and the twins, and only they, are linked.
  const RoleRun guarded = run(false);
  EXPECT_EQ(guarded.diagnostics_extra["encoded"]["em_u"], "fitted");
  EXPECT_NEAR(guarded.result.model.lambda_candidates, 1000.0 / 9000.0, 0.03);
  EXPECT_TRUE(guarded.result.warnings.empty());
  ASSERT_TRUE(guarded.evaluation && fixed.evaluation);
  EXPECT_GT(guarded.evaluation->f1, 0.99);
  EXPECT_EQ(guarded.evaluation->found_entities, 1000);
  std::printf("[ measured ] u fixed: share %.3f, F1 %.4f; guarded: share %.3f, F1 %.4f\n",
              fixed.result.model.lambda_candidates, fixed.evaluation->f1, guarded.result.model.lambda_candidates,
              guarded.evaluation->f1);
}

TEST(EncodedTermFrequencies, ARareSharedTokenWeighsMoreByTheRatioOfItsHolders) {
  // 40 records with equal CLKs: records 0 and 1 alone hold token A of blk_names, records
  // 2-21 all hold token B of the same column. Pairs (0, 1) and (2, 3) have the same
  // comparison pattern; the term-frequency adjustment gives the first log2(20 / 2) more.
  EncodedRole d;
  d.orgs = {"org"};
  const std::uint16_t names = 9;  // blk_names in kTokenColumns
  ASSERT_EQ(encode::kTokenColumns[names].column, "blk_names");
  for (std::uint32_t i = 0; i < 40; ++i) {
    Record r;
    r.record_id = std::to_string(i);
    r.source_org = "org";
    r.event_date = Date{2020, 1, 1};
    d.records.push_back(r);
    d.record_pk.push_back(i + 1);
    d.source.push_back(0);
    std::vector<std::uint64_t> clk(16, 0x0f0f0f0f0f0f0f0fULL);
    d.input.clks.insert(d.input.clks.end(), clk.begin(), clk.end());
    d.clk_weight.push_back(16 * 32);
    auto& tokens = d.input.tokens.emplace_back();
    if (i < 2) tokens.push_back({111, names});
    else if (i < 22) tokens.push_back({222, names});
    else tokens.push_back({1000 + i, names});
    d.age_band.emplace_back("unknown");
  }
  LinkConfig config;
  config.hard_fields.clear();
  StoreLinkOptions options;
  options.quiet = true;
  options.pair_floor = 0;
  encode::Candidates cand;
  const RoleRun rr = link_encoded_records(d, Role::victim, config, options, cand);
  auto weight_of = [&](std::uint32_t a, std::uint32_t b) {
    for (const auto& p : rr.result.pairs)
      if (p.a == a && p.b == b) return static_cast<double>(p.weight);
    ADD_FAILURE() << "pair " << a << "-" << b << " not scored";
    return 0.0;
  };
  EXPECT_NEAR(weight_of(0, 1) - weight_of(2, 3), std::log2(20.0 / 2.0), 1e-4);
  EXPECT_NEAR(weight_of(2, 3), weight_of(4, 21), 1e-6);  // the same token, the same weight
}

TEST(EncodedPatterns, TheDiceIsComparedApartWithoutADateOfBirthAndNotAtAllOnAFewBits) {
  // Records 0-2 hold the same CLK of 256 bits, record 3 and 4 the same of 64 bits (a
  // nickname and sex), record 5 one of 128 bits (kMinDiceWeight, compared); records 0, 1,
  // 3 and 4 hold a full date of birth (a blk_dob token).
  EncodedRole d;
  d.orgs = {"org"};
  const std::uint16_t dob = kDobTokenColumn;
  ASSERT_EQ(encode::kTokenColumns[dob].column, "blk_dob");
  const std::uint64_t wide = 0xffffffffULL;  // 32 bits a word
  for (std::uint32_t i = 0; i < 6; ++i) {
    Record r;
    r.record_id = std::to_string(i);
    r.source_org = "org";
    r.event_date = Date{2020, 1, 1};
    d.records.push_back(r);
    d.record_pk.push_back(i + 1);
    d.source.push_back(0);
    std::vector<std::uint64_t> clk(16, 0);
    const std::size_t words = i < 3 ? 8 : i < 5 ? 2 : 4;
    for (std::size_t w = 0; w < words; ++w) clk[w] = wide;
    d.input.clks.insert(d.input.clks.end(), clk.begin(), clk.end());
    d.clk_weight.push_back(encode::filter_weight(clk.data(), clk.size()));
    auto& tokens = d.input.tokens.emplace_back();
    if (i != 2 && i != 5) tokens.push_back({7, dob});
    d.age_band.emplace_back("unknown");
  }
  d.input.words = 16;
  ASSERT_EQ(d.clk_weight[0], 256u);
  ASSERT_EQ(d.clk_weight[3], 64u);
  ASSERT_EQ(d.clk_weight[5], kMinDiceWeight);
  const EncodedComparer cmp(d, 1);
  const int top = encode::kDiceLevels - 1;
  auto levels = [&](std::uint32_t a, std::uint32_t b) {
    const Pattern p = encoded_pattern(d, a, b);
    EXPECT_EQ(cmp.pattern(a, b), p) << a << "-" << b;
    return std::pair(level_of(p, kDiceComparison), level_of(p, kDiceWithoutDobComparison));
  };
  EXPECT_EQ(levels(0, 1), std::pair(top, 0));  // both dated: the Dice of dated filters
  EXPECT_EQ(levels(0, 2), std::pair(0, top));  // one undated: the other Dice comparison
  EXPECT_EQ(levels(3, 4), std::pair(0, 0));    // 64 bits each: no Dice compared
  EXPECT_EQ(levels(0, 3), std::pair(0, 0));    // one filter of 64 bits
  // 128 bits and 256: compared (2 x 128 / 384 = 0.667), undated.
  EXPECT_EQ(levels(0, 5), std::pair(0, encode::dice_level(2.0 * 128 / 384, false)));
  EXPECT_EQ(encoded_comparison_name(kDiceWithoutDobComparison), "clk_dice_without_dob");
  EXPECT_EQ(encoded_levels()[kDiceWithoutDobComparison], static_cast<std::size_t>(encode::kDiceLevels));
  EXPECT_EQ(level_of(encoded_pattern(d, 0, 1), kSexComparison), 0);  // sex unknown on both
}

TEST_F(EncodedLink, TheComparersLayoutGivesThePatternsAndTermFrequenciesOfTheRecords) {
  // The stage compares through EncodedComparer (tokens packed, holders counted per token);
  // set against encoded_pattern on the records themselves and holders counted here, on the
  // candidate pairs (many tokens shared) and on random pairs (few).
  const EncodedRole d = read_encoded_role(*encoded_, Role::victim, true);
  ASSERT_GT(d.size(), 1000u);
  const EncodedComparer cmp(d, 2);
  std::map<encode::Token, std::uint32_t> holders;
  for (const auto& tokens : d.input.tokens)
    for (std::size_t i = 0; i < tokens.size(); ++i)
      if (i == 0 || !(tokens[i] == tokens[i - 1])) ++holders[tokens[i]];
  encode::CandidateOptions copt;
  copt.blocking_columns = kEncodedBlockingColumns;
  auto pairs = encode::find_candidates(d.input, copt).pairs;
  ASSERT_GT(pairs.size(), 5'000u);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10'000; ++i)
    pairs.emplace_back(static_cast<std::uint32_t>(rng() % d.size()), static_cast<std::uint32_t>(rng() % d.size()));
  std::size_t shared_tokens = 0;
  for (const auto& [a, b] : pairs) {
    ASSERT_EQ(cmp.pattern(a, b), encoded_pattern(d, a, b)) << a << "-" << b;
    std::array<std::uint32_t, EncodedComparer::kColumns> rarest{};
    for (const auto& t : d.input.tokens[a])
      if (std::find(d.input.tokens[b].begin(), d.input.tokens[b].end(), t) != d.input.tokens[b].end()) {
        auto& r = rarest[t.column];
        r = r == 0 ? holders.at(t) : std::min(r, holders.at(t));
        ++shared_tokens;
      }
    ASSERT_EQ(cmp.rarest_shared(a, b), rarest) << a << "-" << b;
  }
  EXPECT_GT(shared_tokens, pairs.size());  // candidates share tokens: the merge was exercised
}

TEST_F(EncodedLink, SavesPersonsPairsAndDiagnosticsAsPlaintextDoes) {
  const auto run_id = encoded_->latest_link_run(Role::victim);
  ASSERT_TRUE(run_id);
  EXPECT_EQ(*run_id, encoded_run_->run_id);
  std::int64_t records = 0, persons = 0, pairs = 0;
  std::map<std::int64_t, int> person_records;
  encoded_->for_each_linked_record(*run_id, Role::victim, [&](const LinkedRecord& r) {
    ++records;
    ++person_records[r.person_id];
  });
  encoded_->for_each_linked_person(*run_id, Role::victim, [&](const LinkedPerson& p, const std::optional<Date>&) {
    ++persons;
    EXPECT_EQ(p.records, person_records[p.person_id]);
  });
  encoded_->for_each_link_pair(*run_id, Role::victim, [&](const LinkedPair& p) {
    ++pairs;
    EXPECT_GE(p.probability, 0.05);
  });
  const auto& enc = victims(*encoded_run_);
  EXPECT_EQ(records, static_cast<std::int64_t>(enc.records));
  EXPECT_EQ(persons, static_cast<std::int64_t>(enc.persons.size()));
  EXPECT_GT(pairs, records / 2);
  // Age bands come from the encodings (no date of birth is stored): most persons have one.
  std::int64_t banded = 0;
  for (const auto& p : enc.persons) banded += p.age_band != "unknown";
  EXPECT_GT(banded, static_cast<std::int64_t>(enc.persons.size()) * 8 / 10);
  bool saw_diagnostics = false;
  for (const auto& d : encoded_->latest_link_diagnostics()) {
    if (d.role != Role::victim) continue;
    saw_diagnostics = true;
    const auto j = nlohmann::json::parse(d.diagnostics_json);
    EXPECT_EQ(j["model"]["fields"].size(), kEncodedComparisons);
    EXPECT_EQ(j["model"]["fields"][0]["field"], "clk_dice");
    EXPECT_TRUE(j["encoded"]["scheme"].get<std::string>().starts_with("joindots-clk-2/"));
    EXPECT_EQ(nlohmann::json::parse(d.params_json)["hard_fields"], nlohmann::json::array({"nhs_number"}));
  }
  EXPECT_TRUE(saw_diagnostics);
}

TEST_F(EncodedLink, EstimateFallsInThePlaintextIntervalAndNetworksRun) {
  const auto plain = questions::answer_four_questions(*plain_, testing::test_areas(), estimate_options());
  const auto enc = questions::answer_four_questions(*encoded_, testing::test_areas(), estimate_options());
  EXPECT_NEAR(static_cast<double>(enc.victims.known), static_cast<double>(plain.victims.known),
              0.02 * static_cast<double>(plain.victims.known));
  EXPECT_GE(enc.victims.estimate, plain.victims.interval.low);
  EXPECT_LE(enc.victims.estimate, plain.victims.interval.high);
  const auto r = testing::run_cli("networks --quiet --db '" + (dir_->path() / "encoded.db").string() + "' --truth '" +
                                  sim_dir().string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(EncodedLink, ClericalDecisionsAreHonoured) {
  // Two victims' records the run put in one person, and two in different persons: a
  // reviewer says the first are different people and the second the same one.
  std::map<std::int64_t, std::vector<LinkedRecord>> by_person;
  encoded_->for_each_linked_record(encoded_run_->run_id, Role::victim,
                                   [&](const LinkedRecord& r) { by_person[r.person_id].push_back(r); });
  // The two joined must not hold different NHS number tokens (the hard rule outranks a
  // reviewer's match, as in plaintext): records without one.
  std::map<std::int64_t, std::string> nhs_token;
  for_each_hard_values(*encoded_, Role::victim, {Field::nhs_number},
                       [&](std::int64_t pk, std::vector<std::string> v) { nhs_token[pk] = v.at(0); });
  const LinkedRecord *apart_a = nullptr, *apart_b = nullptr, *join_a = nullptr, *join_b = nullptr;
  for (const auto& [person, records] : by_person) {
    const bool no_nhs = records.size() == 1 && nhs_token.at(records[0].record_pk).empty();
    if (records.size() == 2 && !apart_a) apart_a = &records[0], apart_b = &records[1];
    else if (no_nhs && !join_a) join_a = &records[0];
    else if (no_nhs && !join_b) join_b = &records[0];
  }
  ASSERT_TRUE(apart_a && join_b);
  TempDir dir;
  testing::write_file(dir / "decisions.csv",
                      "source_a,id_a,source_b,id_b,decision\n" + apart_a->source_org + "," + apart_a->record_id + "," +
                          apart_b->source_org + "," + apart_b->record_id + ",non_match\n" + join_a->source_org + "," +
                          join_a->record_id + "," + join_b->source_org + "," + join_b->record_id + ",match\n");
  TempDir copy;
  std::filesystem::copy_file(dir_->path() / "encoded.db", copy / "hub.db");
  const auto r = testing::run_cli("link --quiet --json --role victim --db '" + (copy / "hub.db").string() +
                                  "' --decisions '" + (dir / "decisions.csv").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["roles"][0]["decisions_applied"], 2);
  SqliteStore store(copy / "hub.db", false);
  std::map<std::pair<std::string, std::string>, std::int64_t> person;
  store.for_each_linked_record(*store.latest_link_run(Role::victim), Role::victim,
                               [&](const LinkedRecord& lr) { person[{lr.source_org, lr.record_id}] = lr.person_id; });
  auto of = [&](const LinkedRecord* lr) { return person.at({lr->source_org, lr->record_id}); };
  EXPECT_NE(of(apart_a), of(apart_b));
  EXPECT_EQ(of(join_a), of(join_b));
}

TEST_F(EncodedLink, SettingsEncodingsCannotFollowAreUsageErrors) {
  TempDir copy;
  std::filesystem::copy_file(dir_->path() / "encoded.db", copy / "hub.db");
  SqliteStore store(copy / "hub.db", false);
  for (const char* toml : {"[compare]\nfields = [\"given_name\", \"dob\"]\n", "[blocking]\nrules = [[\"dob\"]]\n",
                           "[cluster]\nhard_fields = [\"dob\"]\n", "[model]\nem_sessions = 0\n"}) {
    try {
      link_store(store, parse_link_settings(toml, "test.toml"), StoreLinkOptions{});
      ADD_FAILURE() << "accepted: " << toml;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("encod"), std::string::npos) << e.what();
    }
  }
  // A hard rule on another identifier is what encodings can follow.
  StoreLinkOptions lo;
  lo.roles = {Role::suspect};
  EXPECT_NO_THROW(link_store(store, parse_link_settings("[cluster]\nhard_fields = [\"pnc_id\"]\n", "t.toml"), lo));
}

}  // namespace
}  // namespace joindots::link
