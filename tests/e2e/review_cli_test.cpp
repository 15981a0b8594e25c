// `joindots link --db` and the clerical decisions saved in the store (issue 17, item 5): the
// next run honours them (a pair joined, a pair split), says how many it applied and how many
// no longer match a pair, lets --decisions FILE win on a pair both decide, and leaves them
// out with --no-stored-decisions.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>
#include <nlohmann/json.hpp>

#include "store/review_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::run_cli;

/// The person of each victim record in the latest link run, by (org, record id).
std::map<std::pair<std::string, std::string>, std::int64_t> persons(const std::string& db) {
  SqliteStore store(db, false);
  std::map<std::pair<std::string, std::string>, std::int64_t> out;
  const auto run = store.latest_link_run(Role::victim);
  if (!run) return out;
  store.for_each_linked_record(*run, Role::victim,
                               [&](const LinkedRecord& r) { out[{r.source_org, r.record_id}] = r.person_id; });
  return out;
}

struct Pair {
  std::string org_a, id_a, org_b, id_b;
};

bool together(const std::map<std::pair<std::string, std::string>, std::int64_t>& p, const Pair& pair) {
  const auto a = p.find({pair.org_a, pair.id_a}), b = p.find({pair.org_b, pair.id_b});
  return a != p.end() && b != p.end() && a->second == b->second;
}

class ReviewCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    const auto d = dir_->path();
    ASSERT_EQ(run_cli(fmt::format("simulate --quiet --seed 7 --scale 0.3 --out {}", (d / "country").string()))
                  .exit_code,
              0);
    ASSERT_EQ(run_cli(fmt::format("ingest --quiet --db {} {}", db(), (d / "country" / "agencies").string())).exit_code,
              0);
    const auto linked = run_cli(fmt::format("link --quiet --db {} --role victim", db()));
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    // From the band: the most probable pair the run joined, and the most probable pair below
    // the threshold (0.5) it kept apart (one above it was kept apart by a guard, which a
    // clerical match does not lift: a hard identifier conflict or one record per source).
    SqliteStore store(db(), false);
    const auto run = store.latest_link_run(Role::victim);
    ASSERT_TRUE(run);
    const auto page = ReviewStore::open(db())->page(*run, Role::victim, 0, 100000);
    for (const auto& item : page.items) {
      const auto& p = item.pair;
      Pair pair{p.a.source_org, p.a.record_id, p.b.source_org, p.b.record_id};
      if (p.a.person_id == p.b.person_id && joined_.id_a.empty()) joined_ = pair;
      if (p.a.person_id != p.b.person_id && p.probability < 0.5 && apart_.id_a.empty()) apart_ = pair;
    }
    ASSERT_FALSE(joined_.id_a.empty()) << "no joined pair in the band of " << page.total;
    ASSERT_FALSE(apart_.id_a.empty()) << "no pair kept apart in the band of " << page.total;
    before_ = persons(db());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string db() { return (dir_->path() / "hub.db").string(); }
  static void decide(const Pair& p, ClericalVerdict verdict) {
    SqliteStore store(db(), false);
    ClericalDecision d;
    d.org_a = p.org_a;
    d.record_id_a = p.id_a;
    d.org_b = p.org_b;
    d.record_id_b = p.id_b;
    d.verdict = verdict;
    d.actor = "token-file";
    ReviewStore::open(db())->add_decision(d, store.latest_link_run(Role::victim));
  }

  static testing::TempDir* dir_;
  static Pair joined_, apart_;
  static std::map<std::pair<std::string, std::string>, std::int64_t> before_;
};
testing::TempDir* ReviewCli::dir_ = nullptr;
Pair ReviewCli::joined_, ReviewCli::apart_;
std::map<std::pair<std::string, std::string>, std::int64_t> ReviewCli::before_;

}  // namespace

