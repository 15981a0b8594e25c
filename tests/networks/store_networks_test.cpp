#include "networks/store_networks.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "link/store_link.hpp"
#include "simulate/config.hpp"
#include "simulate/simulate.hpp"
#include "test_support.hpp"

namespace joindots::networks {
namespace {

// A small simulated country (scale 0.3), ingested, linked, and its networks compared with
// the true offending groups; then the CLI on the same store.
TEST(NetworkStore, SmallSimulatedCountryAgainstTruth) {
  joindots::testing::TempDir dir;
  const AreaTable& areas = joindots::testing::test_areas();
  simulate::SimConfig config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", 0.3);
  simulate::SimulateOptions sim;
  sim.seed = 5;
  sim.out_dir = dir.path() / "sim";
  simulate::simulate(config, sim, areas);
  const auto db = dir.path() / "hub.db";
  {
    auto store = Store::open(db.string(), true);
    for (const auto& f : std::filesystem::directory_iterator(sim.out_dir / "agencies"))
      if (f.path().extension() == ".csv") ingest_file(*store, areas, f.path());
    EXPECT_THROW(run_networks(*store, areas, {}), UsageError);  // not linked yet
    link::link_store(*store, link::LinkSettings{}, link::StoreLinkOptions{});

    NetworksRunOptions options;
    options.truth_dir = sim.out_dir;
    const NetworksRun run = run_networks(*store, areas, options);
    ASSERT_TRUE(run.evaluation);
    const auto& ev = *run.evaluation;
    EXPECT_GT(ev.suspects_compared, 300);
    // Default scenario, seed 1: ARI 0.886. The floor leaves room for a smaller country.
    EXPECT_GE(ev.agreement.ari, 0.8) << "precision " << ev.agreement.precision << " recall " << ev.agreement.recall;
    EXPECT_GE(ev.agreement.precision, 0.85);
    EXPECT_GT(ev.true_networks, 100);
    EXPECT_GT(ev.true_cross_force, 0);
    EXPECT_GT(ev.found_cross_force, 0);
    EXPECT_LT(std::abs(ev.found_cross_force - ev.true_cross_force), ev.true_cross_force)
        << ev.found_cross_force << " found, " << ev.true_cross_force << " true";
    EXPECT_EQ(run.summary.networks, static_cast<std::int64_t>(run.result.networks.size()));
    EXPECT_GT(run.run_id, 0);
    EXPECT_EQ(store->summary().runs, run.run_id);  // the link run and this one
  }

  const auto r = joindots::testing::run_cli("networks --db '" + db.string() + "' --truth '" +
                                            sim.out_dir.string() + "' --json -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"networks", "cross_force_networks", "size_distribution", "top_area_pairs", "ari",
                          "pairwise_precision", "pairwise_recall", "pairwise_f1", "true_networks",
                          "true_cross_force_networks"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_GT(j["ari"].get<double>(), 0.8);
  EXPECT_EQ(j["tier"], "public");
  EXPECT_EQ(r.out.find("person_id"), std::string::npos);

  const auto detail = dir.path() / "restricted.json";
  const auto r2 = joindots::testing::run_cli("networks --db '" + db.string() + "' -q --restricted '" +
                                             detail.string() + "'");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto restricted = nlohmann::json::parse(joindots::testing::read_file(detail));
  EXPECT_EQ(restricted["tier"], "restricted");
  EXPECT_FALSE(restricted["networks"].empty());
  EXPECT_EQ(joindots::testing::run_cli("networks --db '" + db.string() + "' --min-bridge 0").exit_code, 1);
}

}  // namespace
}  // namespace joindots::networks
