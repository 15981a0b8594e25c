#include "link/evaluate.hpp"

#include <map>
#include <tuple>
#include <unordered_map>

#include "core/error.hpp"

namespace joindots::link {

namespace {

/// Pairs among `counts` (records per source) that count: all, or only across sources.
std::int64_t pairs_of(const std::map<std::uint32_t, std::int64_t>& per_source, bool cross) {
  std::int64_t n = 0, same = 0;
  for (const auto& [s, c] : per_source) n += c, same += c * (c - 1) / 2;
  return n * (n - 1) / 2 - (cross ? same : 0);
}

}  // namespace

Evaluation evaluate(const std::vector<std::uint32_t>& cluster, const std::vector<std::string>& truth,
                    const std::vector<std::uint32_t>* source) {
  Evaluation ev;
  const std::size_t n = cluster.size();
  if (truth.size() != n || (source && source->size() != n))
    throw InternalError("evaluate: cluster, truth and source need one entry per record");
  // Entity ids; an empty label is unique.
  std::unordered_map<std::string, std::uint32_t> entity_id;
  std::vector<std::uint32_t> entity(n);
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (truth[i].empty()) {
      entity[i] = next++;
      continue;
    }
    auto [it, fresh] = entity_id.emplace(truth[i], 0);
    if (fresh) it->second = next++;
    entity[i] = it->second;
  }
  const bool cross = source != nullptr;
  auto src = [&](std::size_t i) { return cross ? (*source)[i] : 0u; };
  std::map<std::uint32_t, std::map<std::uint32_t, std::int64_t>> by_cluster, by_entity;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::map<std::uint32_t, std::int64_t>> by_both;
  for (std::size_t i = 0; i < n; ++i) {
    ++by_cluster[cluster[i]][src(i)];
    ++by_entity[entity[i]][src(i)];
    ++by_both[{cluster[i], entity[i]}][src(i)];
  }
  for (const auto& [c, m] : by_cluster) ev.found_pairs += pairs_of(m, cross);
  for (const auto& [e, m] : by_entity) ev.true_pairs += pairs_of(m, cross);
  std::map<std::uint32_t, std::int64_t> cluster_size, entity_size;
  for (const auto& [c, m] : by_cluster)
    for (const auto& [s, k] : m) cluster_size[c] += k;
  for (const auto& [e, m] : by_entity)
    for (const auto& [s, k] : m) entity_size[e] += k;
  double bp = 0, br = 0;
  for (const auto& [ce, m] : by_both) {
    ev.true_positive_pairs += pairs_of(m, cross);
    std::int64_t k = 0;
    for (const auto& [s, c] : m) k += c;
    // Each of the k records in this cell scores k/|C| and k/|E|.
    bp += static_cast<double>(k) * static_cast<double>(k) / static_cast<double>(cluster_size[ce.first]);
    br += static_cast<double>(k) * static_cast<double>(k) / static_cast<double>(entity_size[ce.second]);
  }
  ev.precision = ev.found_pairs ? static_cast<double>(ev.true_positive_pairs) / static_cast<double>(ev.found_pairs) : 1;
  ev.recall = ev.true_pairs ? static_cast<double>(ev.true_positive_pairs) / static_cast<double>(ev.true_pairs) : 1;
  ev.f1 = ev.precision + ev.recall > 0 ? 2 * ev.precision * ev.recall / (ev.precision + ev.recall) : 0;
  if (n) {
    ev.bcubed_precision = bp / static_cast<double>(n);
    ev.bcubed_recall = br / static_cast<double>(n);
    ev.bcubed_f1 = 2 * ev.bcubed_precision * ev.bcubed_recall / (ev.bcubed_precision + ev.bcubed_recall);
  }
  ev.true_entities = static_cast<std::int64_t>(by_entity.size());
  ev.found_entities = static_cast<std::int64_t>(by_cluster.size());
  ev.entity_count_error = ev.true_entities ? static_cast<double>(ev.found_entities - ev.true_entities) /
                                                 static_cast<double>(ev.true_entities)
                                           : 0;
  return ev;
}

}  // namespace joindots::link
