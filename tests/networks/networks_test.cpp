#include "networks/networks.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "networks/summary.hpp"

namespace joindots::networks {
namespace {

PersonKey suspect(std::int64_t id) { return {Role::suspect, id}; }
PersonKey victim(std::int64_t id) { return {Role::victim, id}; }

NetworkRecord rec(PersonKey p, std::string org, std::string case_ref, std::string lad = "", std::string pfa = "",
                  std::int64_t offences = 1, std::string date = "2022-01-01") {
  NetworkRecord r;
  r.person = p;
  r.source_org = std::move(org);
  r.record_id = "R" + std::to_string(p.person_id) + case_ref;
  r.case_ref = std::move(case_ref);
  r.lad_cd = std::move(lad);
  r.pfa_cd = std::move(pfa);
  r.first = r.last = *Date::parse(date);
  r.offences = offences;
  return r;
}

std::int64_t net(const NetworkResult& r, PersonKey p) { return r.network_of_suspect.at(p); }

// Group A (suspects 1, 2) and group B (suspects 3, 4) in their own cases; victim 10 was
// exploited by both, so she is recorded in both cases. One shared victim is one bridge:
// the groups stay apart, and she belongs to both networks.
TEST(NetworkComponents, TwoGroupsSharingOneVictimStayApart) {
  const std::vector<NetworkRecord> records = {
      rec(suspect(1), "P1", "OP-A"), rec(suspect(2), "P1", "OP-A"), rec(victim(10), "P1", "OP-A"),
      rec(victim(11), "P1", "OP-A"), rec(suspect(3), "P2", "OP-B"), rec(suspect(4), "P2", "OP-B"),
      rec(victim(10), "P2", "OP-B"), rec(victim(12), "P2", "OP-B")};
  const auto r = find_networks(records);
  ASSERT_EQ(r.networks.size(), 2u);
  EXPECT_EQ(net(r, suspect(1)), net(r, suspect(2)));
  EXPECT_EQ(net(r, suspect(3)), net(r, suspect(4)));
  EXPECT_NE(net(r, suspect(1)), net(r, suspect(3)));
  EXPECT_EQ(r.bridges_refused, 1);
  for (const auto& n : r.networks) {
    EXPECT_EQ(n.victims.size(), 2u);
    EXPECT_NE(std::find(n.victims.begin(), n.victims.end(), victim(10)), n.victims.end());
  }
  // Without the guard (plain connected components) the one victim merges them.
  EXPECT_EQ(find_networks(records, NetworkOptions{1}).networks.size(), 1u);
}

// Suspect 3 of group B was recorded in group A's operation (he abused one of its victims
// once) and in B's own cases, where most offences are put to him: A and B stay apart,
// and he sits in B.
TEST(NetworkComponents, SuspectInAnotherGroupsCaseGoesWhereHeOffends) {
  const std::vector<NetworkRecord> records = {
      rec(suspect(1), "P1", "OP-A", "", "", 6), rec(suspect(2), "P1", "OP-A", "", "", 4),
      rec(suspect(3), "P1", "OP-A", "", "", 1), rec(suspect(3), "P1", "CR-B", "", "", 5),
      rec(suspect(4), "P1", "CR-B", "", "", 3)};
  const auto r = find_networks(records);
  ASSERT_EQ(r.networks.size(), 2u);
  EXPECT_EQ(net(r, suspect(3)), net(r, suspect(4)));
  EXPECT_NE(net(r, suspect(3)), net(r, suspect(1)));
  // Both cases are one force's: the cross-source exception does not apply.
  EXPECT_EQ(r.bridges_refused, 1);
  EXPECT_EQ(r.bridges_cross_source, 0);
}

// One group in two forces: an operation in force P1 records suspects 1 and 2; force P2,
// with a crime reference per victim, records suspect 2 with victim 11 and suspect 3 with
// victim 12. The linker found suspect 2 in both forces' files; that one suspect joins the
// two forces' cases, and suspect 3's case stays apart (it shares no one). Victim 10 lives in
// P2's area and victim 11 in P1's, so without the exception both fragments would span both
// forces: one cross-force group counted twice.
TEST(NetworkComponents, OneSuspectInTwoForcesCasesJoinsThem) {
  const std::vector<NetworkRecord> records = {
      rec(suspect(1), "P1", "OP-A", "E08000003", "P1", 8), rec(suspect(2), "P1", "OP-A", "E08000003", "P1", 3),
      rec(victim(10), "P1", "OP-A", "E06000008", "P2"),    rec(suspect(2), "P2", "CR-1", "E06000008", "P2", 4),
      rec(victim(11), "P2", "CR-1", "E08000003", "P1"),    rec(suspect(3), "P2", "CR-2", "E06000008", "P2"),
      rec(victim(12), "P2", "CR-2", "E06000008", "P2")};
  const auto r = find_networks(records);
  ASSERT_EQ(r.networks.size(), 2u);
  EXPECT_EQ(net(r, suspect(1)), net(r, suspect(2)));
  EXPECT_NE(net(r, suspect(1)), net(r, suspect(3)));
  EXPECT_EQ(r.bridges_joined, 1);
  EXPECT_EQ(r.bridges_cross_source, 1);
  const Network& joined = r.networks[0];
  EXPECT_EQ(joined.suspects.size(), 2u);
  EXPECT_EQ(joined.victims, (std::vector<PersonKey>{victim(10), victim(11)}));
  EXPECT_EQ(joined.pfas, (std::vector<std::string>{"P1", "P2"}));
  EXPECT_EQ(r.networks[1].pfas, (std::vector<std::string>{"P2"}));

  // Without the exception the one suspect is refused: suspect 2 goes where most offences are
  // put to him (P2's case) and the group splits into fragments that each span both forces.
  NetworkOptions strict;
  strict.cross_source_suspect = false;
  const auto s = find_networks(records, strict);
  ASSERT_EQ(s.networks.size(), 3u);
  EXPECT_NE(net(s, suspect(1)), net(s, suspect(2)));
  EXPECT_EQ(s.bridges_refused, 1);
  int cross_force = 0;
  for (const auto& n : s.networks) cross_force += n.cross_force();
  EXPECT_EQ(cross_force, 2);
}

// The exception needs a suspect: one victim recorded by two forces (a child two groups
// exploited, or a false link of victims) does not join their cases.
TEST(NetworkComponents, OneVictimInTwoForcesCasesDoesNotJoinThem) {
  const std::vector<NetworkRecord> records = {rec(suspect(1), "P1", "OP-A"), rec(victim(10), "P1", "OP-A"),
                                              rec(suspect(2), "P2", "OP-B"), rec(victim(10), "P2", "OP-B")};
  const auto r = find_networks(records);
  EXPECT_EQ(r.networks.size(), 2u);
  EXPECT_EQ(r.bridges_refused, 1);
}

// A chain of suspects across cases X - Y - Z (two forces): each consecutive pair of cases
// shares two persons (a suspect and a victim), so the chain joins into one network.
TEST(NetworkComponents, ChainOfSuspectsAcrossCasesJoins) {
  const std::vector<NetworkRecord> records = {
      rec(suspect(1), "P1", "X", "E08000003", "E23000005"), rec(suspect(2), "P1", "X"), rec(victim(20), "P1", "X"),
      rec(suspect(2), "P1", "Y"), rec(victim(20), "P1", "Y"), rec(suspect(3), "P1", "Y"),
      rec(suspect(3), "P2", "Z", "E06000008", "E23000003"), rec(victim(21), "P2", "Z"), rec(suspect(4), "P2", "Z"),
      rec(victim(21), "P1", "Y")};
  const auto r = find_networks(records);
  ASSERT_EQ(r.networks.size(), 1u);
  const Network& n = r.networks[0];
  EXPECT_EQ(n.suspects.size(), 4u);
  EXPECT_EQ(n.victims.size(), 2u);
  EXPECT_EQ(n.cases, 3);
  EXPECT_TRUE(n.cross_force());
  EXPECT_EQ(n.lads, (std::vector<std::string>{"E06000008", "E08000003"}));
  EXPECT_EQ(r.bridges_joined, 2);
}

TEST(NetworkComponents, ExtentPeriodAndUnattachedPersons) {
  auto a = rec(suspect(1), "P1", "C", "E08000003", "E23000005", 1, "2020-03-01");
  auto b = rec(victim(9), "P1", "C", "E08000003", "E23000005", 1, "2020-01-15");
  // A record outside the network's cases dates the network but does not stretch its extent.
  auto c = rec(victim(9), "LA", "", "E06000008", "E23000003", 1, "2021-06-01");
  c.last = *Date::parse("2021-09-30");
  const auto lone = rec(suspect(2), "LA", "");  // no case: in no network
  const auto r = find_networks({a, b, c, lone});
  ASSERT_EQ(r.networks.size(), 1u);
  const Network& n = r.networks[0];
  EXPECT_EQ(n.first.str(), "2020-01-15");
  EXPECT_EQ(n.last.str(), "2021-09-30");
  EXPECT_EQ(n.pfas, (std::vector<std::string>{"E23000005"}));
  EXPECT_EQ(n.records, 3);
  EXPECT_EQ(r.suspects, 2);
  EXPECT_EQ(r.unattached_suspects, 1);
  EXPECT_EQ(r.network_of_suspect.count(suspect(2)), 0u);
  EXPECT_THROW(find_networks({a}, NetworkOptions{0}), std::invalid_argument);
}

// Victim 10 was exploited by group A in force P1 and by group B in force P2; both forces
// recorded her. She belongs to both networks, but her record in B's case does not carry A
// into P2 (nor B into P1): each network spans the forces of its own cases.
TEST(NetworkComponents, VictimOfTwoGroupsDoesNotStretchEitherNetwork) {
  const std::vector<NetworkRecord> records = {
      rec(suspect(1), "P1", "OP-A", "E08000003", "P1"), rec(suspect(2), "P1", "OP-A", "E08000003", "P1"),
      rec(victim(10), "P1", "OP-A", "E08000003", "P1"), rec(suspect(3), "P2", "OP-B", "E06000008", "P2"),
      rec(victim(10), "P2", "OP-B", "E08000003", "P1"), rec(victim(12), "P2", "OP-B", "E06000008", "P2")};
  const auto r = find_networks(records);
  ASSERT_EQ(r.networks.size(), 2u);
  const Network& a = r.networks[0];  // two suspects: listed first
  const Network& b = r.networks[1];
  EXPECT_EQ(a.suspects, (std::vector<PersonKey>{suspect(1), suspect(2)}));
  EXPECT_EQ(a.victims, std::vector<PersonKey>{victim(10)});
  EXPECT_EQ(b.victims, (std::vector<PersonKey>{victim(10), victim(12)}));
  EXPECT_EQ(a.pfas, std::vector<std::string>{"P1"});
  EXPECT_EQ(a.cases, 1);
  // B's own case records victim 10's home in P1's area: B spans both forces.
  EXPECT_EQ(b.pfas, (std::vector<std::string>{"P1", "P2"}));
}

// A victim and a suspect may carry the same person id number (ids are per role): they are
// different persons.
TEST(NetworkComponents, PersonsAreKeyedByRole) {
  const auto r = find_networks({rec(suspect(5), "P1", "C"), rec(victim(5), "P1", "C")});
  ASSERT_EQ(r.networks.size(), 1u);
  EXPECT_EQ(r.networks[0].suspects.size(), 1u);
  EXPECT_EQ(r.networks[0].victims.size(), 1u);
}

TEST(NetworkSummaryTiers, PublicTierHidesSmallNetworksAndSmallCounts) {
  std::vector<NetworkRecord> records;
  // One large network (12 suspects, 3 victims, two districts) and three small ones.
  for (int s = 1; s <= 12; ++s) records.push_back(rec(suspect(s), "P1", "BIG", s % 2 ? "E08000003" : "E08000006"));
  for (int v = 1; v <= 3; ++v) records.push_back(rec(victim(v), "P1", "BIG"));
  for (int k = 0; k < 3; ++k) records.push_back(rec(suspect(100 + k), "P2", "S" + std::to_string(k), "E06000008"));
  const auto result = find_networks(records);
  const auto summary = summarise(result);
  EXPECT_EQ(summary.networks, 4);
  EXPECT_EQ(summary.size_distribution[0].networks, 3);  // "1"
  EXPECT_EQ(summary.size_distribution[4].networks, 1);  // "10+"
  ASSERT_EQ(summary.top_area_pairs.size(), 1u);
  EXPECT_EQ(summary.top_area_pairs[0].networks, 1);

  const auto pub = public_json(result, summary);
  EXPECT_TRUE(pub["networks"].is_null());            // 4 < 10: suppressed
  EXPECT_TRUE(pub["size_distribution"]["1"].is_null());
  EXPECT_TRUE(pub["top_area_pairs"].empty());         // a pair spanned by 1 network is not described
  ASSERT_EQ(pub["large_networks"].size(), 1u);        // only the network of 15 persons
  EXPECT_EQ(pub["large_networks"][0]["suspects"], 10);  // rounded to base 5
  EXPECT_TRUE(pub["large_networks"][0]["victims"].is_null());  // 3 victims: suppressed like any count below 10
  EXPECT_EQ(pub.dump().find("person_id"), std::string::npos);

  const auto restricted = restricted_json(result);
  ASSERT_EQ(restricted["networks"].size(), 4u);
  EXPECT_EQ(restricted["networks"][0]["suspects"].size(), 12u);
}

}  // namespace
}  // namespace joindots::networks
