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
  // The model learned that a shared NHS number token is strong evidence and a different
  // one strong evidence against, as plaintext does of the numbers themselves.
  const auto& m = enc.result.model;
  ASSERT_EQ(m.m.size(), kEncodedComparisons);
  const std::size_t nhs = kFirstTokenComparison;
  ASSERT_EQ(encoded_comparison_name(nhs), "tok_nhs_number");
  EXPECT_GT(std::log2(m.m[nhs][2] / m.u[nhs][2]), 5);
  EXPECT_LT(std::log2(m.m[nhs][1] / m.u[nhs][1]), -2);
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

TEST(EncodedPatterns, EachFieldsDiceIsComparedFromItsOwnBitsAndNamesCrosswise) {
  // 1,024-bit filters of scheme joindots-clk-3: word w is the w-th sixteenth, the given name's
  // bits words 0, 1, 8, 9, the family name's 2, 3, 10, 11, the postcode's 4, 5, 12, 13, the date
  // of birth's 6 and 14 (encode::kClkFields). Record 1 is record 0; record 2 has the names the
  // other way round and no date of birth; record 3 half of record 0's given-name bits (and 4 of
  // its own) and no postcode; record 4 record 0's names in the postcode's bits.
  const std::uint64_t given = 0xffULL, family = 0xff00ULL, date = 0xff0000ULL, post = 0xff000000ULL;
  const std::vector<std::array<std::uint64_t, 4>> fields = {// given (word 0), family (2), dob (6), postcode (4)
                                                            {given, family, date, post},
                                                            {given, family, date, post},
                                                            {family, given, 0, post},
                                                            {0x0fULL | 0xf00000000ULL, family, date, 0},
                                                            {0, 0, date, given | family}};
  EncodedRole d;
  d.orgs = {"org"};
  for (std::uint32_t i = 0; i < fields.size(); ++i) {
    Record r;
    r.record_id = std::to_string(i);
    r.source_org = "org";
    r.event_date = Date{2020, 1, 1};
    r.sex = i == 2 ? Sex::F : Sex::M;
    d.records.push_back(r);
    d.record_pk.push_back(i + 1);
    d.source.push_back(0);
    std::vector<std::uint64_t> clk(16, 0);
    clk[0] = fields[i][0], clk[2] = fields[i][1], clk[6] = fields[i][2], clk[4] = fields[i][3];
    clk[7] = 1;  // sex
    d.input.clks.insert(d.input.clks.end(), clk.begin(), clk.end());
    d.clk_weight.push_back(encode::filter_weight(clk.data(), clk.size()));
    d.input.tokens.emplace_back();
    d.age_band.emplace_back("unknown");
  }
  d.input.words = 16;
  const EncodedComparer cmp(d, 1);
  const int top = encode::kDiceLevels - 1;
  using Levels = std::array<int, 5>;  // given, family, dob, postcode, sex
  auto levels = [&](std::uint32_t a, std::uint32_t b) {
    const Pattern p = encoded_pattern(d, a, b);
    EXPECT_EQ(cmp.pattern(a, b), p) << a << "-" << b;
    Levels out{};
    for (std::size_t k = 0; k < 5; ++k) out[k] = level_of(p, k);
    return out;
  };
  EXPECT_EQ(levels(0, 1), (Levels{top, top, top, top, 2}));
  EXPECT_EQ(levels(0, 2), (Levels{top, top, 0, top, 1}));  // the names crosswise; no date on one
  // Given names share 4 of 8 and 8 bits: Dice 0.5, below 0.6; no postcode on one.
  EXPECT_EQ(levels(0, 3), (Levels{encode::dice_level(0.5, false), top, top, 0, 2}));
  // Names in the postcode's bits do not meet the names: the postcode's Dice 2 x 0 / 24.
  EXPECT_EQ(levels(0, 4), (Levels{0, 0, top, encode::dice_level(0, false), 2}));
  EXPECT_EQ(encoded_comparison_name(0), "given_name_dice");
  EXPECT_EQ(encoded_comparison_name(3), "postcode_dice");
  EXPECT_EQ(encoded_comparison_name(kSexComparison), "sex");
  EXPECT_EQ(encoded_comparison_name(kFirstTokenComparison), "tok_nhs_number");
  EXPECT_EQ(token_comparison(kDobTokenColumn), -1);  // blk_dob: what the date's Dice says
  EXPECT_EQ(encoded_levels()[2], static_cast<std::size_t>(encode::kDiceLevels));
  EXPECT_EQ(kEncodedComparisons, kMaxComparisons);
}

TEST(EncodedPatterns, ATokenIsAbsorbedWhereEveryFieldItJoinsAgreesAtTheTopDiceLevel) {
  // blk_family_district (the family name's code and the postcode district) says nothing the
  // family name's and postcode's Dice do not when both are at 0.97+: it is then missing; with
  // either below it is compared. The identifier tokens are compared whatever the Dice.
  const int top = encode::kDiceLevels - 1;
  const auto family_district = static_cast<std::size_t>(token_comparison(12));
  const auto names = static_cast<std::size_t>(token_comparison(9));
  const auto nhs = static_cast<std::size_t>(token_comparison(0));
  ASSERT_EQ(encode::kTokenColumns[12].column, "blk_family_district");
  ASSERT_EQ(encode::kTokenColumns[9].column, "blk_names");
  const std::uint32_t all = 0x7fff, shared = 1u << 12 | 1u << 9 | 1u;
  auto level = [&](std::array<int, kFieldComparisons> dice, std::size_t k, std::uint32_t same) {
    return level_of(encoded_pattern_of(dice, all, same, 2), k);
  };
  EXPECT_EQ(level({top, top, top, top}, family_district, shared), 0);
  EXPECT_EQ(level({top, top, top, top}, names, shared), 0);
  EXPECT_EQ(level({top, top, top, top}, nhs, shared), 2);
  EXPECT_EQ(level({top, top, top, top}, nhs, 0), 1);
  EXPECT_EQ(level({1, top, top, top}, family_district, shared), 0);  // the given name is not in it
  EXPECT_EQ(level({1, top, top, top}, names, shared), 2);
  EXPECT_EQ(level({top, top - 1, top, top}, family_district, shared), 2);  // a typo in the family name
  EXPECT_EQ(level({top, top, top, 3}, family_district, 0), 1);             // another district
  EXPECT_EQ(level({top, top, top, 0}, family_district, shared), 2);        // no postcode on one
  EXPECT_EQ(level({top, top, 2, 4}, kSexComparison, 0), 2);
  EXPECT_EQ(level_of(encoded_pattern_of({top, 2, 0, 5}, all, 0, 1), 1), 2);  // the Dice levels as given
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
    EXPECT_EQ(j["model"]["fields"][0]["field"], "given_name_dice");
    EXPECT_TRUE(j["encoded"]["scheme"].get<std::string>().starts_with("joindots-clk-3/"));
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
