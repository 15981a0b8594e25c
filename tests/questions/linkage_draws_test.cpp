// Linkage draws on hand-built cases with known answers: the draws' mean capture table
// against the expected table, the guard, the threshold re-clustering, and the combination
// (every pair at 0 or 1: the model's interval unchanged).
#include "questions/linkage_draws.hpp"
#include "questions/linkage_subgroups.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "ingest/ingest.hpp"
#include "link/store_link.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"
#include "three_sources.hpp"

namespace joindots::questions {

namespace {

using test_inputs::girls_and_boys;
using test_inputs::headline;
using test_inputs::three_sources_with_records;

/// Lists A (bit 0) and B (bit 1). Persons by the link: {0}, {1}, {2}, {3}, {4}, {5, 6}.
/// Pairs: (0,1) p = 0.3 and (2,3) p = 0.8 across persons, (5,6) p = 1 inside one.
LinkageInput two_uncertain_pairs() {
  LinkageInput in;
  in.lists = {"A", "B"};
  in.list_of_record = {0, 1, 0, 1, 0, 1, 0};
  in.source = {0, 1, 0, 1, 0, 1, 0};
  in.hard_values.assign(7, {""});
  in.link_person = {0, 1, 2, 3, 4, 5, 5};
  in.pairs = {{0, 1, 1.0f, 0.3f, false}, {2, 3, 3.0f, 0.8f, false}, {5, 6, 9.0f, 1.0f, false}};
  return in;
}

/// A population of `persons` seen by three lists, each record its own (p = 1 pairs join a
/// person's records); `noise` pairs at probability 0 between different persons.
LinkageInput three_lists(int persons) {
  LinkageInput in;
  in.lists = {"A", "B", "C"};
  Rng rng(20251231, "linkage-draws-test");
  for (int p = 0; p < persons; ++p) {
    // Independent lists recording each person with probabilities 0.5, 0.4 and 0.6 (seeded).
    std::vector<std::uint32_t> records;
    for (std::uint32_t j = 0; j < 3; ++j)
      if (rng.bernoulli(0.5 + (j == 1 ? -0.1 : j == 2 ? 0.1 : 0.0)))
        records.push_back(test_inputs::add_record(in, j, static_cast<std::uint32_t>(p)));
    // A person no list recorded is not in the data: recorded by A alone.
    if (records.empty()) records.push_back(test_inputs::add_record(in, 0, static_cast<std::uint32_t>(p)));
    test_inputs::join_records(in, records);
  }
  const auto r = static_cast<std::uint32_t>(in.list_of_record.size());
  for (std::uint32_t a = 0; a + 5 < r; a += 7) in.pairs.push_back({a, a + 5, -5.0f, 0.0f, false});
  return in;
}

}  // namespace

TEST(LinkageDraws, DrawsMeanTableMatchesTheExpectedTable) {
  const auto in = two_uncertain_pairs();
  // Expected: A only 0.7 + 0.2 + 1 (record 4); B only 0.7 + 0.2; AB 0.3 + 0.8 + 1.
  const int draws = 4000;
  std::vector<double> mean(4, 0.0);
  for (int d = 0; d < draws; ++d) {
    const auto counts = pattern_counts(in, draw_partition(in, 7, d).cluster);
    for (std::size_t c = 0; c < 4; ++c) mean[c] += static_cast<double>(counts[c]) / draws;
  }
  // Each count's SD is at most sqrt(0.21 + 0.16) = 0.61: 0.04 is over 4 standard errors.
  EXPECT_NEAR(mean[1], 1.9, 0.04);
  EXPECT_NEAR(mean[2], 0.9, 0.04);
  EXPECT_NEAR(mean[3], 2.1, 0.04);
  EXPECT_EQ(mean[0], 0.0);

  const auto e = expected_errors(in);
  EXPECT_NEAR(e.false_non_links, 1.1, 1e-6);
  EXPECT_NEAR(e.false_links, 0.0, 1e-6);
  EXPECT_EQ(e.uncertain_pairs, 2);
}

TEST(LinkageDraws, LinkageUncertaintyReportsTheMeanTable) {
  const auto in = two_uncertain_pairs();
  const TableEstimator observed = [](const estimate::CaptureTable& t) {
    return std::pair{static_cast<double>(t.observed()), estimate::Interval{}};
  };
  const auto u = linkage_uncertainty(in, 10, {8, 12, 0.95, "test"}, 3000, 3, observed, true);
  EXPECT_NEAR(u.mean_counts[1], 1.9, 0.05);
  EXPECT_NEAR(u.mean_counts[3], 2.1, 0.05);
  EXPECT_EQ(u.link_persons, 6);
  // (2,3) at 0.8 links at the threshold 0.5, (0,1) at 0.3 does not.
  EXPECT_EQ(u.recluster_persons, 5);
  // 5 persons against the link's 6: not like with like, so no correction, only the spread.
  EXPECT_FALSE(u.reproduces_link);
  EXPECT_NEAR(u.combined.estimate, 10, 1e-9);
  EXPECT_GT(u.combined.interval.high, 12);
}

TEST(LinkageDraws, HardFieldsRefuseADrawnLink) {
  auto in = two_uncertain_pairs();
  in.hard_values[2] = {"4010232137"};
  in.hard_values[3] = {"9434765919"};
  for (int d = 0; d < 200; ++d) {
    const auto c = draw_partition(in, 1, d).cluster;
    ASSERT_NE(c[2], c[3]) << "draw " << d;
  }
}

TEST(LinkageDraws, ReclusteringKeepsTheLinksOnePerSourceLimits) {
  // Records 0 and 2 come from source 0, record 1 from source 1; every pair is likely.
  LinkageInput in;
  in.lists = {"A", "B"};
  in.list_of_record = {0, 1, 0};
  in.source = {0, 1, 0};
  in.hard_values.assign(3, {});
  in.link_person = {0, 0, 1};
  in.pairs = {{0, 1, 5.0f, 0.95f, false}, {1, 2, 4.0f, 0.9f, false}, {0, 2, 3.0f, 0.8f, false}};
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 1u);
  in.source_limit = {1, 0};  // the link found source 0 to hold one record per person
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 2u);
  for (int d = 0; d < 50; ++d) ASSERT_NE(draw_partition(in, 3, d).cluster[0], draw_partition(in, 3, d).cluster[2]);
}

