#include "link/fellegi_sunter.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace joindots::link {

std::optional<std::pair<std::uint32_t, std::uint32_t>> draw_record_pair(const std::vector<LinkRecord>& records,
                                                                        bool cross_source_only, Rng& rng) {
  const auto n = static_cast<std::uint64_t>(records.size());
  const auto a = static_cast<std::uint32_t>(rng.below(n));
  const auto b = static_cast<std::uint32_t>(rng.below(n));
  if (a == b || (cross_source_only && records[a].source == records[b].source)) return std::nullopt;
  return std::pair{a, b};
}

LevelProbabilities estimate_u(const std::vector<LinkRecord>& records,
                              const std::vector<Comparison>& comparisons, std::int64_t n_pairs,
                              bool cross_source_only, Rng& rng, int threads) {
  const std::size_t K = comparisons.size();
  std::vector<std::vector<double>> counts(K);
  for (std::size_t k = 0; k < K; ++k) counts[k].assign(level_count(comparisons[k].comparator), 0.0);
  auto add = [&](std::uint32_t a, std::uint32_t b) {
    const Pattern p = compare_pair(records[a], records[b], comparisons);
    for (std::size_t k = 0; k < K; ++k) counts[k][static_cast<std::size_t>(level_of(p, k))] += 1;
  };
  const auto n = static_cast<std::int64_t>(records.size());
  // Enumerate all pairs when there are few enough; otherwise sample.
  if (n * (n - 1) / 2 <= n_pairs) {
    for (std::uint32_t a = 0; a < records.size(); ++a)
      for (std::uint32_t b = a + 1; b < records.size(); ++b)
        if (!cross_source_only || records[a].source != records[b].source) add(a, b);
  } else if (n >= 2) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    pairs.reserve(static_cast<std::size_t>(n_pairs));
    std::int64_t tries = 0;
    while (static_cast<std::int64_t>(pairs.size()) < n_pairs && tries < 20 * n_pairs) {
      ++tries;
      if (const auto pair = draw_record_pair(records, cross_source_only, rng)) pairs.push_back(*pair);
    }
    // Level counts per thread as integers, summed: the same totals in any order.
    const auto parts = static_cast<std::size_t>(std::max(1, threads));
    std::vector<std::vector<std::vector<std::int64_t>>> tally(
        parts, std::vector<std::vector<std::int64_t>>(K));
    auto work = [&](std::size_t part) {
      auto& mine = tally[part];
      for (std::size_t k = 0; k < K; ++k) mine[k].assign(counts[k].size(), 0);
      for (std::size_t i = pairs.size() * part / parts; i < pairs.size() * (part + 1) / parts;
           ++i) {
        const Pattern p =
            compare_pair(records[pairs[i].first], records[pairs[i].second], comparisons);
        for (std::size_t k = 0; k < K; ++k) ++mine[k][static_cast<std::size_t>(level_of(p, k))];
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    for (const auto& mine : tally)
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t l = 0; l < counts[k].size(); ++l)
          counts[k][l] += static_cast<double>(mine[k][l]);
  }
  LevelProbabilities u(K);
  for (std::size_t k = 0; k < K; ++k) {
    const std::size_t L = counts[k].size();
    double total = 0;
    for (std::size_t l = 1; l < L; ++l) total += counts[k][l];
    u[k].assign(L, 1.0);
    for (std::size_t l = 1; l < L; ++l)
      u[k][l] = (counts[k][l] + 0.5) / (total + 0.5 * static_cast<double>(L - 1));
  }
  return u;
}

LevelProbabilities initial_m(const std::vector<std::size_t>& levels) {
  LevelProbabilities m(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const std::size_t L = levels[k];
    m[k].assign(L, 1.0);
    // 0.9 on the top level, the rest shared geometrically down the levels.
    double rest = 0.1, total = 0;
    for (std::size_t l = L - 2; l >= 1; --l) {
      m[k][l] = rest / 2;
      total += m[k][l];
      rest /= 2;
    }
    for (std::size_t l = 1; l + 1 < L; ++l) m[k][l] *= 0.1 / total;
    m[k][L - 1] = 0.9;
  }
  return m;
}

double order_levels(LevelProbabilities& m, const LevelProbabilities& u) {
  double change = 0;
  for (std::size_t k = 0; k < m.size(); ++k) {
    // Blocks of levels [begin, end) with their pooled m and u; merged while a block's ratio
    // exceeds the next one's.
    struct Block {
      std::size_t begin, end;
      double m, u;
    };
    std::vector<Block> blocks;
    for (std::size_t l = 1; l < m[k].size(); ++l) {
      blocks.push_back({l, l + 1, m[k][l], u[k][l]});
      while (blocks.size() > 1) {
        const Block& b = blocks.back();
        Block& a = blocks[blocks.size() - 2];
        if (a.m * b.u <= b.m * a.u) break;  // a.m / a.u <= b.m / b.u: in order
        a = {a.begin, b.end, a.m + b.m, a.u + b.u};
        blocks.pop_back();
      }
    }
    for (const Block& b : blocks) {
      if (b.end - b.begin == 1) continue;
      for (std::size_t l = b.begin; l < b.end; ++l) {
        const double pooled = u[k][l] * b.m / b.u;
        change = std::max(change, std::abs(pooled - m[k][l]));
        m[k][l] = pooled;
      }
    }
  }
  return change;
}

