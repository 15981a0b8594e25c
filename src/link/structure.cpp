#include "link/structure.hpp"

#include <algorithm>

#include "core/rng.hpp"

namespace joindots::link {

namespace {

int top_level(const Comparison& c) { return static_cast<int>(level_count(c.comparator)) - 1; }

}  // namespace

std::vector<CorrelatedFields> detect_correlated_fields(const std::vector<LinkRecord>& records,
                                                       const std::vector<Comparison>& comparisons,
                                                       bool cross_source_only, std::int64_t n_pairs,
                                                       std::uint64_t seed) {
  const std::size_t K = comparisons.size();
  std::vector<CorrelatedFields> found;
  if (records.size() < 2 || K < 2) return found;
  std::vector<int> top(K);
  std::vector<bool> is_name(K);
  for (std::size_t k = 0; k < K; ++k) {
    top[k] = top_level(comparisons[k]);
    is_name[k] = comparisons[k].field == Field::given_name || comparisons[k].field == Field::family_name;
  }
  // exact[k]: pairs where k agrees exactly; both[j][k]: pairs where both do; present[j][k]:
  // pairs where neither is missing (the base of the rates).
  std::vector<std::vector<double>> both(K, std::vector<double>(K, 0.0)), present(K, std::vector<double>(K, 0.0)),
      exact_j(K, std::vector<double>(K, 0.0)), exact_k(K, std::vector<double>(K, 0.0));
  Rng rng(seed, "link-correlated");
  const auto n = records.size();
  std::int64_t drawn = 0, tries = 0;
  std::vector<int> level(K);
  while (drawn < n_pairs && tries < 20 * n_pairs) {
    ++tries;
    const auto a = static_cast<std::uint32_t>(rng.below(n)), b = static_cast<std::uint32_t>(rng.below(n));
    if (a == b || (cross_source_only && records[a].source == records[b].source)) continue;
    ++drawn;
    for (std::size_t k = 0; k < K; ++k) level[k] = compare_field(records[a], records[b], comparisons[k]);
    // Only pairs that disagree on every name: (almost all) non-matches. Among matches every
    // identifying field agrees together; that is the evidence, not a correlation.
    bool names_differ = true;
    for (std::size_t k = 0; k < K; ++k)
      if (is_name[k] && level[k] > 1) names_differ = false;
    if (!names_differ) continue;
    for (std::size_t j = 0; j < K; ++j) {
      if (level[j] == 0 || is_name[j]) continue;
      for (std::size_t k = j + 1; k < K; ++k) {
        if (level[k] == 0 || is_name[k]) continue;
        const bool ej = level[j] == top[j], ek = level[k] == top[k];
        present[j][k] += 1;
        exact_j[j][k] += ej;
        exact_k[j][k] += ek;
        both[j][k] += ej && ek;
      }
    }
  }
  std::vector<bool> absorbed(K, false), absorbing(K, false);
  for (std::size_t j = 0; j < K; ++j)
    for (std::size_t k = j + 1; k < K; ++k) {
      if (present[j][k] < 1000 || both[j][k] < 20) continue;
      const double pj = exact_j[j][k] / present[j][k], pk = exact_k[j][k] / present[j][k];
      const double pboth = both[j][k] / present[j][k];
      const double lift = pboth / (pj * pk);
      // The more specific field (rarer exact agreement) is kept; the other absorbed.
      const std::size_t keep = pj <= pk ? j : k, drop = keep == j ? k : j;
      const double p_drop_given_keep = pboth / std::min(pj, pk);
      if (p_drop_given_keep < 0.8 || lift < 10) continue;
      if (absorbed[drop] || absorbed[keep] || absorbing[drop]) continue;
      absorbed[drop] = true;
      absorbing[keep] = true;
      found.push_back({comparisons[keep].field, comparisons[drop].field, p_drop_given_keep, lift});
    }
  return found;
}

void apply_correlated_fields(std::vector<Comparison>& comparisons, const std::vector<CorrelatedFields>& found) {
  auto index = [&](Field f) {
    for (std::size_t k = 0; k < comparisons.size(); ++k)
      if (comparisons[k].field == f) return static_cast<int>(k);
    return -1;
  };
  for (const auto& c : found) {
    const int keep = index(c.kept), drop = index(c.absorbed);
    if (keep < 0 || drop < 0) continue;
    comparisons[static_cast<std::size_t>(drop)].absorbed_by = keep;
    comparisons[static_cast<std::size_t>(drop)].absorber_top = top_level(comparisons[static_cast<std::size_t>(keep)]);
  }
}

}  // namespace joindots::link
