// The exact disclosure audit of public bundles: bundles built to leak (it must find the
// leak) and the public bundle of a simulated country (it must pass).
#include "report/bundle_audit.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "link/store_link.hpp"
#include "questions/four_questions.hpp"
#include "report/bundle.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots::report {

namespace {

using nlohmann::json;

json value(std::int64_t v) { return {{"value", v}}; }
json primary() { return {{"value", nullptr}, {"suppressed", "primary"}}; }
json secondary() { return {{"value", nullptr}, {"suppressed", "secondary"}}; }

/// A minimal public bundle: two districts in one region, nothing estimated.
json small_bundle(const json& a1, const json& a2, const json& region, const json& total) {
  return {{"schema", kBundleSchema},
          {"tier", "public"},
          {"disclosure", {{"suppress_below", 10}, {"round_to", 5}}},
          {"headline", {{"victims", nullptr}, {"areas", nullptr}, {"offences", nullptr}, {"still_involved", nullptr}}},
          {"areas",
           {{{"lad_cd", "E1"}, {"region", "R"}, {"count", a1}}, {{"lad_cd", "E2"}, {"region", "R"}, {"count", a2}}}},
          {"regions", {{{"region", "R"}, {"count", region}}}},
          {"area_counts", {{"measure", "victims"}, {"link_run", 1}, {"total", total}, {"no_area", value(0)}}},
          {"sources", json::array()},
          {"victim_records_total", value(0)},
          {"strata", json::array()},
          {"overlap", nullptr},
          {"linkage", json::array()}};
}

}  // namespace

TEST(BundleAudit, FindsADistrictPinnedByItsRegion) {
  // Region 12 (published 10), one district 10 (published 10): the other is 1 or 2.
  const auto audit = audit_public_bundle(small_bundle(primary(), value(10), value(10), value(10)));
  EXPECT_FALSE(audit.safe());
  ASSERT_EQ(audit.problems().size(), 1u);
  EXPECT_NE(audit.problems()[0].find("areas[E1] (primary): can be narrowed to 1-2"), std::string::npos)
      << audit.problems()[0];
}

TEST(BundleAudit, FindsALeakAcrossTablesThatTheReleasesDoNotShare) {
  // The map hides its region and national totals (secondary) and one district (secondary,
  // so at least 10) beside a small one; but the linkage diagnostics publish the same link
  // run's persons: 10 (10-12). So the small district is 1 or 2.
  auto b = small_bundle(primary(), secondary(), secondary(), secondary());
  b["linkage"] = {{{"role", "victim"}, {"run_id", 1}, {"records", value(40)}, {"persons", value(10)},
                   {"candidate_pairs", value(100)}, {"linked_pairs", value(30)}}};
  const auto audit = audit_public_bundle(b);
  EXPECT_FALSE(audit.safe());
  ASSERT_FALSE(audit.problems().empty());
  EXPECT_NE(audit.problems()[0].find("areas[E1] (primary): can be narrowed to 1-2"), std::string::npos)
      << audit.problems()[0];
  // The same bundle from another link run than the map's: no relation, no leak.
  b["linkage"][0]["run_id"] = 2;
  EXPECT_TRUE(audit_public_bundle(b).safe());
}

TEST(BundleAudit, FindsAStratumPinnedByTheKnownTotal) {
  auto b = small_bundle(value(0), value(100), value(100), value(100));
  b["headline"]["victims"] = {{"known", value(100)}};
  // 99 known: 91 female (published 90), 8 male. 98-102 minus 88-92 leaves 6-14: male is 6-9.
  b["strata"] = {{{"dimension", "sex"}, {"value", "F"}, {"known", value(90)}},
                 {{"dimension", "sex"}, {"value", "M"}, {"known", primary()}}};
  const auto audit = audit_public_bundle(b);
  ASSERT_EQ(audit.result.leaks.size(), 1u);
  EXPECT_EQ(audit.names[audit.result.leaks[0]], "strata[sex=M]");
  // Female 80 (78-82) with "not recorded" suppressed beside male: the two share 16-24, so
  // male can be anything 1-9 and "not recorded" 10-23.
  b["strata"][0]["known"] = value(80);
  b["strata"].push_back({{"dimension", "sex"}, {"value", "not recorded"}, {"known", secondary()}});
  const auto safe = audit_public_bundle(b);
  EXPECT_TRUE(safe.safe());
  for (const auto& p : safe.problems()) ADD_FAILURE() << p;
}

TEST(BundleAudit, FindsANetworkSizeBandPinnedByTheNetworksTotal) {
  // The networks stage publishes bare numbers and null; its total is its size bands' sum.
  auto b = small_bundle(value(0), value(100), value(100), value(100));
  b["networks"] = {{"networks", 10},
                   {"size_distribution", {{"1", 10}, {"2", nullptr}, {"3-4", 0}}},
                   {"cross_force_networks", 10},
                   {"multi_district_networks", nullptr}};
  const auto audit = audit_public_bundle(b);
  EXPECT_FALSE(audit.safe());
  bool named = false;
  for (const auto& p : audit.problems()) named = named || p.starts_with("networks.size_distribution[2] (primary)");
  EXPECT_TRUE(named) << (audit.problems().empty() ? "no problem" : audit.problems()[0]);
  // Hidden beside a hidden partner, the band is protected; the lone multi-district count is.
  b["networks"]["size_distribution"]["1"] = nullptr;
  b["networks"]["size_distribution"]["3-4"] = 0;
  b["networks"]["networks"] = 20;
  b["networks"]["size_distribution"]["5-9"] = 10;
  const auto protected_audit = audit_public_bundle(b);
  for (const auto& p : protected_audit.problems()) ADD_FAILURE() << p;
}

TEST(BundleAudit, RefusesARestrictedBundle) {
  auto b = small_bundle(value(3), value(10), value(13), value(13));
  b["tier"] = "restricted";
  EXPECT_THROW(audit_public_bundle(b), UsageError);
}

// A small simulated country, through linkage and estimation by region, police force area
// and sex: its public bundle passes the exact audit, and its restricted one would not.
TEST(BundleAudit, ThePublicBundleOfASimulatedCountryPasses) {
  testing::TempDir dir;
  auto config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", 0.3);
  const auto country = testing::simulate_ingest_link_victims(dir.path(), config, 7);
  SqliteStore& store = *country.store;
  questions::QuestionsOptions qo;
  qo.estimate.bootstrap_replicates = 50;
  qo.estimate.method = estimate::Method::LogLinear;
  qo.by = {"region", "pfa", "sex"};
  const auto answers = questions::answer_four_questions(store, testing::test_areas(), qo);
  const auto run = store.start_run("estimate", "{}");
  store.finish_run(run, "done", answers.to_json().dump());

  const auto pub = build_bundle(store, testing::test_areas(), Tier::Public);
  const auto audit = audit_public_bundle(pub);
  std::size_t suppressed = 0;
  for (const auto& c : audit.cells) suppressed += c.suppressed();
  EXPECT_GT(audit.cells.size(), 400u);
  EXPECT_GT(suppressed, 20u);  // the audit had work to do
  EXPECT_TRUE(audit.result.feasible);
  for (const auto& p : audit.problems()) ADD_FAILURE() << p;
  RecordProperty("cells", static_cast<int>(audit.cells.size()));
  RecordProperty("suppressed", static_cast<int>(suppressed));
  RecordProperty("relations", static_cast<int>(audit.relations.size()));
}

}  // namespace joindots::report