TEST(LinkageDraws, ReclusteringRelaxesCohesionWithinTheLinksUsualSize) {
  // A chain 0 - 1 - 2 with no saved pair (0, 2): merging {0, 1} with {2} has cohesion
  // (0 + 0.9) / 2 = 0.45, below the guard's 0.5, but a cluster of 3 is within a usual size of 3.
  LinkageInput in;
  in.lists = {"A", "B"};
  in.list_of_record = {0, 1, 0};
  in.source = {0, 1, 2};
  in.hard_values.assign(3, {});
  in.link_person = {0, 0, 0};
  in.pairs = {{0, 1, 5.0f, 0.95f, false}, {1, 2, 4.0f, 0.9f, false}};
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 2u);
  in.usual_size = 3;
  in.min_cohesion_within_usual = 0.2;
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 1u);
  in.usual_size = 2;  // a cluster of 3 is beyond the usual size: the full guard again
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 2u);
}

TEST(LinkageDraws, ThresholdDecidesTheReclustering) {
  const auto in = two_uncertain_pairs();
  EXPECT_EQ(recluster_at(in, 0.2).clusters, 4u);
  EXPECT_EQ(recluster_at(in, 0.5).clusters, 5u);
  EXPECT_EQ(recluster_at(in, 0.9).clusters, 6u);
  const TableEstimator observed = [](const estimate::CaptureTable& t) {
    return std::pair{static_cast<double>(t.observed()), estimate::Interval{}};
  };
  const auto curve = threshold_curve(in, {0.2, 0.5, 0.9}, observed, true);
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_EQ(curve[0].persons, 4);
  EXPECT_EQ(curve[2].persons, 6);
  EXPECT_DOUBLE_EQ(curve[1].estimate, 5.0);
}

TEST(LinkageDraws, PairsAtZeroOrOneLeaveTheModelIntervalUnchanged) {
  const auto in = three_lists(400);
  const auto table =
      estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  ASSERT_TRUE(std::isfinite(est));
  const auto u = linkage_uncertainty(in, est, iv, 5, 1, headline, true);
  EXPECT_EQ(u.combined.estimate, est);
  EXPECT_EQ(u.combined.interval.low, iv.low);
  EXPECT_EQ(u.combined.interval.high, iv.high);
  EXPECT_EQ(u.combined.linkage_share, 0.0);
  EXPECT_TRUE(u.reproduces_link);
  for (auto p : u.draw_persons) EXPECT_EQ(p, 400);
}

