// The four questions end to end on a small simulated country: simulate, ingest, link,
// answer, and compare with the simulator's truth.
#include "questions/four_questions.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "estimate/sparse_rule.hpp"
#include "ingest/ingest.hpp"
#include "link/store_link.hpp"
#include "questions/estimate_run.hpp"
#include "questions/persons.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots::questions {

namespace {

class FourQuestionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto config = simulate::SimConfig::defaults();
    simulate::set_param(config, "scale", 0.5);
    simulate::SimulateOptions sim;
    sim.seed = 11;
    sim.out_dir = dir_->path() / "country";
    simulate::simulate(config, sim, testing::test_areas());
    store_ = new SqliteStore(dir_->path() / "hub.db", true);
    for (const auto& f : std::filesystem::directory_iterator(sim.out_dir / "agencies"))
      ingest_file(*store_, testing::test_areas(), f.path());
    link::StoreLinkOptions lo;
    lo.roles = {Role::victim};
    link::link_store(*store_, link::LinkSettings{}, lo);
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }
  static QuestionsOptions options() {
    QuestionsOptions o;
    o.estimate.bootstrap_replicates = 100;
    o.estimate.method = estimate::Method::LogLinear;
    o.linkage_draws = 0;  // the linkage draws have their own test below
    o.thresholds.clear();
    return o;
  }
  static testing::TempDir* dir_;
  static SqliteStore* store_;
};

testing::TempDir* FourQuestionsTest::dir_ = nullptr;
SqliteStore* FourQuestionsTest::store_ = nullptr;

}  // namespace

