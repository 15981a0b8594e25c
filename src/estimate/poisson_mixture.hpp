#pragma once
// The posterior of an unobserved count as a weighted mixture of Poisson distributions
// (bayes_loglinear: one component per model and importance draw), its summaries (mean, sd,
// median, equal-tailed and highest-density intervals), and the highest-density interval of
// a probability mass function.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace joindots::estimate {

/// The highest-density interval of a probability mass function p over k = 0, 1, ...: the
/// shortest [a, b] with sum p[a..b] >= level (ties: the one with more mass).
std::pair<std::size_t, std::size_t> hpd_of_pmf(const std::vector<double>& p, double level);

namespace bayes {

// A weighted mixture of Poisson(lambda) distributions of the unobserved count: exact
// probabilities for k below kDenseCap, and the components beyond it (a tail that only a
// prior-dominated model reaches, e.g. an interaction the data cannot see) kept as point
// masses at lambda: there sd / lambda = lambda^-1/2 < 0.2%.
constexpr std::size_t kDenseCap = std::size_t{1} << 18;

struct Mixture {
  std::vector<double> dense;
  std::vector<std::pair<double, double>> far;  // (lambda, weight)

  // Adds w * Poisson(lambda) shifted by `offset`.
  void add(double lambda, double w, std::size_t offset = 0) {
    if (!(lambda >= 0) || !std::isfinite(lambda)) return;
    if (lambda < 1e-300) {
      if (dense.size() <= offset) dense.resize(offset + 1, 0.0);
      dense[offset] += w;
      return;
    }
    const double spread = 10.0 * std::sqrt(lambda) + 20.0;
    if (lambda + spread + static_cast<double>(offset) >= static_cast<double>(kDenseCap)) {
      far.emplace_back(lambda + static_cast<double>(offset), w);
      return;
    }
    const auto mode = static_cast<std::size_t>(std::floor(lambda));
    const std::size_t hi = static_cast<std::size_t>(lambda + spread);
    if (dense.size() <= hi + offset) dense.resize(hi + offset + 1, 0.0);
    double* acc = dense.data() + offset;
    const double pm = std::exp(static_cast<double>(mode) * std::log(lambda) - lambda -
                               std::lgamma(static_cast<double>(mode) + 1.0));
    double v = pm;
    for (std::size_t k = mode; k <= hi; ++k) {
      acc[k] += w * v;
      v *= lambda / static_cast<double>(k + 1);
      if (v < 1e-18 * pm) break;
    }
    v = pm;
    for (std::size_t k = mode; k-- > 0;) {
      v *= static_cast<double>(k + 1) / lambda;
      acc[k] += w * v;
      if (v < 1e-18 * pm) break;
    }
  }
  void merge(const Mixture& o) {
    if (dense.size() < o.dense.size()) dense.resize(o.dense.size(), 0.0);
    for (std::size_t k = 0; k < o.dense.size(); ++k) dense[k] += o.dense[k];
    far.insert(far.end(), o.far.begin(), o.far.end());
  }
};

struct PmfSummary {
  double mean = 0, sd = 0, median = 0, et_low = 0, et_high = 0, hpd_low = 0, hpd_high = 0;
};

/// The summaries of `m` shifted by `shift` (the count observed for certain), intervals at
/// `level`.
PmfSummary summarise_mixture(Mixture m, double level, std::int64_t shift);

/// The standard error of the mean of v (the spread of batch values / sqrt(their number)).
double spread_se(const std::vector<double>& v);

}  // namespace bayes
}  // namespace joindots::estimate
