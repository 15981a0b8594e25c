// The generating mechanisms of the study across mechanisms (issue 11): each one's realised
// property against its setting. The recording-model properties are measured on 200,000
// direct draws (tolerances of 4 standard errors); the record-level ones (open population,
// duplicates) and the realised figures in truth/summary.json on whole simulated countries.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "simulate/recording.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/sim_test_support.hpp"
#include "simulate/simulate.hpp"

namespace joindots::simulate {

namespace {

using testing::read_table;
using testing::sim_areas;
using testing::Table;
using testing::TempDir;

constexpr int kDraws = 200000;
constexpr auto kCs = static_cast<std::size_t>(SimSource::children_services);
constexpr auto kPolice = static_cast<std::size_t>(SimSource::police);
constexpr auto kHealth = static_cast<std::size_t>(SimSource::health);
constexpr auto kCharity = static_cast<std::size_t>(SimSource::charity);

// No heterogeneity and no referral: whatever dependence remains is the mechanism's own.
SimConfig plain() {
  SimConfig c = SimConfig::defaults();
  c.visibility_sd = 0;
  c.cs_to_police_log_odds = c.police_to_nrm_log_odds = c.cs_to_nrm_log_odds = 0;
  return c;
}

struct PairCounts {
  double n[4] = {0, 0, 0, 0};  // neither, a only, b only, both
  double log_odds_ratio() const { return std::log(n[0] * n[3] / (n[1] * n[2])); }
  double se() const { return std::sqrt(1 / n[0] + 1 / n[1] + 1 / n[2] + 1 / n[3]); }
};

PairCounts draw_pairs(const SimConfig& c, std::size_t a, std::size_t b, std::uint64_t seed) {
  PairCounts out;
  Rng rng(seed, "mechanisms-test");
  for (int i = 0; i < kDraws; ++i) {
    const auto in = draw_sources(c, 0.0, rng);
    out.n[(in[a] ? 1 : 0) + (in[b] ? 2 : 0)] += 1;
  }
  return out;
}

double binomial_se(double p, double n) { return std::sqrt(p * (1 - p) / n); }

SimulateSummary run(const SimConfig& config, const std::filesystem::path& out, std::uint64_t seed) {
  SimulateOptions options;
  options.seed = seed;
  options.out_dir = out;
  return simulate(config, options, sim_areas());
}

}  // namespace

TEST(Mechanisms, LatentClassSharesMatchTheSetting) {
  SimConfig c = scenario_config("latent_classes_strong");
  std::map<int, double> n;
  std::map<int, double> shift;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const auto v = draw_visibility(c, 0.123, 5, i);
    n[v.latent_class] += 1;
    shift[v.latent_class] = v.z;
  }
  EXPECT_NEAR(n[2] / kDraws, 0.30, 4 * binomial_se(0.30, kDraws));
  EXPECT_NEAR(n[3] / kDraws, 0.15, 4 * binomial_se(0.15, kDraws));
  EXPECT_NEAR(n[1] / kDraws, 0.55, 4 * binomial_se(0.55, kDraws));
  EXPECT_EQ(shift[1], 0.0);
  EXPECT_EQ(shift[2], -2.5);
  EXPECT_EQ(shift[3], 2.0);
}

TEST(Mechanisms, LogNormalVisibilityHasMeanOneAndTheSetSpread) {
  SimConfig c = scenario_config("lognormal_strong");
  Rng rng(9, "lognormal-test");
  double sum_v = 0, sum_log = 0, sum_log2 = 0, unrecorded = 0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const double z = draw_visibility(c, rng.normal(0, c.visibility_sd), 9, i).z;
    sum_v += std::exp(z);
    sum_log += z;
    sum_log2 += z * z;
    const auto in = draw_sources(c, z, rng);
    unrecorded += !(in[0] || in[1] || in[2] || in[3] || in[4]);
  }
  const double mean_log = sum_log / kDraws,
               sd_log = std::sqrt(sum_log2 / kDraws - mean_log * mean_log);
  EXPECT_NEAR(sd_log, 1.5, 0.02);
  EXPECT_NEAR(mean_log, -0.5 * 1.5 * 1.5, 4 * 1.5 / std::sqrt(kDraws));
  // E V = 1; V's sd is sqrt(e^2.25 - 1) ~ 2.9, so the mean of 200,000 has s.e. ~ 0.0065.
  EXPECT_NEAR(sum_v / kDraws, 1.0, 0.03);
  // The share nobody records against the quadrature of the model (referral terms only act
  // on recorded children, so they do not change it).
  const double expected = expected_unrecorded_share(c);
  EXPECT_NEAR(unrecorded / kDraws, expected, 4 * binomial_se(expected, kDraws));
}

