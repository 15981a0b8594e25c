#include "link/cluster.hpp"

#include <gtest/gtest.h>

#include <map>

namespace joindots::link {
namespace {

ClusterInput graph(std::size_t n, std::vector<ScoredPair> pairs) {
  ClusterInput in;
  in.records = n;
  in.pairs = std::move(pairs);
  // Pairs not listed have probability 0.
  auto table = std::make_shared<std::map<std::pair<std::uint32_t, std::uint32_t>, double>>();
  for (const auto& p : in.pairs) (*table)[std::minmax(p.a, p.b)] = p.probability;
  in.probability = [table](std::uint32_t a, std::uint32_t b) {
    auto it = table->find(std::minmax(a, b));
    return it == table->end() ? 0.0 : it->second;
  };
  return in;
}

ScoredPair edge(std::uint32_t a, std::uint32_t b, float p) { return {a, b, p * 10, p, false}; }

TEST(LinkCluster, ConnectedComponentsAboveThreshold) {
  auto r = cluster_pairs(graph(5, {edge(0, 1, 0.9f), edge(1, 2, 0.8f), edge(3, 4, 0.3f)}), {0.5, 0.0});
  EXPECT_EQ(r.clusters, 3u);
  EXPECT_EQ(r.cluster[0], r.cluster[2]);
  EXPECT_NE(r.cluster[3], r.cluster[4]);
  EXPECT_EQ(r.largest, 3u);
}

// A chain 0-1-2-3-4-5 where only neighbours resemble each other: without the guard it is
// one cluster; with average linkage it breaks up.
TEST(LinkCluster, CohesionGuardBreaksChains) {
  std::vector<ScoredPair> chain;
  for (std::uint32_t i = 0; i + 1 < 6; ++i) chain.push_back(edge(i, i + 1, 0.9f));
  auto loose = cluster_pairs(graph(6, chain), {0.5, 0.0});
  EXPECT_EQ(loose.clusters, 1u);
  auto guarded = cluster_pairs(graph(6, chain), {0.5, 0.5});
  EXPECT_GT(guarded.clusters, 1u);
  EXPECT_GT(guarded.refused_cohesion, 0);
  EXPECT_LE(guarded.largest, 2u);
}

// A person of many loose records: 0-1-2 agree well, 3 and 4 each score high with one member
// and near zero with the rest (their mean with the cluster is 1/3 and 1/4). The full guard
// (0.5) keeps them out; relaxed to 0.2 within the usual size of 5 they join, and a sixth
// record that would take the cluster past that size still needs the full guard.
TEST(LinkCluster, SizeAwareCohesionAdmitsLooseMembersWithinTheUsualSize) {
  std::vector<ScoredPair> pairs = {edge(0, 1, 0.99f), edge(1, 2, 0.98f), edge(0, 2, 0.97f),
                                   edge(2, 3, 0.96f), edge(3, 4, 0.95f), edge(4, 5, 0.94f)};
  ClusterOptions full{0.5, 0.5};
  auto strict = cluster_pairs(graph(6, pairs), full);
  EXPECT_EQ(strict.largest, 3u);
  ClusterOptions relaxed = full;
  relaxed.relaxed_up_to = 5;
  relaxed.relaxed_min_cohesion = 0.2;
  auto r = cluster_pairs(graph(6, pairs), relaxed);
  EXPECT_EQ(r.largest, 5u);
  EXPECT_EQ(r.cluster[0], r.cluster[4]);
  EXPECT_NE(r.cluster[4], r.cluster[5]);  // a sixth member would pass the usual size: mean 1/5 < 0.5
  EXPECT_EQ(r.refused_cohesion, 1);
}

// Two tight triangles joined by one strong bridge edge stay apart under the guard.
TEST(LinkCluster, BridgeBetweenTrianglesIsRefused) {
  std::vector<ScoredPair> pairs = {edge(0, 1, 0.99f), edge(1, 2, 0.99f), edge(0, 2, 0.99f),
                                   edge(3, 4, 0.99f), edge(4, 5, 0.99f), edge(3, 5, 0.99f),
                                   edge(2, 3, 0.95f)};
  auto loose = cluster_pairs(graph(6, pairs), {0.5, 0.0});
  EXPECT_EQ(loose.clusters, 1u);
  auto guarded = cluster_pairs(graph(6, pairs), {0.5, 0.3});
  EXPECT_EQ(guarded.clusters, 2u);
  EXPECT_EQ(guarded.cluster[0], guarded.cluster[2]);
  EXPECT_EQ(guarded.cluster[3], guarded.cluster[5]);
  EXPECT_EQ(guarded.refused_cohesion, 1);
}

TEST(LinkCluster, HardRuleForbidsDifferentIdentifiers) {
  auto in = graph(3, {edge(0, 1, 0.99f), edge(1, 2, 0.98f)});
  in.hard_values = {{"A"}, {""}, {"B"}};  // 0 and 2 hold different NHS numbers
  auto r = cluster_pairs(in, {0.5, 0.0});
  EXPECT_EQ(r.cluster[0], r.cluster[1]);
  EXPECT_NE(r.cluster[1], r.cluster[2]);
  EXPECT_EQ(r.refused_hard, 1);
}

TEST(LinkCluster, MaxPerSourceMakesLinksOneToOne) {
  // Record 0 (file 0) resembles 1 and 2 (file 1): only the stronger link is kept.
  auto in = graph(3, {edge(0, 1, 0.95f), edge(0, 2, 0.9f)});
  in.source = {0, 1, 1};
  ClusterOptions opt{0.5, 0.0};
  opt.max_per_source = 1;
  auto r = cluster_pairs(in, opt);
  EXPECT_EQ(r.cluster[0], r.cluster[1]);
  EXPECT_NE(r.cluster[0], r.cluster[2]);
  EXPECT_EQ(r.refused_source, 1);
}

TEST(LinkCluster, ClericalNonMatchSeparates) {
  auto in = graph(3, {edge(0, 1, 0.95f), edge(1, 2, 0.9f)});
  in.cannot_link = {{0, 2}};
  auto r = cluster_pairs(in, {0.5, 0.0});
  EXPECT_NE(r.cluster[0], r.cluster[2]);
  EXPECT_EQ(r.refused_clerical, 1);
}

}  // namespace
}  // namespace joindots::link