EmResult em_fit(const PatternCounts& counts, const std::vector<std::size_t>& levels,
                LevelProbabilities m0, LevelProbabilities u0, double lambda0,
                const EmOptions& options) {
  const std::size_t K = levels.size();
  EmResult r{std::move(m0), std::move(u0), lambda0};
  constexpr double kFloor = 1e-9;
  std::vector<std::vector<double>> sm(K), su(K);
  for (int iter = 0; iter < options.max_iterations; ++iter) {
    for (std::size_t k = 0; k < K; ++k) {
      sm[k].assign(levels[k], 0.0);
      su[k].assign(levels[k], 0.0);
    }
    double match_total = 0, all = 0, ll = 0;
    for (const auto& [p, c] : counts) {
      double pm = r.lambda, pu = 1 - r.lambda;
      for (std::size_t k = 0; k < K; ++k) {
        const auto l = static_cast<std::size_t>(level_of(p, k));
        if (l == 0) continue;
        pm *= r.m[k][l];
        pu *= r.u[k][l];
      }
      const double g = pm / (pm + pu);
      const double cd = static_cast<double>(c);
      ll += cd * std::log(pm + pu);
      match_total += cd * g;
      all += cd;
      for (std::size_t k = 0; k < K; ++k) {
        const auto l = static_cast<std::size_t>(level_of(p, k));
        if (l == 0) continue;
        sm[k][l] += cd * g;
        su[k][l] += cd * (1 - g);
      }
    }
    double change = 0;
    const LevelProbabilities previous_m = r.m;
    const double lambda = std::clamp(match_total / all, kFloor, 1 - kFloor);
    change = std::max(change, std::abs(lambda - r.lambda));
    r.lambda = lambda;
    for (std::size_t k = 0; k < K; ++k) {
      double tm = 0, tu = 0;
      for (std::size_t l = 1; l < levels[k]; ++l) tm += sm[k][l], tu += su[k][l];
      for (std::size_t l = 1; l < levels[k]; ++l) {
        // A half pseudo-count per level keeps unseen levels from infinite weights.
        const double L = static_cast<double>(levels[k] - 1);
        const double nm = tm > 0 ? std::max((sm[k][l] + 0.5) / (tm + 0.5 * L), kFloor) : r.m[k][l];
        const double nu = tu > 0 ? std::max((su[k][l] + 0.5) / (tu + 0.5 * L), kFloor) : r.u[k][l];
        r.m[k][l] = nm;
        if (!options.fix_u) {
          change = std::max(change, std::abs(nu - r.u[k][l]));
          r.u[k][l] = nu;
        }
      }
    }
    // The change is measured after the ordering, else a binding constraint would look like
    // a parameter that never settles.
    if (options.monotone) order_levels(r.m, options.order_against ? *options.order_against : r.u);
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t l = 1; l < levels[k]; ++l)
        change = std::max(change, std::abs(r.m[k][l] - previous_m[k][l]));
    r.iterations = iter + 1;
    r.log_likelihood = ll;
    if (change < options.tolerance) {
      r.converged = true;
      break;
    }
  }
  return r;
}

double TermFrequencies::frequency(const std::string& value) const {
  if (total_ == 0) return 1.0;
  auto it = counts_.find(value);
  const double c = it == counts_.end() ? 1.0 : static_cast<double>(it->second);
  return c / static_cast<double>(total_);
}

double FsModel::level_weight(std::size_t k, int l) const {
  if (l == 0) return 0.0;
  const auto li = static_cast<std::size_t>(l);
  return std::log2(m[k][li] / u[k][li]);
}

double FsModel::weight(Pattern p) const {
  double w = 0;
  for (std::size_t k = 0; k < comparisons.size(); ++k) w += level_weight(k, level_of(p, k));
  return w;
}

double FsModel::weight(Pattern p, const LinkRecord& a, const LinkRecord& b) const {
  return adjusted_weight(weight(p), p, a, b);
}

double FsModel::adjusted_weight(double w, Pattern p, const LinkRecord& a,
                                const LinkRecord& b) const {
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    if (!comparisons[k].tf_adjust || k >= tf.size()) continue;
    const int l = level_of(p, k);
    const auto top = static_cast<int>(m[k].size()) - 1;
    if (l != top) continue;
    const std::string& v = a[comparisons[k].field];
    (void)b;  // exact agreement: b holds the same value
    // Replace u_exact by the frequency of this value (Splink's tf adjustment).
    const double f = std::max(tf[k].frequency(v), 1e-9);
    w += std::log2(u[k][static_cast<std::size_t>(top)] / f);
  }
  return w;
}

double FsModel::prior_log2_odds() const {
  const double p = std::clamp(prior, 1e-15, 1 - 1e-15);
  return std::log2(p / (1 - p));
}

double FsModel::probability(double w) const {
  return 1.0 / (1.0 + std::exp2(-(w + prior_log2_odds())));
}

}  // namespace joindots::link
