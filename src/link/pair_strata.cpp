#include "link/pair_strata.hpp"

#include <algorithm>
#include <map>

namespace joindots::link {

std::vector<std::uint32_t> sources_of(const std::vector<LinkRecord>& records) {
  std::vector<std::uint32_t> out(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) out[i] = records[i].source;
  return out;
}

std::int64_t eligible_pairs(const std::vector<std::uint32_t>& source, const std::vector<std::uint32_t>& members,
                            bool cross_source_only) {
  const auto n = static_cast<std::int64_t>(members.size());
  std::int64_t pairs = n * (n - 1) / 2;
  if (!cross_source_only) return pairs;
  std::map<std::uint32_t, std::int64_t> per_source;
  for (auto i : members) ++per_source[source[i]];
  for (const auto& [s, c] : per_source) pairs -= c * (c - 1) / 2;
  return pairs;
}

PairStrata pair_strata(const std::vector<std::uint32_t>& source, const std::vector<int>& key, bool cross_source_only) {
  PairStrata out;
  out.of_record.assign(key.size(), -1);
  std::map<int, std::vector<std::uint32_t>> by_key;
  for (std::uint32_t i = 0; i < key.size(); ++i)
    if (key[i] >= 0) by_key[key[i]].push_back(i);
  for (auto& [k, members] : by_key) {
    const std::int64_t pairs = eligible_pairs(source, members, cross_source_only);
    if (pairs == 0) continue;
    for (auto i : members) out.of_record[i] = static_cast<int>(out.members.size());
    out.pairs += pairs;
    out.cumulative_pairs.push_back(out.pairs);
    out.members.push_back(std::move(members));
  }
  return out;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> draw_pair_within(const PairStrata& strata,
                                                                        const std::vector<std::uint32_t>& source,
                                                                        bool cross_source_only, Rng& rng) {
  const auto k = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(strata.pairs)));
  const auto s =
      static_cast<std::size_t>(std::upper_bound(strata.cumulative_pairs.begin(), strata.cumulative_pairs.end(), k) -
                               strata.cumulative_pairs.begin());
  const auto& m = strata.members[s];
  const auto a = m[rng.below(m.size())], b = m[rng.below(m.size())];
  if (a == b || (cross_source_only && source[a] == source[b])) return std::nullopt;
  return std::pair{a, b};
}

}  // namespace joindots::link
