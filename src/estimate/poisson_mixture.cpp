#include "estimate/poisson_mixture.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace joindots::estimate {

std::pair<std::size_t, std::size_t> hpd_of_pmf(const std::vector<double>& p, double level) {
  // Two pointers over the cumulative sums: for each start a, the first end b with mass >= level.
  std::vector<double> cum(p.size() + 1, 0.0);
  for (std::size_t k = 0; k < p.size(); ++k) cum[k + 1] = cum[k] + p[k];
  const double target = level * cum.back() * (1 - 1e-12);  // rounding in the sums
  std::pair<std::size_t, std::size_t> best{0, p.empty() ? 0 : p.size() - 1};
  double best_mass = cum.back();
  std::size_t b = 0;
  for (std::size_t a = 0; a < p.size(); ++a) {
    if (b < a) b = a;
    while (b < p.size() && cum[b + 1] - cum[a] < target) ++b;
    if (b == p.size()) break;
    const double mass = cum[b + 1] - cum[a];
    if (b - a < best.second - best.first ||
        (b - a == best.second - best.first && mass > best_mass)) {
      best = {a, b};
      best_mass = mass;
    }
  }
  return best;
}

namespace bayes {

PmfSummary summarise_mixture(Mixture m, double level, std::int64_t shift) {
  PmfSummary s;
  std::sort(m.far.begin(), m.far.end());
  double far_w = 0;
  for (const auto& [lam, w] : m.far) far_w += w;
  const double total = std::accumulate(m.dense.begin(), m.dense.end(), 0.0) + far_w;
  double m1 = 0, m2 = 0;
  for (std::size_t k = 0; k < m.dense.size(); ++k) {
    m1 += static_cast<double>(k) * m.dense[k];
    m2 += static_cast<double>(k) * static_cast<double>(k) * m.dense[k];
  }
  for (const auto& [lam, w] : m.far) {
    m1 += lam * w;
    m2 += lam * (lam + 1) * w;
  }
  m1 /= total;
  m2 /= total;
  const double n = static_cast<double>(shift);
  s.mean = m1 + n;
  s.sd = std::sqrt(std::max(0.0, m2 - m1 * m1));
  auto quantile = [&](double q) {
    double c = 0;
    for (std::size_t k = 0; k < m.dense.size(); ++k) {
      c += m.dense[k] / total;
      if (c >= q) return static_cast<double>(k) + n;
    }
    for (const auto& [lam, w] : m.far) {
      c += w / total;
      if (c >= q) return std::round(lam) + n;
    }
    return (m.far.empty() ? static_cast<double>(m.dense.size() - 1)
                          : std::round(m.far.back().first)) +
           n;
  };
  s.median = quantile(0.5);
  s.et_low = quantile(0.5 * (1 - level));
  s.et_high = quantile(1 - 0.5 * (1 - level));
  if (far_w / total < 1e-9) {
    const auto [a, b] = hpd_of_pmf(m.dense, level);
    s.hpd_low = static_cast<double>(a) + n;
    s.hpd_high = static_cast<double>(b) + n;
  } else if (far_w / total < 1 - level) {
    // The shortest interval holding `level` of all the mass, within the dense part.
    std::vector<double> p = m.dense;
    p.push_back(
        far_w);  // the far tail as one last cell, so that hpd_of_pmf's target is level * total
    auto [a, b] = hpd_of_pmf(p, level);
    if (b == p.size() - 1) b = quantile(1.0) - n;  // reaches into the far tail: up to its end
    s.hpd_low = static_cast<double>(a) + n;
    s.hpd_high = static_cast<double>(b) + n;
  } else {
    // Most of the mass is spread over a tail beyond 2^18: equal-tailed ends.
    s.hpd_low = s.et_low;
    s.hpd_high = s.et_high;
  }
  return s;
}

double spread_se(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / (n - 1) / n);
}

}  // namespace bayes
}  // namespace joindots::estimate
