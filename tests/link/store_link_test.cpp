#include "link/store_link.hpp"

#include <gtest/gtest.h>

#include "core/areas.hpp"
#include "ingest/ingest.hpp"
#include "io/area_file.hpp"
#include "link/persons.hpp"
#include "simulate/config.hpp"
#include "simulate/simulate.hpp"
#include "test_support.hpp"

namespace joindots::link {
namespace {

TEST(LinkPersons, CaptureHistoryAreaDatesAgeBandOffences) {
  auto rec = [](SourceType s, const char* org, const char* lad, const char* date, const char* case_ref, int offences) {
    Record r;
    r.source_type = s;
    r.source_org = org;
    r.lad_cd = lad;
    r.event_date = *Date::parse(date);
    r.case_ref = case_ref;
    r.offence_count = offences;
    r.dob = *Date::parse("2008-06-01");
    r.sex = Sex::F;
    return r;
  };
  const std::vector<Record> records = {
      rec(SourceType::police, "P1", "E1", "2022-03-01", "CR1", 3),
      rec(SourceType::police, "P1", "E2", "2022-05-01", "CR1", 5),  // same case: counted once (max)
      rec(SourceType::health, "H1", "E2", "2021-01-10", "", 0),
      rec(SourceType::police, "P1", "E1", "2023-01-01", "", 2),
  };
  const auto persons = summarise_persons(records, {0, 0, 0, 0}, 1);
  ASSERT_EQ(persons.size(), 1u);
  const Person& p = persons[0];
  EXPECT_EQ(p.capture_history(), "police|health");
  EXPECT_EQ(p.lad_cd, "E2");  // E1 and E2 twice each; E2 seen first (2021)
  EXPECT_EQ(p.first_date.str(), "2021-01-10");
  EXPECT_EQ(p.last_date.str(), "2023-01-01");
  EXPECT_EQ(p.age_band, "10-12");
  EXPECT_EQ(p.offence_count, 7);
  EXPECT_EQ(p.sex, Sex::F);
  EXPECT_EQ(age_band(std::nullopt, p.first_date), "unknown");
}

// A small simulated country, ingested, linked from the store and checked against truth.
TEST(LinkStore, SmallSimulatedCountryAgainstTruth) {
  joindots::testing::TempDir dir;
  const AreaTable areas = load_area_table(joindots::testing::test_data_dir());
  simulate::SimConfig config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", 0.3);
  simulate::SimulateOptions sim;
  sim.seed = 3;
  sim.out_dir = dir.path() / "sim";
  simulate::simulate(config, sim, areas);
  auto store = Store::open((dir.path() / "hub.db").string(), true);
  for (const auto& f : std::filesystem::directory_iterator(sim.out_dir / "agencies"))
    if (f.path().extension() == ".csv") ingest_file(*store, areas, f.path());
  StoreLinkOptions opt;
  opt.roles = {Role::victim};
  opt.truth = read_simulated_truth(sim.out_dir);
  const StoreLinkRun run = link_store(*store, LinkSettings{}, opt);
  ASSERT_EQ(run.roles.size(), 1u);
  const RoleRun& victims = run.roles[0];
  ASSERT_TRUE(victims.evaluation);
  EXPECT_GT(victims.records, 500u);
  EXPECT_GE(victims.evaluation->f1, 0.97) << "precision " << victims.evaluation->precision << " recall "
                                          << victims.evaluation->recall;
  EXPECT_LT(std::abs(victims.evaluation->entity_count_error), 0.05);
  for (const auto& p : victims.persons) EXPECT_FALSE(p.sources.empty());
  EXPECT_GT(run.run_id, 0);
  // The clerical-review band is saved with every field's agreement level.
  std::int64_t in_band = 0;
  for (const auto& p : victims.result.pairs) in_band += !p.clerical && p.probability >= 0.2 && p.probability < 0.8;
  std::int64_t total = 0;
  const auto review = store->review_pairs(run.run_id, Role::victim, 1000000, total);
  EXPECT_GT(in_band, 0);
  EXPECT_EQ(total, in_band);
  ASSERT_EQ(static_cast<std::int64_t>(review.size()), total);
  for (std::size_t i = 0; i < review.size(); ++i) {
    const auto& p = review[i];
    EXPECT_GE(p.probability, 0.2 - 1e-6);
    EXPECT_LT(p.probability, 0.8 + 1e-6);
    if (i > 0) EXPECT_LE(p.probability, review[i - 1].probability);
    EXPECT_FALSE(p.a.record_id.empty());
    EXPECT_GT(p.a.person_id, 0);
    const auto levels = nlohmann::json::parse(p.levels_json);
    EXPECT_EQ(levels.size(), victims.result.model.comparisons.size());
    for (const auto& c : victims.result.model.comparisons)
      EXPECT_TRUE(levels[std::string(to_string(c.field))].is_string());
  }
}

}  // namespace
}  // namespace joindots::link
