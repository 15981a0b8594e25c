#include "link/cluster.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "core/rng.hpp"

namespace joindots::link {

namespace {

struct Component {
  std::vector<std::uint32_t> members;
  std::vector<std::string> hard;  // one value per hard field, empty = none yet
  std::unordered_map<std::uint32_t, int> per_source;
};

// Hard rules: two components with different values of a hard field never merge.
bool hard_conflict(const Component& a, const Component& b, std::size_t n_hard) {
  bool conflict = false;
  for (std::size_t h = 0; h < n_hard && !conflict; ++h)
    conflict = !a.hard[h].empty() && !b.hard[h].empty() && a.hard[h] != b.hard[h];
  return conflict;
}

// True when the merge would put more records of one source in a person than its limit.
bool over_source_limit(const Component& a, const Component& b, const ClusterOptions& opt) {
  bool over = false;
  for (const auto& [s, c] : b.per_source) {
    auto it = a.per_source.find(s);
    const int limit =
        s < opt.source_limit.size() && opt.source_limit[s] > 0 ? opt.source_limit[s] : opt.max_per_source;
    if (limit > 0 && it != a.per_source.end() && it->second + c > limit) over = true;
  }
  return over;
}

// Average linkage between two components: the mean probability over their cross pairs, or
// over cohesion_sample pairs drawn at random when there are more. `pairs` and `values` are
// the caller's, kept between calls.
double cohesion(const Component& a, const Component& b, const ClusterInput& in, const ClusterOptions& opt, Rng& rng,
                std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::vector<double>& values) {
  const std::size_t cross = a.members.size() * b.members.size();
  pairs.clear();
  if (cross <= opt.cohesion_sample) {
    for (auto x : a.members)
      for (auto y : b.members) pairs.emplace_back(x, y);
  } else {
    for (std::size_t s = 0; s < opt.cohesion_sample; ++s) {
      const auto x = a.members[rng.below(a.members.size())];
      const auto y = b.members[rng.below(b.members.size())];
      pairs.emplace_back(x, y);
    }
  }
  if (in.probabilities) {
    in.probabilities(pairs, values);
  } else {
    values.resize(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) values[i] = in.probability(pairs[i].first, pairs[i].second);
  }
  double sum = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) sum += values[i];
  return sum / static_cast<double>(pairs.size());
}

}  // namespace

ClusterResult cluster_pairs(ClusterInput in, const ClusterOptions& opt) {
  const std::size_t n = in.records;
  std::vector<std::uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  std::vector<Component> comp(n);
  const std::size_t n_hard = in.hard_values.empty() ? 0 : in.hard_values.front().size();
  for (std::uint32_t i = 0; i < n; ++i) {
    comp[i].members = {i};
    if (n_hard) comp[i].hard = in.hard_values[i];
    if (!in.source.empty()) comp[i].per_source[in.source[i]] = 1;
  }
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> cannot;
  for (auto [a, b] : in.cannot_link) cannot[a].push_back(b), cannot[b].push_back(a);

  std::vector<ScoredPair> edges;
  for (const auto& p : in.pairs)
    if (p.probability >= opt.threshold) edges.push_back(p);
  std::sort(edges.begin(), edges.end(), [](const ScoredPair& x, const ScoredPair& y) {
    if (x.probability != y.probability) return x.probability > y.probability;
    if (x.weight != y.weight) return x.weight > y.weight;
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  const bool limited = opt.max_per_source > 0 ||
                       std::any_of(opt.source_limit.begin(), opt.source_limit.end(), [](int l) { return l > 0; });
  ClusterResult res;
  res.edges = static_cast<std::int64_t>(edges.size());
  Rng rng(opt.seed, "cluster-cohesion");
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cohesion_pairs;
  std::vector<double> cohesion_values;
  for (const auto& e : edges) {
    std::uint32_t ra = find(e.a), rb = find(e.b);
    if (ra == rb) continue;
    Component& A = comp[ra];
    Component& B = comp[rb];
    if (hard_conflict(A, B, n_hard)) {
      ++res.refused_hard;
      continue;
    }
    if (limited && !in.source.empty() && over_source_limit(A, B, opt)) {
      ++res.refused_source;
      continue;
    }
    if (!cannot.empty()) {
      const Component& small = A.members.size() < B.members.size() ? A : B;
      const std::uint32_t other = &small == &A ? rb : ra;
      bool blocked = false;
      for (auto x : small.members) {
        auto it = cannot.find(x);
        if (it == cannot.end()) continue;
        for (auto y : it->second)
          if (find(y) == other) blocked = true;
      }
      if (blocked) {
        ++res.refused_clerical;
        continue;
      }
    }
    // Cohesion (average linkage) for merges beyond two single records.
    if (opt.min_cohesion > 0 && !e.clerical && in.probability && A.members.size() * B.members.size() > 1) {
      const bool within_usual_size = A.members.size() + B.members.size() <= opt.relaxed_up_to;
      const double floor = within_usual_size ? opt.relaxed_min_cohesion : opt.min_cohesion;
      if (cohesion(A, B, in, opt, rng, cohesion_pairs, cohesion_values) < floor) {
        ++res.refused_cohesion;
        continue;
      }
    }
    // Merge the smaller into the larger.
    if (A.members.size() < B.members.size()) std::swap(ra, rb);
    Component& big = comp[ra];
    Component& small = comp[rb];
    big.members.insert(big.members.end(), small.members.begin(), small.members.end());
    for (std::size_t h = 0; h < n_hard; ++h)
      if (big.hard[h].empty()) big.hard[h] = small.hard[h];
    for (const auto& [s, c] : small.per_source) big.per_source[s] += c;
    small = Component{};
    parent[rb] = ra;
    ++res.merges;
  }
  res.cluster.assign(n, 0);
  std::unordered_map<std::uint32_t, std::uint32_t> id_of_root;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto r = find(i);
    auto [it, fresh] = id_of_root.emplace(r, static_cast<std::uint32_t>(id_of_root.size()));
    res.cluster[i] = it->second;
    res.largest = std::max(res.largest, comp[r].members.size());
  }
  res.clusters = id_of_root.size();
  return res;
}

}  // namespace joindots::link
