// The linkage draws corrected for links blocking never compared (unseen_links_draws.hpp): the
// plan on hand-built tables, and end to end on a simulated country with raised linkage noise,
// where the correction moves the victims' figure toward the truth.
#include "questions/unseen_links_draws.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "estimate/unseen_links.hpp"
#include "questions/linkage_draws.hpp"
#include "questions/linkage_subgroups.hpp"
#include "questions/persons.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/truth_reader.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"
#include "three_sources.hpp"

namespace joindots::questions {
namespace {

using test_inputs::headline;

const estimate::CaptureTable kTable =
    estimate::CaptureTable::from_counts({"A", "B", "C"}, {0, 500, 400, 100, 300, 80, 60, 30});

TEST(UnseenLinksDraws, ModesParseAndPlanAsDocumented) {
  EXPECT_EQ(parse_unseen_links_mode("on"), UnseenLinksMode::on);
  EXPECT_EQ(parse_unseen_links_mode("auto"), UnseenLinksMode::automatic);
  EXPECT_EQ(parse_unseen_links_mode("off"), UnseenLinksMode::off);
  EXPECT_THROW(parse_unseen_links_mode("yes"), UsageError);

  // Recall 0.93 of 400 pairs; 30 of 2,000 high-agreement pairs never compared and left apart.
  const BlockingEstimates link{0.93, 400, 2000, 30};
  const auto on = plan_unseen_links(UnseenLinksMode::on, link, kTable, {});
  EXPECT_TRUE(on.applied);
  EXPECT_GT(on.persons_merged(), 0);
  EXPECT_DOUBLE_EQ(on.split_rate(), 0.015);
  EXPECT_EQ(correct_with(on, kTable, on.split_rate()).counts,
            estimate::correct_for_unseen_links(kTable, 0.015, 2000, {}).table.counts);
  // auto: only below the link's low-recall warning.
  EXPECT_FALSE(plan_unseen_links(UnseenLinksMode::automatic, link, kTable, {}).applied);
  EXPECT_TRUE(plan_unseen_links(UnseenLinksMode::automatic, {0.85, 400, 2000, 30}, kTable, {}).applied);
  const auto off = plan_unseen_links(UnseenLinksMode::off, {0.85, 400, 2000, 30}, kTable, {});
  EXPECT_FALSE(off.applied);
  EXPECT_EQ(correct_with(off, kTable, split_rate_of_draw(off, 1, 0)).counts, kTable.counts);
  // Too small a sample: not applied, and the reason says so.
  const auto small = plan_unseen_links(UnseenLinksMode::on, {0.85, 400, 60, 3}, kTable, {});
  EXPECT_FALSE(small.applied);
  EXPECT_NE(unseen_links_text(small).find("60 sample pairs"), std::string::npos) << unseen_links_text(small);
  // A link run from before the split estimate: not applied, and told to link again.
  const auto old = plan_unseen_links(UnseenLinksMode::on, {0.85, 400, 0, 0}, kTable, {});
  EXPECT_FALSE(old.applied);
  EXPECT_NE(unseen_links_text(old).find("link again"), std::string::npos) << unseen_links_text(old);
  // The summary's JSON round trip.
  const auto back = UnseenLinksSummary::from_json(nlohmann::json::parse(on.to_json().dump()));
  EXPECT_EQ(back.applied, on.applied);
  EXPECT_EQ(back.persons_after, on.persons_after);
  EXPECT_DOUBLE_EQ(back.recall, on.recall);
  EXPECT_EQ(back.split_apart, 30);
  EXPECT_EQ(back.split_sample, 2000);
}

TEST(UnseenLinksDraws, TheLatentClassRateGoesFirstWithTheSpreadOfItsModelError) {
  // The link estimated both: 30 of 2,000 high-agreement pairs never compared and left apart, and
  // by its latent-class model 4% of 2,500 implied area matches apart that no draw re-links.
  const auto plan = plan_unseen_links(UnseenLinksMode::on, {0.93, 400, 2000, 30, 0.04, 2500}, kTable, {});
  ASSERT_TRUE(plan.applied) << plan.reason;
  EXPECT_EQ(plan.source, "latent_class");
  EXPECT_DOUBLE_EQ(plan.missed_rate, 0.04);
  // n with a relative error of 25% at 4%: 0.96 / (0.04 x 0.0625) = 384.
  EXPECT_EQ(plan.split_sample, 384);
  EXPECT_EQ(missed_links_sample(0.04, 2500), 384);
  EXPECT_NEAR(plan.split_rate(), 0.04, 0.5 / 384);
  EXPECT_GT(plan.persons_merged(),
            plan_unseen_links(UnseenLinksMode::on, {0.93, 400, 2000, 30}, kTable, {}).persons_merged());
  EXPECT_NE(unseen_links_text(plan).find("latent-class model"), std::string::npos) << unseen_links_text(plan);
  // Capped by the implied matches, and not under the split sample's minimum at high rates.
  EXPECT_EQ(missed_links_sample(0.001, 2500), 2500);
  EXPECT_EQ(missed_links_sample(0.3, 2500), estimate::kMinUnseenLinksSample);
  // The JSON round trip keeps the source.
  const auto back = UnseenLinksSummary::from_json(nlohmann::json::parse(plan.to_json().dump()));
  EXPECT_EQ(back.source, "latent_class");
  EXPECT_DOUBLE_EQ(back.missed_rate, 0.04);
  // A rate that rounds to no pair apart: not corrected, and the reason is the model's, not the
  // split sample's.
  const auto none = plan_unseen_links(UnseenLinksMode::on, {0.93, 400, 2000, 30, 0.0001, 2500}, kTable, {});
  EXPECT_FALSE(none.applied);
  EXPECT_NE(unseen_links_text(none).find("latent-class model implies no true link left apart"), std::string::npos)
      << unseen_links_text(none);
  // Without the model's rate, the split sample's, as before.
  EXPECT_EQ(plan_unseen_links(UnseenLinksMode::on, {0.93, 400, 2000, 30}, kTable, {}).source, "blocking_splits");
}

TEST(UnseenLinksDraws, EachDrawTakesItsOwnSplitRate) {
  const auto plan = plan_unseen_links(UnseenLinksMode::on, {0.8, 200, 1000, 40}, kTable, {});
  ASSERT_TRUE(plan.applied);
  std::set<std::int64_t> persons;
  for (int d = 0; d < 10; ++d) persons.insert(correct_with(plan, kTable, split_rate_of_draw(plan, 7, d)).observed());
  EXPECT_GT(persons.size(), 3u);  // the rate's sampling spread reaches the table
  EXPECT_EQ(correct_with(plan, kTable, split_rate_of_draw(plan, 7, 3)).counts,
            correct_with(plan, kTable, split_rate_of_draw(plan, 7, 3)).counts);
}

TEST(UnseenLinksDraws, TheGroupsDrawsAreCorrectedToo) {
  auto in = test_inputs::three_sources_with_records(600, "unseen-links-groups-test", false);
  in.blocking_recall = 0.8;  // as if blocking had missed one true link in five
  in.blocking_recall_sample = 500;
  in.blocking_split_sample = 1000;  // and left one pair in ten apart
  in.blocking_split_apart = 100;
  const auto table = estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  const auto groups = test_inputs::girls_and_boys(in);
  const auto off = linkage_uncertainty(in, est, iv, 5, 1, headline, true, UnseenLinksMode::off);
  const auto on = linkage_uncertainty(in, est, iv, 5, 1, headline, true, UnseenLinksMode::on);
  ASSERT_TRUE(on.unseen_links.applied);
  ASSERT_EQ(on.draw_split_rates.size(), 5u);
  EXPECT_LT(on.combined.estimate, off.combined.estimate);
  const auto groups_off = carry_draws_into_groups(in, off, groups, true);
  const auto groups_on = carry_draws_into_groups(in, on, groups, true);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    EXPECT_DOUBLE_EQ(groups_off[g].combined.estimate, groups[g].estimate);  // every pair at 1: the plain figure
    EXPECT_LT(groups_on[g].combined.estimate, 0.97 * groups[g].estimate) << "group " << g;
  }
}

TEST(UnseenLinksDraws, OnANoisyCountryTheCorrectionMovesTheFigureTowardTheTruth) {
  testing::TempDir dir;
  auto config = simulate::scenario_config("linkage_noise_strong");
  simulate::set_param(config, "scale", 0.2);
  const auto country = testing::simulate_ingest_link_victims(dir.path(), config, 100007);
  const std::vector<std::string> lists = {"police", "children_services", "health", "nrm", "charity"};
  const auto in = read_linkage_input(*country.store, country.run.run_id, Role::victim, lists);
  ASSERT_GE(in.blocking_split_sample, estimate::kMinUnseenLinksSample) << "the link saved no split sample";
  ASSERT_GT(in.blocking_split_apart, 0);
  const auto table = estimate::CaptureTable::from_counts(lists, pattern_counts(in, in.link_person));
  const auto [est, iv] = headline(table);
  const auto off = linkage_uncertainty(in, est, iv, 4, 1, headline, true, UnseenLinksMode::off);
  const auto on = linkage_uncertainty(in, est, iv, 4, 1, headline, true, UnseenLinksMode::on, headline);
  const double truth = static_cast<double>(read_simulated_truth(country.country).victims);
  EXPECT_FALSE(off.unseen_links.applied);
  ASSERT_TRUE(on.unseen_links.applied) << on.unseen_links.reason;
  EXPECT_GT(on.unseen_links.persons_merged(), 0);
  EXPECT_LT(on.unseen_links.effect, 0.0);
  EXPECT_LT(on.combined.estimate, off.combined.estimate);
  EXPECT_LT(std::abs(on.combined.estimate - truth), std::abs(off.combined.estimate - truth))
      << "truth " << truth << ", corrected " << on.combined.estimate << ", not " << off.combined.estimate;
  std::printf("truth %.0f, corrected %.0f, not %.0f; %lld of %lld sample pairs apart, %lld merged\n", truth,
              on.combined.estimate, off.combined.estimate, static_cast<long long>(in.blocking_split_apart),
              static_cast<long long>(in.blocking_split_sample),
              static_cast<long long>(on.unseen_links.persons_merged()));
  // The rate's uncertainty widens the interval on the log scale.
  EXPECT_GE(on.combined.between_sd_log, 0.0);
}

}  // namespace
}  // namespace joindots::questions
