#pragma once
// Clustering scored pairs into persons: connected components of the pairs above a
// threshold, built by union-find over the pairs in decreasing order of probability, with
// guards against chaining (A~B, B~C, ... pulling unrelated records into one large, loose
// cluster):
//  - hard rules: two clusters are never merged when they hold different values of a field
//    that identifies a person (e.g. two valid, different NHS numbers), when the merge would
//    put more than `max_per_source` records of one source in a cluster (1 for 1:1 linkage
//    of two files), or when a clerical "non-match" decision separates them;
//  - cohesion: two clusters that are not both single records are merged only when the
//    mean match probability over all their cross pairs (a sample of them for big clusters)
//    is at least `min_cohesion` - average linkage, so a single strong edge cannot bridge
//    two groups whose other members do not resemble each other;
//  - size-aware cohesion: a merge whose result stays within `relaxed_up_to` records (the
//    size most clusters reach under the full guard, measured by link_records) needs only
//    `relaxed_min_cohesion`. Where persons hold many loose records (historical_50k: 3-21,
//    each missing some of the fields) a true member scores high with a few members and
//    near the prior with the rest; chaining shows as clusters beyond the usual size, and
//    those merges keep the full guard.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace joindots::link {

struct ScoredPair {
  std::uint32_t a = 0, b = 0;
  float weight = 0;
  float probability = 0;
  bool clerical = false;  // probability set by a clerical decision
};

struct ClusterOptions {
  double threshold = 0.5;     // pairs at or above this probability are edges
  double min_cohesion = 0.0;  // <= 0 turns the cohesion guard off
  std::size_t cohesion_sample = 256;
  int max_per_source = 0;     // 0 = no limit
  /// Per source, records a cluster may hold from it (0 = max_per_source); a source found to
  /// hold one record per person gets 1 (link/structure.hpp).
  std::vector<int> source_limit;
  std::uint64_t seed = 1;
  std::size_t relaxed_up_to = 0;      // merges into at most this many records need only...
  double relaxed_min_cohesion = 0.0;  // ...this mean probability (0 records = no relaxation)
};

struct ClusterInput {
  std::size_t records = 0;
  std::vector<ScoredPair> pairs;
  /// Per record, values of the hard-rule fields (empty = unknown); may be empty.
  std::vector<std::vector<std::string>> hard_values;
  /// Per record, its source (for max_per_source); may be empty.
  std::vector<std::uint32_t> source;
  /// Pairs a clerical decision says are different persons.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cannot_link;
  /// Match probability of any record pair (used by the cohesion guard).
  std::function<double(std::uint32_t, std::uint32_t)> probability;
  /// Optional: out[i] = probability(pairs[i]) for a batch of the cohesion guard's pairs (a
  /// caller whose records lie far apart in memory fetches them all ahead); the same values.
  std::function<void(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::vector<double>& out)>
      probabilities;
};

struct ClusterResult {
  std::vector<std::uint32_t> cluster;  // per record, 0..clusters-1 in order of first record
  std::size_t clusters = 0;
  std::int64_t edges = 0, merges = 0;
  std::int64_t refused_hard = 0, refused_source = 0, refused_clerical = 0, refused_cohesion = 0;
  std::size_t largest = 0;
};

ClusterResult cluster_pairs(ClusterInput input, const ClusterOptions& options);

}  // namespace joindots::link