TEST_F(ReviewCli, TheNextRunHonoursTheStoredDecisionsAFileWinsAndTheyCanBeLeftOut) {
  ASSERT_TRUE(together(before_, joined_));
  ASSERT_FALSE(together(before_, apart_));
  decide(joined_, ClericalVerdict::non_match);
  decide(apart_, ClericalVerdict::match);

  auto run = run_cli(fmt::format("link --quiet --db {} --role victim", db()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("clerical decisions: 2 applied (2 stored, 0 from --decisions); 0 stored no longer match"),
            std::string::npos)
      << run.out;
  auto after = persons(db());
  EXPECT_FALSE(together(after, joined_));  // split
  EXPECT_TRUE(together(after, apart_));    // joined

  // A file deciding the split pair a match wins over the store's non-match.
  const auto file = dir_->path() / "reviewed.csv";
  testing::write_file(file, fmt::format("source_a,id_a,source_b,id_b,decision\n{},{},{},{},match\n", joined_.org_b,
                                        joined_.id_b, joined_.org_a, joined_.id_a));
  run = run_cli(fmt::format("link --quiet --json --db {} --role victim --decisions {}", db(), file.string()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out)["decisions"];
  EXPECT_EQ(j["applied"], 2) << j;
  EXPECT_EQ(j["stored_applied"], 1) << j;
  EXPECT_EQ(j["from_file_applied"], 1) << j;
  EXPECT_EQ(j["stored_overridden_by_file"], 1) << j;
  after = persons(db());
  EXPECT_TRUE(together(after, joined_));
  EXPECT_TRUE(together(after, apart_));

  // Left out: the model's own decisions, as before any review.
  run = run_cli(fmt::format("link --quiet --db {} --role victim --no-stored-decisions", db()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("clerical decisions"), std::string::npos) << run.out;
  after = persons(db());
  EXPECT_TRUE(together(after, joined_));
  EXPECT_FALSE(together(after, apart_));

  // An unsure decision, the pair's latest, leaves the model's decision in force.
  decide(apart_, ClericalVerdict::unsure);
  // A record whose id changed since: its decision no longer matches a pair, and is counted.
  sqlite::Database(dir_->path() / "hub.db", false)
      .exec(fmt::format(
          "UPDATE records SET record_id = record_id || '-re' WHERE source_org = '{}' AND record_id = '{}'",
          joined_.org_a, joined_.id_a));
  run = run_cli(fmt::format("link --quiet --db {} --role victim", db()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("clerical decisions: 0 applied (0 stored, 0 from --decisions); 1 stored no longer match"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(together(persons(db()), apart_));
  EXPECT_EQ(run_cli(fmt::format("link --input {} --no-stored-decisions", file.string())).exit_code, 1);
}

TEST(LinkCli, PairFloorSetsWhichComparedPairsAreSaved) {
  testing::TempDir dir;
  const auto db = (dir.path() / "hub.db").string();
  const auto country = dir.path() / "c";
  ASSERT_EQ(run_cli(fmt::format("simulate --quiet --seed 5 --scale 0.1 --out {}", country.string())).exit_code, 0);
  ASSERT_EQ(run_cli(fmt::format("ingest --quiet --db {} {}", db, (country / "agencies").string())).exit_code, 0);
  const auto saved = [&](const std::string& floor) {
    const auto run = run_cli(fmt::format("link --quiet --db {} --role victim {}", db, floor));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    SqliteStore store(db, false);
    std::vector<double> p;
    store.for_each_link_pair(*store.latest_link_run(Role::victim), Role::victim,
                             [&](const LinkedPair& pair) { p.push_back(pair.probability); });
    return p;
  };
  const auto by_default = saved(""), above = saved("--pair-floor 0.3");
  ASSERT_FALSE(above.empty());
  EXPECT_LT(above.size(), by_default.size());
  EXPECT_GE(*std::min_element(above.begin(), above.end()), 0.3);
  EXPECT_GE(*std::min_element(by_default.begin(), by_default.end()), 0.05);
  EXPECT_EQ(run_cli("link --input x.csv --pair-floor 0.1").exit_code, 1);
}

}  // namespace joindots