TEST(Mechanisms, LatentClassUnrecordedShareMatchesTheClassMixture) {
  SimConfig c = scenario_config("latent_classes_strong");
  Rng rng(10, "classes-test");
  double unrecorded = 0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const auto in = draw_sources(c, draw_visibility(c, 0.0, 10, i).z, rng);
    unrecorded += !(in[0] || in[1] || in[2] || in[3] || in[4]);
  }
  const double expected = expected_unrecorded_share(c);
  EXPECT_GT(expected, 0.35);  // the nearly invisible class keeps a good share unrecorded
  EXPECT_NEAR(unrecorded / kDraws, expected, 4 * binomial_se(expected, kDraws));
}

TEST(Mechanisms, BehaviouralResponseIsTheOddsRatioOfALaterList) {
  for (double r : {-1.0, 1.5}) {
    SimConfig c = plain();
    c.behavioural_response_log_odds = r;
    // Police is the list after children's services: its logit moves by r exactly when the
    // child is on children's services.
    const auto t = draw_pairs(c, kCs, kPolice, 21);
    EXPECT_NEAR(t.log_odds_ratio(), r, 4 * t.se()) << r;
  }
  const auto none = draw_pairs(plain(), kCs, kPolice, 22);
  EXPECT_NEAR(none.log_odds_ratio(), 0.0, 4 * none.se());
}

TEST(Mechanisms, NegativeDependenceIsTheRealisedOddsRatio) {
  SimConfig c = plain();
  set_param(c, "police_to_health_log_odds", -2.5);
  const auto t = draw_pairs(c, kPolice, kHealth, 31);
  EXPECT_NEAR(t.log_odds_ratio(), -2.5, 4 * t.se());
  EXPECT_LT(t.log_odds_ratio() + 4 * t.se(), -1.5);  // clearly negative, not just noise
}

TEST(Mechanisms, ReferralChainPutsMostOfTheCharitysChildrenOnChildrensServices) {
  for (const char* name : {"referral_chain_mild", "referral_chain_strong"}) {
    SimConfig c = scenario_config(name);
    c.visibility_sd = 0;
    const auto t = draw_pairs(c, kCs, kCharity, 41);
    EXPECT_NEAR(t.log_odds_ratio(), c.cs_to_charity_log_odds, 4 * t.se()) << name;
    // Closed form of P(children's services | charity) with z = 0.
    const double pcs = logistic(c.children_services_logit),
                 p1 = logistic(c.charity_logit + c.cs_to_charity_log_odds),
                 p0 = logistic(c.charity_logit);
    const double expected = pcs * p1 / (pcs * p1 + (1 - pcs) * p0);
    const double on_charity = t.n[2] + t.n[3];
    EXPECT_NEAR(t.n[3] / on_charity, expected, 4 * binomial_se(expected, on_charity)) << name;
    EXPECT_GT(expected, 0.65) << name;  // "most"
  }
}

TEST(Mechanisms, TheDefaultsMechanismsOneAtATime) {
  const SimConfig d = SimConfig::defaults();
  const SimConfig vis = scenario_config("visibility_only"), ref = scenario_config("referral_only");
  EXPECT_EQ(vis.visibility_sd, d.visibility_sd);
  EXPECT_EQ(ref.visibility_sd, 0.0);
  EXPECT_EQ(ref.cs_to_police_log_odds, d.cs_to_police_log_odds);
  EXPECT_EQ(ref.police_to_nrm_log_odds, d.police_to_nrm_log_odds);
  // Realised, at a fixed visibility: the referral's odds ratio with it on, none without.
  const auto with = draw_pairs(ref, kCs, kPolice, 51), without = draw_pairs(vis, kCs, kPolice, 52);
  EXPECT_NEAR(with.log_odds_ratio(), d.cs_to_police_log_odds, 4 * with.se());
  EXPECT_NEAR(without.log_odds_ratio(), 0.0, 4 * without.se());
  // Visibility alone: the realised unrecorded share is the quadrature's (no referral term
  // can change it, so the closed form is exact here).
  Rng rng(53, "mechanisms-test");
  double none = 0;
  for (int i = 0; i < kDraws; ++i) {
    const auto in = draw_sources(vis, rng.normal(0, vis.visibility_sd), rng);
    none += !(in[0] || in[1] || in[2] || in[3] || in[4]);
  }
  const double expected = expected_unrecorded_share(vis);
  EXPECT_NEAR(none / kDraws, expected, 4 * binomial_se(expected, kDraws));
}