TEST_F(FourQuestionsTest, AnswersAreConsistentWithEachOtherAndTheTruth) {
  auto opt = options();
  opt.by = {"region", "sex"};
  const auto a = answer_four_questions(*store_, testing::test_areas(), opt);
  const auto truth = read_simulated_truth(dir_->path() / "country");

  // 1. Known victims never exceed the truth; the estimate recovers part of the unseen.
  EXPECT_GT(a.victims.known, 0);
  EXPECT_LE(a.victims.known, truth.victims * 102 / 100);  // linkage may split a few persons
  EXPECT_GT(a.victims.estimate, static_cast<double>(a.victims.known));
  EXPECT_LE(a.victims.interval.low, a.victims.estimate);
  EXPECT_GE(a.victims.interval.high, a.victims.estimate);
  // Heterogeneous, dependent lists bias plain MSE low; with the heterogeneity terms BIC
  // can choose, the headline interval covers the true total on this country (5,457,
  // 4,989-8,274, against 5,101 when measured) and the estimate is within 15% of it.
  EXPECT_LE(a.victims.interval.low, static_cast<double>(truth.victims));
  EXPECT_GE(a.victims.interval.high, static_cast<double>(truth.victims));
  EXPECT_NEAR(a.victims.estimate / static_cast<double>(truth.victims), 1.0, 0.15);

  // 2. Areas: known <= expected <= 318; Chao2 at least the known count.
  EXPECT_LE(a.areas.known, truth.areas);
  EXPECT_GE(a.areas.estimate, static_cast<double>(a.areas.known));
  EXPECT_LE(a.areas.estimate, 318.0);
  EXPECT_GE(a.areas_chao2, static_cast<double>(a.areas.known));

  // 3. Offences: the known tally is below the truth; the estimate scales with victims.
  EXPECT_GT(a.offences.known, 0);
  EXPECT_LT(a.offences.known, truth.offences);
  EXPECT_NEAR(a.offences.estimate / a.victims.estimate,
              a.offences.interval.high / a.victims.interval.high, 1e-9);
  // It is a floor, below the true tally (which counts offences no agency recorded), and says so
  // beside the figure; the saved run keeps the caution.
  EXPECT_LT(a.offences.estimate, static_cast<double>(truth.offences));
  EXPECT_TRUE(a.offences.caution.starts_with("A floor, not the tally")) << a.offences.caution;
  EXPECT_EQ(FourAnswers::from_json(a.to_json()).offences.caution, a.offences.caution);
  EXPECT_TRUE(a.victims.caution.empty());

  // 4. Still involved: a subset of the known victims.
  EXPECT_LE(a.still_involved.known, a.victims.known);
  EXPECT_GT(a.still_involved.known, 0);

  // Strata: every known person is in exactly one stratum per dimension, including
  // "not recorded", and sparse strata are flagged rather than estimated.
  for (const std::string dim : {"region", "sex"}) {
    std::int64_t sum = 0;
    for (const auto& s : a.strata) {
      if (s.dimension != dim) continue;
      sum += s.observed;
      EXPECT_EQ(s.estimate.has_value(), s.flag.empty()) << dim << " " << s.value;
    }
    EXPECT_EQ(sum, a.victims.known) << dim;
  }
  const auto j = a.to_json();
  for (const char* key : {"victims", "areas", "offences", "still_involved", "strata"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST_F(FourQuestionsTest, SparseForceAreasGetTheirRegionsHiddenFractionLabelledModelBased) {
  // With 100 known persons needed for MSE, most police force areas of this small country are
  // too sparse: each gets known x its region's estimated/known ratio, the region estimated as
  // `--by region` would (the same options, so the same figures).
  auto opt = options();
  opt.min_observed = 100;
  opt.by = {"pfa"};
  const auto by_pfa = answer_four_questions(*store_, testing::test_areas(), opt);
  opt.by = {"region"};
  const auto by_region = answer_four_questions(*store_, testing::test_areas(), opt);
  std::map<std::string, const StratumEstimate*> regions;
  for (const auto& s : by_region.strata) regions[s.value] = &s;
  std::map<std::string, std::string> region_of;
  for (const auto& a : testing::test_areas().all()) region_of[a.pfa_name] = a.region_name;

  int model_based = 0;
  for (const auto& s : by_pfa.strata) {
    if (s.value == "not recorded") {
      EXPECT_FALSE(s.model_based);
      continue;
    }
    const bool sparse = !s.estimate;
    const bool too_wide = s.estimate && s.interval.high / s.interval.low > 10;
    EXPECT_EQ(s.model_based.has_value(), sparse || too_wide) << s.value;
    if (!s.model_based) continue;
    ++model_based;
    const auto* region = regions.at(region_of.at(s.value));
    if (region->estimate && region->interval.high / region->interval.low <= 10) {
      EXPECT_EQ(s.model_based_parent, "region " + region->value);
      const double ratio = *region->estimate / static_cast<double>(region->observed);
      EXPECT_NEAR(*s.model_based, static_cast<double>(s.observed) * ratio, 1e-6 * *s.model_based) << s.value;
      EXPECT_NEAR(s.model_based_interval.high,
                  static_cast<double>(s.observed) * region->interval.high / static_cast<double>(region->observed),
                  1e-6 * s.model_based_interval.high);
    } else {
      EXPECT_EQ(s.model_based_parent, "national");
      EXPECT_NEAR(*s.model_based, static_cast<double>(s.observed) * by_pfa.victims.estimate / by_pfa.victims.known,
                  1e-6 * *s.model_based);
    }
    EXPECT_LE(s.model_based_interval.low, *s.model_based);
    EXPECT_GE(s.model_based_interval.high, *s.model_based);
    EXPECT_GE(*s.model_based, static_cast<double>(s.observed));
  }
  EXPECT_GE(model_based, 10);
  // In the JSON every stratum says whether it has one, and what it rests on.
  const auto j = by_pfa.to_json();
  for (const auto& s : j["strata"]) {
    ASSERT_TRUE(s.contains("model_based"));
    if (!s["model_based"].is_null())
      EXPECT_TRUE(s["model_based"]["basis"].get<std::string>().starts_with("model-based"));
  }
}

TEST_F(FourQuestionsTest, LinkageDrawsReclusterTheSavedPairsAndWidenTheVictimsInterval) {
  auto opt = options();  // loglinear: each draw refits its chosen model
  opt.linkage_draws = 6;
  opt.thresholds = {0.3, 0.5, 0.8};
  opt.by = {"sex"};
  const auto a = answer_four_questions(*store_, testing::test_areas(), opt);
  ASSERT_TRUE(a.linkage);
  const auto& u = *a.linkage;
  // The saved pairs, clustered as the link did, give back its persons (the cohesion guard
  // sees pairs below the saved floor as 0: a few merges may differ).
  EXPECT_EQ(u.link_persons, a.victims.known);
  EXPECT_NEAR(static_cast<double>(u.recluster_persons), static_cast<double>(u.link_persons), 0.005 * u.link_persons);
  ASSERT_EQ(a.threshold_curve.size(), 3u);
  EXPECT_EQ(a.threshold_curve[1].persons, u.recluster_persons);
  EXPECT_LE(a.threshold_curve[0].persons, a.threshold_curve[1].persons);
  EXPECT_LE(a.threshold_curve[1].persons, a.threshold_curve[2].persons);
  EXPECT_EQ(u.draw_estimates.size(), 6u);
  // The victims' figure is the combined one, at least as wide (relative to its centre) as the model's.
  EXPECT_EQ(a.victims.estimate, u.combined.estimate);
  EXPECT_EQ(a.victims.interval.low, u.combined.interval.low);
  EXPECT_EQ(u.model_estimate, a.victims_detail.estimate);
  EXPECT_LE(a.victims.interval.low / a.victims.estimate, u.model_interval.low / u.model_estimate + 1e-12);
  EXPECT_GE(a.victims.interval.high / a.victims.estimate, u.model_interval.high / u.model_estimate - 1e-12);
  EXPECT_GE(u.combined.linkage_share, 0.0);
  EXPECT_LT(u.combined.linkage_share, 1.0);
  // Offences follow the victims' (combined) interval.
  EXPECT_NEAR(a.offences.interval.high / a.offences.estimate, a.victims.interval.high / a.victims.estimate, 1e-9);
  const auto j = a.to_json();
  EXPECT_TRUE(j["linkage"]["linkage_share_of_width"].is_number());
  EXPECT_EQ(j["threshold_curve"].size(), 3u);

  // The same draws carried into the children still involved and each estimated stratum:
  // every figure at least as wide, for its centre, as its plain one, and saying so.
  auto at_least_as_wide = [](const GroupLinkage& g, double estimate, const estimate::Interval& iv) {
    EXPECT_EQ(g.draws, 6);
    EXPECT_EQ(g.combined.estimate, estimate);
    EXPECT_LE(iv.low / estimate, g.model_interval.low / g.model_estimate + 1e-12);
    EXPECT_GE(iv.high / estimate, g.model_interval.high / g.model_estimate - 1e-12);
    EXPECT_GE(g.combined.linkage_share, 0.0);
    // Linkage moves a group's figure by about what it moves the victims' (0.5-2% here).
    EXPECT_LT(std::abs(g.combined.estimate / g.model_estimate - 1), 0.1);
  };
  ASSERT_TRUE(a.still_involved_linkage);
  at_least_as_wide(*a.still_involved_linkage, a.still_involved.estimate, a.still_involved.interval);
  EXPECT_NE(a.still_involved.method.find("linkage error by the victims' 6 draws"), std::string::npos);
  int carried = 0;
  for (const auto& st : a.strata) {
    if (!st.estimate) continue;
    ASSERT_TRUE(st.linkage) << st.value;
    at_least_as_wide(*st.linkage, *st.estimate, st.interval);
    ++carried;
  }
  EXPECT_EQ(carried, 2) << "girls and boys both estimated";
  EXPECT_TRUE(j["still_involved"]["linkage_draws"]["linkage_share_of_width"].is_number());
}

TEST_F(FourQuestionsTest, TheAnswersRoundTripThroughTheirJsonAndTheSavedRun) {
  auto opt = options();
  opt.linkage_draws = 3;
  opt.thresholds = {0.5, 0.8};
  opt.by = {"region", "pfa"};
  const auto run = answer_and_save(*store_, testing::test_areas(), opt, {{"by", opt.by}});
  const auto once = run.answers.to_json();
  const auto back = FourAnswers::from_json(once);
  EXPECT_EQ(back.to_json().dump(), once.dump());
  EXPECT_EQ(back.victims.known, run.answers.victims.known);
  EXPECT_EQ(back.victims.estimate, run.answers.victims.estimate);
  EXPECT_EQ(back.victims_pattern_counts, run.answers.victims_pattern_counts);
  ASSERT_TRUE(back.linkage);
  EXPECT_EQ(back.linkage->draws, 3);
  EXPECT_EQ(back.linkage->draw_estimates, run.answers.linkage->draw_estimates);
  ASSERT_EQ(back.threshold_curve.size(), 2u);
  EXPECT_EQ(back.threshold_curve[1].persons, run.answers.threshold_curve[1].persons);
  ASSERT_EQ(back.strata.size(), run.answers.strata.size());
  const auto model_based =
      std::count_if(back.strata.begin(), back.strata.end(), [](const auto& s) { return s.model_based.has_value(); });
  EXPECT_GT(model_based, 0) << "no stratum exercised the model-based figure";
  EXPECT_EQ(back.victims_detail.methods.size(), run.answers.victims_detail.methods.size());

  // The store gives back the same answers.
  const auto saved = latest_estimate_run(*store_);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->run_id, run.run_id);
  EXPECT_EQ(saved->answers.to_json().dump(), once.dump());

  // A run that fails is saved as failed and is not the latest finished one.
  opt.by = {"nope"};
  EXPECT_THROW(answer_and_save(*store_, testing::test_areas(), opt, {}), UsageError);
  EXPECT_EQ(latest_estimate_run(*store_)->run_id, run.run_id);
}

TEST_F(FourQuestionsTest, UnknownStratumListsTheValidOnes) {
  auto opt = options();
  opt.by = {"ethnicity"};
  try {
    answer_four_questions(*store_, testing::test_areas(), opt);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("valid: region, pfa, year, age_band, sex"), std::string::npos);
  }
}

TEST_F(FourQuestionsTest, ARecordDatedAfterItsDeliveryNeverMovesTheReferenceDate) {
  // A store filled before ingest rejected such dates: one victim record dated 2099 (issue
  // 14: it moved the reference date to 2099 and children still involved silently became 0).
  const auto copy = dir_->path() / "legacy.db";
  store_->database().exec(fmt::format("VACUUM INTO '{}'", copy.string()));
  SqliteStore legacy(copy, false);
  legacy.database().exec(
      "INSERT INTO records (file_id, line, source_id, source_org, record_id, role, record_type, event_date, sex) "
      "SELECT file_id, 99999, source_id, source_org, 'LATE-1', 'victim', record_type, '2099-01-01', 'F' "
      "FROM records WHERE role = 'victim' LIMIT 1");
  const auto plain = answer_four_questions(*store_, testing::test_areas(), options());
  const auto a = answer_four_questions(legacy, testing::test_areas(), options());
  EXPECT_EQ(a.reference_date, plain.reference_date);
  EXPECT_LT(a.reference_date.year, 2099);
  EXPECT_EQ(a.still_involved.known, plain.still_involved.known);
  EXPECT_GT(a.still_involved.known, 0);
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_NE(a.diagnostics[0].text.find("1 victim record(s) dated after their file's delivery date"), std::string::npos)
      << a.diagnostics[0].text;
  EXPECT_EQ(a.diagnostics[0].public_text.find('1'), std::string::npos) << a.diagnostics[0].public_text;
  EXPECT_TRUE(plain.diagnostics.empty());

  // A reference date chosen after every record: the empty answer says why, and the run warns.
  auto opt = options();
  opt.reference_date = Date{2099, 1, 1};
  const auto late = answer_four_questions(*store_, testing::test_areas(), opt);
  EXPECT_EQ(late.still_involved.known, 0);
  EXPECT_EQ(late.still_involved.why, "no child under 18 on 2099-01-01 has a record in the 12 months before it");
  ASSERT_EQ(late.diagnostics.size(), 1u);
  EXPECT_NE(late.diagnostics[0].text.find("after the latest victim record"), std::string::npos);
  const auto j = late.to_json();
  EXPECT_EQ(j["still_involved"]["why"], late.still_involved.why);
  EXPECT_EQ(j["diagnostics"][0], late.diagnostics[0].text);
  EXPECT_EQ(j["victims"]["why"], "");
}

// issue 13: auto's headline on a sparse table is the shrinkage posterior, flagged weak. A
// stratum's table is as sparse as any: its figure carries the flag and its reason (JSON,
// round trip) exactly when its own table is sparse (computed here from the linked persons,
// not from the estimate), and never when it is dense. A country a fifth of the fixture's,
// so that most regions are small enough to be sparse and the test stays cheap.
TEST(FourQuestions, SparseStrataCarryTheWeakHeadlineFlagInTheirJson) {
  testing::TempDir dir;
  auto config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", 0.1);
  const auto country = testing::simulate_ingest_link_victims(dir.path(), config, 11);
  SqliteStore& store = *country.store;

  QuestionsOptions opt;
  opt.estimate.method = estimate::Method::Auto;
  opt.estimate.bootstrap_replicates = 0;
  opt.estimate.lcmcr_side_budget = 1e8;  // LCMCR beside the victims' headline: its least run
  opt.linkage_draws = 0;
  opt.thresholds.clear();
  opt.min_observed = 20;
  opt.by = {"region", "sex"};
  const auto a = answer_four_questions(store, testing::test_areas(), opt);
  const auto linked = read_linked_persons(store, *store.latest_link_run(Role::victim), Role::victim);
  int weak = 0, dense = 0;
  const auto j = a.to_json();
  ASSERT_EQ(j["strata"].size(), a.strata.size());
  for (std::size_t i = 0; i < a.strata.size(); ++i) {
    const auto& s = a.strata[i];
    const auto& row = j["strata"][i];
    if (!s.estimate) {
      EXPECT_TRUE(s.weak_headline.empty()) << s.value;
      continue;
    }
    std::vector<const PersonRow*> members;
    for (const auto& p : linked.persons)
      if (stratum_of(p, s.dimension, testing::test_areas()) == s.value) members.push_back(&p);
    const bool sparse = estimate::is_sparse(table_of(members, linked.lists));
    EXPECT_EQ(!s.weak_headline.empty(), sparse) << s.dimension << " " << s.value << ": " << s.method;
    EXPECT_EQ(row.contains("weak_headline"), sparse) << s.value;
    if (sparse) {
      ++weak;
      EXPECT_EQ(row["weak_headline"], true);
      EXPECT_EQ(row["weak_headline_reason"], s.weak_headline);
      EXPECT_TRUE(s.weak_headline.starts_with("sparse table: ")) << s.weak_headline;
      EXPECT_LE(s.interval.low, *s.estimate);  // the posterior median inside its own interval
      EXPECT_GE(s.interval.high, *s.estimate);
    } else {
      ++dense;
    }
  }
  EXPECT_GT(weak, 0) << "no sparse stratum exercised the flag";
  EXPECT_GT(dense, 0) << "no dense stratum checked the flag's absence";
  // The victims' and the children still involved's answers say it the same way.
  EXPECT_EQ(j["victims"].contains("weak_headline"), !a.victims_detail.weak_headline.empty());
  EXPECT_EQ(a.victims.weak_headline, a.victims_detail.weak_headline);
  EXPECT_EQ(j["still_involved"].contains("weak_headline"), !a.still_involved.weak_headline.empty());
  // Read back, the flags are those written.
  const auto back = FourAnswers::from_json(j);
  EXPECT_EQ(back.to_json().dump(), j.dump());
  for (std::size_t i = 0; i < a.strata.size(); ++i) EXPECT_EQ(back.strata[i].weak_headline, a.strata[i].weak_headline);
  EXPECT_EQ(back.victims_detail.weak_headline, a.victims_detail.weak_headline);
}

TEST(FourQuestions, NoLinkRunIsAUsageError) {
  testing::TempDir dir;
  SqliteStore store(dir / "hub.db", true);
  EXPECT_THROW(answer_four_questions(store, testing::test_areas(), {}), UsageError);
}

// A store whose victims come from one source type cannot be estimated from; the error says
// why, which source types hold victims, and what to do: ingest another type's file and link,
// or, when the store already holds one the link run has not seen, link again.
TEST(FourQuestions, OneSourceTypeSaysWhatToDo) {
  testing::TempDir dir;
  const auto country = testing::simulate_default_country(dir / "country", 0.05, 11);
  SqliteStore store(dir.path() / "hub.db", true);
  std::filesystem::path other;
  for (const auto& f : testing::csv_files(country / "agencies")) {
    if (f.filename().string().starts_with("police_"))
      ingest_file(store, testing::test_areas(), f);
    else if (f.filename().string().starts_with("nrm_"))
      other = f;
  }
  ASSERT_FALSE(other.empty());
  link::StoreLinkOptions lo;
  lo.roles = {Role::victim};
  lo.quiet = true;
  link::link_store(store, link::LinkSettings{}, lo);
  auto message = [&] {
    try {
      answer_four_questions(store, testing::test_areas(), QuestionsOptions{});
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto one = message();
  EXPECT_TRUE(one.starts_with("estimation needs at least two sources: capture-recapture")) << one;
  EXPECT_NE(one.find("was recorded by police alone"), std::string::npos) << one;
  EXPECT_NE(one.find("the store holds victim records from police ("), std::string::npos) << one;
  EXPECT_NE(one.find("ingest the victims' file of an agency of another source type (children_services"),
            std::string::npos)
      << one;

  ingest_file(store, testing::test_areas(), other);  // not linked yet
  const auto stale = message();
  EXPECT_NE(stale.find("nrm ("), std::string::npos) << stale;
  EXPECT_NE(stale.find("run `joindots link --db ...` again"), std::string::npos) << stale;
}

}  // namespace joindots::questions