TEST(LinkageDraws, UncertainPairsWidenTheIntervalAndCorrectTheSpuriousOneListPersons) {
  auto in = three_lists(400);
  // Split 20 persons' A-B links into uncertain ones: the link (threshold 0.5) broke them
  // at p = 0.45, so it counted 20 persons twice, as one-list persons: 45% of them, on its own
  // probabilities, wrongly.
  int split = 0;
  for (auto& p : in.pairs) {
    if (split == 20) break;
    if (p.probability == 1.0f && in.list_of_record[p.a] == 0 && in.list_of_record[p.b] == 1) {
      bool alone = true;  // the person has just these two records
      for (std::size_t r = 0; r < in.link_person.size(); ++r)
        if (r != p.a && r != p.b && in.link_person[r] == in.link_person[p.a]) alone = false;
      if (!alone) continue;
      p.probability = 0.45f;
      in.link_person[p.b] = static_cast<std::uint32_t>(400 + split);
      ++split;
    }
  }
  ASSERT_EQ(split, 20);
  const auto table =
      estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  const auto u = linkage_uncertainty(in, est, iv, 40, 1, headline, true);
  EXPECT_LT(u.combined.interval.low / u.combined.estimate, iv.low / est);
  EXPECT_GT(u.combined.interval.high / u.combined.estimate, iv.high / est);
  EXPECT_GT(u.combined.linkage_share, 0.0);
  EXPECT_LT(u.combined.estimate, est);  // fewer spurious one-list persons: a smaller total
  EXPECT_NEAR(u.expected.false_non_links, 20 * 0.45, 1e-4);
}

TEST(LinkageDraws, CombinationIsRubinsRuleOnTheLogScale) {
  // Model: 100 (80-125), symmetric on the log scale; draws exp(+-0.1) around 100.
  const estimate::Interval model{80, 125, 0.95, "test"};
  const auto c = combine_with_draws(100, model, {100 * std::exp(0.1), 100 * std::exp(-0.1)});
  const double z = 1.959963984540054, se = std::log(1.25) / z,
               between = 0.02;  // var of +-0.1 with M - 1 = 1
  EXPECT_NEAR(c.estimate, 100, 1e-9);
  EXPECT_NEAR(c.interval.high, 100 * std::exp(z * std::sqrt(se * se + 1.5 * between)), 1e-6);
  EXPECT_NEAR(c.interval.low, 100 * std::exp(-z * std::sqrt(se * se + 1.5 * between)), 1e-6);
  EXPECT_NEAR(c.between_sd_log, std::sqrt(between), 1e-12);
  // No usable draw: the model's answer.
  const auto none = combine_with_draws(100, model, {std::nan("")});
  EXPECT_EQ(none.interval.low, 80);
  EXPECT_EQ(none.interval.high, 125);
}

TEST(LinkageDrawsInGroups, PairsAtZeroOrOneLeaveEachGroupsFigureUnchanged) {
  const auto in = three_sources_with_records(600, "linkage-groups-test", true);
  const auto all = persons_of_partition(in.records, in.link_person, in.lists);
  ASSERT_EQ(all.size(), 600u);
  const auto table = estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  const auto u = linkage_uncertainty(in, est, iv, 5, 1, headline, true);
  ASSERT_EQ(u.draw_partitions.size(), 5u);
  const auto groups = girls_and_boys(in);
  const auto carried = carry_draws_into_groups(in, u, groups, true);
  ASSERT_EQ(carried.size(), 2u);
  for (std::size_t g = 0; g < 2; ++g) {
    ASSERT_TRUE(std::isfinite(groups[g].estimate));
    EXPECT_EQ(carried[g].draws, 5);
    EXPECT_EQ(carried[g].model_estimate, groups[g].estimate);
    EXPECT_EQ(carried[g].combined.estimate, groups[g].estimate);
    EXPECT_EQ(carried[g].combined.interval.low, groups[g].interval.low);
    EXPECT_EQ(carried[g].combined.interval.high, groups[g].interval.high);
    EXPECT_EQ(carried[g].combined.linkage_share, 0.0);
  }
}