TEST(Mechanisms, CoverageExposureIsTheShareOfTheChildsPeriodInsideTheList) {
  SimConfig c = SimConfig::defaults();
  set_param(c, "list_period_share", 0.5);
  const auto [h_first, h_last] = coverage_period(c, SimSource::health);
  const auto [c_first, c_last] = coverage_period(c, SimSource::charity);
  EXPECT_EQ(h_first, c.study_start.days());
  EXPECT_EQ(c_last, c.study_end.days());
  EXPECT_LE(h_last, c_first + 1);
  // Wholly inside health's period, wholly after it, and half in.
  auto e = coverage_exposure(c, h_first + 10, h_first + 109);
  EXPECT_EQ(e[kHealth], 1.0);
  EXPECT_EQ(e[kCharity], 0.0);
  EXPECT_EQ(e[kPolice], 1.0);
  e = coverage_exposure(c, h_last - 49, h_last + 50);
  EXPECT_DOUBLE_EQ(e[kHealth], 0.5);
  e = coverage_exposure(SimConfig::defaults(), h_first, h_first + 5);
  EXPECT_EQ(e[kHealth], 1.0);
  EXPECT_EQ(e[kCharity], 1.0);
}

TEST(Mechanisms, OpenPopulationRecordsOnlyInsideEachListsPeriod) {
  TempDir dir;
  SimConfig c = scenario_config("open_population_strong");
  c.scale = 0.5;
  const auto summary = run(c, dir.path(), 4);
  const auto& mech = summary.truth_summary["realised"]["mechanisms"];
  EXPECT_GT(mech["share_unexposed_to_health"].get<double>(), 0.3);
  EXPECT_GT(mech["share_unexposed_to_charity"].get<double>(), 0.3);
  std::int64_t health_rows = 0, charity_rows = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "agencies")) {
    const std::string name = entry.path().filename().string();
    const bool health = name.rfind("health_", 0) == 0, charity = name.rfind("charity_", 0) == 0;
    if (!health && !charity) continue;
    const auto [first, last] = coverage_period(c, health ? SimSource::health : SimSource::charity);
    const Table t = read_table(entry.path());
    const auto col = t.col("event_date");
    for (const auto& row : t.rows) {
      const auto day = Date::parse_full(row[col])->days();
      EXPECT_GE(day, first) << name;
      EXPECT_LE(day, last) << name;
    }
    (health ? health_rows : charity_rows) += static_cast<std::int64_t>(t.rows.size());
  }
  EXPECT_GT(health_rows, 100);
  EXPECT_GT(charity_rows, 100);
  // A child whose exploitation lies wholly outside a list's period is never on it.
  const Table victims = read_table(dir.path() / "truth" / "victims.csv");
  const auto start = victims.col("start_date"), end = victims.col("end_date"),
             history = victims.col("capture_history");
  std::int64_t outside = 0;
  for (const auto& row : victims.rows) {
    const auto e = coverage_exposure(c, Date::parse_full(row[start])->days(),
                                     Date::parse_full(row[end])->days());
    if (e[kHealth] > 0) continue;
    ++outside;
    EXPECT_EQ(row[history].find("health"), std::string::npos);
  }
  EXPECT_GT(outside, 500);
}

