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
    // This country (scale 0.3, seed 5) gives ARI 0.949 and 41 cross-force networks against
    // 40 true; the default scenario 0.900 (seed 1) and 0.914 (seed 20251231). The bounds
    // leave room for other small countries (seeds 6 and 7: 0.917, 0.909; +12%, -3%).
    EXPECT_GE(ev.agreement.ari, 0.88) << "precision " << ev.agreement.precision << " recall " << ev.agreement.recall;
    EXPECT_GE(ev.agreement.precision, 0.9);
    EXPECT_GE(ev.agreement.recall, 0.85);
    EXPECT_GT(ev.true_networks, 100);
    EXPECT_LT(std::abs(ev.found_networks - ev.true_networks), ev.true_networks / 6);
    EXPECT_GE(ev.true_cross_force, 20);
    EXPECT_LE(std::abs(ev.found_cross_force - ev.true_cross_force), ev.true_cross_force / 5)
        << ev.found_cross_force << " found, " << ev.true_cross_force << " true";
    EXPECT_GT(run.result.bridges_cross_source, 0);

    // Without the one-suspect exception across forces: fragments of cross-force groups
    // stay apart, so recall is lower and the cross-force count no closer to the truth.
    NetworkOptions strict;
    strict.cross_source_suspect = false;
    const auto alone = find_networks(run.records, strict);
    const auto ev_strict = evaluate_networks(run.records, alone, read_simulated_truth(sim.out_dir));
    EXPECT_EQ(alone.bridges_cross_source, 0);
    EXPECT_GT(ev.agreement.recall, ev_strict.agreement.recall);
    EXPECT_GE(ev.agreement.ari, ev_strict.agreement.ari);
    EXPECT_LE(std::abs(ev.found_cross_force - ev.true_cross_force),
              std::abs(ev_strict.found_cross_force - ev_strict.true_cross_force));
    EXPECT_EQ(run.summary.networks, static_cast<std::int64_t>(run.result.networks.size()));
    EXPECT_GT(run.run_id, 0);
    EXPECT_EQ(store->summary().runs, run.run_id);  // the link run and this one

    // The store holds the run's networks and which linked person is in which.
    ASSERT_EQ(store->latest_network_run(), run.run_id);
    const auto stored = store->networks();
    ASSERT_EQ(stored.size(), run.result.networks.size());
    std::int64_t members = 0, expected_members = 0;
    store->for_each_network_member([&](const NetworkMember&) { ++members; });
    for (const auto& n : run.result.networks) {
      expected_members += n.persons();
      const auto& s = stored[static_cast<std::size_t>(n.id - 1)];
      EXPECT_EQ(s.network_id, n.id);
      EXPECT_EQ(s.suspects, static_cast<std::int64_t>(n.suspects.size()));
      EXPECT_EQ(s.pfas, n.pfas);
      EXPECT_EQ(s.first_date, n.first);
    }
    EXPECT_EQ(members, expected_members);
    for (const auto& [person, network] : run.result.network_of_suspect) {
      const auto link_run = person.role == Role::suspect ? run.link_runs.suspect : run.link_runs.associate;
      EXPECT_EQ(store->networks_of_person(link_run, person.person_id), std::vector<std::int64_t>{network});
    }
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

  // The CLI's runs replaced the membership: the store holds the latest run's only.
  auto store = Store::open(db.string(), false);
  const auto held = store->latest_network_run();
  ASSERT_TRUE(held);
  EXPECT_EQ(*held, store->summary().runs);
  EXPECT_EQ(store->networks().size(), restricted["networks"].size());
}

// save_network_run on hand-built rows: a victim in two networks, replacement of the held
// run by the next, a failed save that leaves the held run whole, and a run with no network.
TEST(NetworkStore, MembershipIsReplacedWholeByTheNextRun) {
  joindots::testing::TempDir dir;
  auto store = Store::open((dir.path() / "hub.db").string(), true);
  const auto link = store->start_run("link", "{}");
  store->finish_run(link, "done", "{}");
  EXPECT_FALSE(store->latest_network_run());
  EXPECT_TRUE(store->networks().empty());

  auto network = [](std::int64_t id, std::vector<std::string> pfas) {
    StoredNetwork n;
    n.network_id = id;
    n.suspects = 1;
    n.victims = 1;
    n.cases = 1;
    n.records = 2;
    n.lads = {"E08000003"};
    n.pfas = std::move(pfas);
    n.first_date = Date{2021, 1, 1};
    n.last_date = Date{2021, 6, 30};
    return n;
  };
  NetworkRunOutput first;
  first.networks = {network(1, {"E23000003", "E23000005"}), network(2, {"E23000005"})};
  first.members = {{1, Role::suspect, link, 7}, {1, Role::victim, link, 30}, {2, Role::associate, link, 8},
                   {2, Role::victim, link, 30}};
  const auto run1 = store->start_run("networks", "{}");
  store->save_network_run(run1, first);
  EXPECT_EQ(store->latest_network_run(), run1);
  EXPECT_EQ(store->networks_of_person(link, 7), std::vector<std::int64_t>{1});
  EXPECT_EQ(store->networks_of_person(link, 30), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(store->networks_of_person(link, 99).empty());
  const auto nets = store->networks();
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0].pfas, (std::vector<std::string>{"E23000003", "E23000005"}));
  EXPECT_EQ(nets[1].lads, std::vector<std::string>{"E08000003"});
  std::vector<Role> roles;
  store->for_each_network_member([&](const NetworkMember& m) { roles.push_back(m.role); });
  EXPECT_EQ(roles, (std::vector<Role>{Role::suspect, Role::victim, Role::associate, Role::victim}));

  // A save that fails half-way (one member twice breaks the primary key) changes nothing.
  NetworkRunOutput broken;
  broken.networks = {network(1, {"E23000001"})};
  broken.members = {{1, Role::suspect, link, 9}, {1, Role::suspect, link, 9}};
  const auto run2 = store->start_run("networks", "{}");
  EXPECT_ANY_THROW(store->save_network_run(run2, broken));
  EXPECT_EQ(store->latest_network_run(), run1);
  EXPECT_EQ(store->networks().size(), 2u);
  EXPECT_TRUE(store->networks_of_person(link, 9).empty());
  EXPECT_EQ(store->networks_of_person(link, 30), (std::vector<std::int64_t>{1, 2}));

  // The next run replaces the held one whole.
  NetworkRunOutput second;
  second.networks = {network(1, {"E23000001"})};
  second.members = {{1, Role::suspect, link, 9}};
  const auto run3 = store->start_run("networks", "{}");
  store->save_network_run(run3, second);
  EXPECT_EQ(store->latest_network_run(), run3);
  EXPECT_EQ(store->networks().size(), 1u);
  EXPECT_TRUE(store->networks_of_person(link, 30).empty());
  EXPECT_EQ(store->networks_of_person(link, 9), std::vector<std::int64_t>{1});

  // A run that found no network is still the held run.
  const auto run4 = store->start_run("networks", "{}");
  store->save_network_run(run4, {});
  EXPECT_EQ(store->latest_network_run(), run4);
  EXPECT_TRUE(store->networks().empty());
  EXPECT_TRUE(store->networks_of_person(link, 9).empty());
}

}  // namespace
}  // namespace joindots::networks