TEST(LinkageDrawsInGroups, UncertainPairsMoveOnlyTheGroupTheyBelongTo) {
  auto in = three_sources_with_records(600, "linkage-groups-test", true);
  // Split 20 girls' police-health links at p = 0.45: the link (threshold 0.5) counted each
  // of those girls twice, as two one-list persons; the boys' links stay certain.
  int split = 0;
  for (auto& p : in.pairs) {
    if (split == 20) break;
    if (p.probability != 1.0f || in.list_of_record[p.a] != 0 || in.list_of_record[p.b] != 1 ||
        in.records[p.a].sex != Sex::F)
      continue;
    bool alone = true;  // the girl has just these two records
    for (std::size_t r = 0; r < in.link_person.size(); ++r)
      if (r != p.a && r != p.b && in.link_person[r] == in.link_person[p.a]) alone = false;
    if (!alone) continue;
    p.probability = 0.45f;
    in.link_person[p.b] = static_cast<std::uint32_t>(600 + split);
    ++split;
  }
  ASSERT_EQ(split, 20);
  const auto table = estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  const auto u = linkage_uncertainty(in, est, iv, 40, 1, headline, true);
  ASSERT_TRUE(u.reproduces_link);
  const auto groups = girls_and_boys(in);
  const auto carried = carry_draws_into_groups(in, u, groups, true);
  const auto& girls = carried[0];
  const auto& boys = carried[1];
  // Girls: fewer spurious one-list persons, a smaller total, a wider interval for its centre.
  EXPECT_LT(girls.combined.estimate, groups[0].estimate);
  EXPECT_LT(girls.combined.interval.low / girls.combined.estimate, groups[0].interval.low / groups[0].estimate);
  EXPECT_GT(girls.combined.interval.high / girls.combined.estimate, groups[0].interval.high / groups[0].estimate);
  EXPECT_GT(girls.combined.linkage_share, 0.0);
  // Boys: every draw gives them the same persons, so their figure is the plain one (to the
  // rounding of a mean of 40 equal logarithms).
  EXPECT_NEAR(boys.combined.estimate, groups[1].estimate, 1e-12 * groups[1].estimate);
  EXPECT_NEAR(boys.combined.interval.low, groups[1].interval.low, 1e-12 * groups[1].estimate);
  EXPECT_NEAR(boys.combined.interval.high, groups[1].interval.high, 1e-12 * groups[1].estimate);
  EXPECT_NEAR(boys.combined.linkage_share, 0.0, 1e-12);
}

TEST(LinkageDrawsInGroups, RefitOfUsesTheHeadlinesLogLinearModel) {
  const auto in = three_sources_with_records(600, "linkage-groups-test", true);
  const auto table = estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  estimate::EstimateOptions o;
  o.method = estimate::Method::LogLinear;
  o.bootstrap_replicates = 0;
  const auto r = estimate::estimate_all(table, o);
  std::string method;
  const auto refit = refit_of(r, 3, &method);
  ASSERT_TRUE(refit);
  EXPECT_NE(method.find("log-linear model"), std::string::npos) << method;
  EXPECT_NEAR(refit(table).first, r.estimate, 1e-6 * r.estimate);
}

TEST(LinkageDraws, SavedPairsReproduceANoisyLinksPersons) {
  // Noisy identifiers (the linkage_noise_mild preset): the link relaxes cohesion within its
  // usual cluster size; re-clustering the saved pairs must apply the same guard, or it finds
  // persons the link did not (3% too many at scale 0.5 before the guard was read back) and
  // the draws correct nothing.
  testing::TempDir dir;
  auto config = simulate::scenario_config("linkage_noise_mild");
  simulate::set_param(config, "scale", 0.15);
  const auto country = testing::simulate_ingest_link_victims(dir.path(), config, 100004);
  SqliteStore& store = *country.store;
  const auto& run = country.run;
  const std::vector<std::string> lists = {"police", "children_services", "health", "nrm", "charity"};
  const auto in = read_linkage_input(store, run.run_id, Role::victim, lists);
  ASSERT_GT(in.usual_size, 0u) << "the link relaxed no cohesion: the case does not test the guard";
  std::uint32_t link_persons = 0;
  for (auto p : in.link_person) link_persons = std::max(link_persons, p + 1);
  const auto reclustered = recluster_at(in, in.threshold);
  EXPECT_NEAR(static_cast<double>(reclustered.clusters), static_cast<double>(link_persons), 0.005 * link_persons);

  // The link's partition summarised here gives the persons the store holds, field by field:
  // what makes a draw that reproduces the link give each group its plain figure.
  auto key = [](const PersonRow& p) {
    return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", p.pattern, p.lad_cd, p.age_band, p.sex, p.first_date.str(),
                       p.last_date.str(), p.dob ? p.dob->str() : "", p.offences);
  };
  const auto stored = read_linked_persons(store, run.run_id, Role::victim);
  std::vector<std::string> from_store, from_partition;
  for (const auto& p : stored.persons) from_store.push_back(key(p));
  ASSERT_EQ(stored.lists.size(), lists.size());
  // Patterns over the same lists in the same order (the schema's: police first).
  const auto in_schema_order = read_linkage_input(store, run.run_id, Role::victim, stored.lists);
  for (const auto& p : persons_of_partition(in_schema_order.records, in_schema_order.link_person, stored.lists))
    from_partition.push_back(key(p));
  std::sort(from_store.begin(), from_store.end());
  std::sort(from_partition.begin(), from_partition.end());
  EXPECT_EQ(from_partition, from_store);
}

}  // namespace joindots::questions