TEST(Mechanisms, DuplicateRateIsRealisedAndEachCopySharesItsEvent) {
  TempDir dir;
  SimConfig c = scenario_config("duplicates_strong");
  c.scale = 0.5;
  const auto summary = run(c, dir.path(), 6);
  const auto& mech = summary.truth_summary["realised"]["mechanisms"];
  const auto duplicates = mech["duplicate_records"].get<double>();
  const double originals = static_cast<double>(summary.victim_records) - duplicates;
  EXPECT_NEAR(duplicates / originals, 0.3, 4 * binomial_se(0.3, originals));
  EXPECT_DOUBLE_EQ(mech["duplicate_rate"].get<double>(), duplicates / originals);
  // Independently from the files: records of one person in one organisation on one date.
  std::map<std::string, std::string> event_of;  // record_id -> event_date
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "agencies")) {
    const Table t = read_table(entry.path());
    const auto id = t.col("record_id"), event = t.col("event_date");
    for (const auto& row : t.rows) event_of[row[id]] = row[event];
  }
  const Table records = read_table(dir.path() / "truth" / "records.csv");
  std::set<std::string> keys;
  std::int64_t victim_rows = 0;
  for (const auto& row : records.rows) {
    if (row[records.col("role")] != "victim") continue;
    ++victim_rows;
    keys.insert(row[records.col("person_id")] + "/" + row[records.col("source_org")] + "/" +
                event_of.at(row[records.col("record_id")]));
  }
  const double repeated = static_cast<double>(victim_rows - static_cast<std::int64_t>(keys.size()));
  EXPECT_GE(repeated, duplicates);              // every copy shares its original's key
  EXPECT_LE(repeated, 1.05 * duplicates + 30);  // and few other records do
}

TEST(Mechanisms, DefaultRunReportsNoMechanismAndEchoesNoNewKey) {
  TempDir dir;
  SimConfig c = SimConfig::defaults();
  c.scale = 0.05;
  EXPECT_FALSE(mechanisms_on(c));
  const auto summary = run(c, dir.path(), 2);
  EXPECT_FALSE(summary.truth_summary["realised"].contains("mechanisms"));
  EXPECT_FALSE(summary.truth_summary["config"].contains("visibility_model"));
  SimConfig on = c;
  set_param(on, "duplicate_rate", 0.1);
  EXPECT_TRUE(mechanisms_on(on));
  EXPECT_EQ(config_to_json(on)["duplicate_rate"].get<double>(), 0.1);
}

TEST(Mechanisms, DefaultDrawsAreUnchangedByTheNewTerms) {
  // With every new term at its default, draw_sources gives the old model's draws: the same
  // stream through the old formula.
  const SimConfig c = SimConfig::defaults();
  Rng a(3, "unchanged"), b(3, "unchanged");
  for (int i = 0; i < 20000; ++i) {
    const double z = 1.2 * (i % 17 - 8) / 8.0;
    const auto in = draw_sources(c, z, a);
    const bool cs = b.bernoulli(logistic(c.children_services_logit + z));
    const bool pol =
        b.bernoulli(logistic(c.police_logit + (cs ? c.cs_to_police_log_odds : 0.0) + z));
    const bool health = b.bernoulli(logistic(c.health_logit + z));
    const bool nrm = b.bernoulli(logistic(c.nrm_logit + (pol ? c.police_to_nrm_log_odds : 0.0) +
                                          (cs ? c.cs_to_nrm_log_odds : 0.0) + z));
    const bool charity = b.bernoulli(logistic(c.charity_logit + z));
    ASSERT_EQ(in, (std::array<bool, kSimSources>{cs, pol, health, nrm, charity})) << i;
  }
}

TEST(Scenarios, EveryPresetIsValidAndNamedOnce) {
  std::set<std::string> names;
  for (const auto& p : scenario_presets()) {
    EXPECT_TRUE(names.insert(std::string(p.name)).second) << p.name;
    EXPECT_NO_THROW(scenario_config(p.name)) << p.name;
    EXPECT_NE(scenarios_markdown().find(std::string(p.name)), std::string::npos);
  }
  EXPECT_FALSE(mechanisms_on(scenario_config("baseline")));
  EXPECT_TRUE(mechanisms_on(scenario_config("duplicates_mild")));
  try {
    scenario_config("no_such_scenario");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("latent_classes_mild"), std::string::npos) << e.what();
  }
}

TEST(Scenarios, DocsHoldThePresetTableVerbatim) {
  const auto docs = std::filesystem::path(JOINDOTS_TEST_SOURCE_DIR) / "docs" / "simulator.md";
  const std::string text = testing::read_file(docs);
  const std::string begin = "<!-- scenarios:begin -->\n", end = "<!-- scenarios:end -->";
  const auto b = text.find(begin), e = text.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(text.substr(b + begin.size(), e - b - begin.size()), scenarios_markdown())
      << "regenerate the table in docs/simulator.md with `joindots simulate --scenarios`";
}

}  // namespace joindots::simulate
