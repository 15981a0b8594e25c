#include "estimate/latent_class.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace joindots::estimate {

namespace {

constexpr double kMinChance = 1e-7;
constexpr int kMaxIterations = 20000;
// An unseen count this many times the observed means a class that no list sees: the
// likelihood rises towards N infinite and has no maximum.
constexpr double kUnboundedRatio = 1000;

struct Em {
  int k = 0, classes = 0;
  std::vector<double> y;  // cells 0 .. 2^K - 1; y[0] the imputed unseen count
  double n = 0;

  // P(cell c | class k) for every cell, from the chances.
  void cell_probabilities(const std::vector<std::vector<double>>& p, std::vector<double>& out) const {
    const std::size_t cells = y.size();
    out.assign(cells * static_cast<std::size_t>(classes), 1.0);
    for (int c = 0; c < classes; ++c)
      for (std::size_t cell = 0; cell < cells; ++cell) {
        double v = 1;
        for (int j = 0; j < k; ++j) v *= (cell >> j & 1u) ? p[c][j] : 1 - p[c][j];
        out[cell * classes + c] = v;
      }
  }

  // P(cell) over the classes with shares pi; cell 0 is the unseen one's P0.
  double mixture(const std::vector<double>& prob, const std::vector<double>& pi, std::size_t cell) const {
    double total = 0;
    for (int c = 0; c < classes; ++c) total += pi[c] * prob[cell * classes + c];
    return total;
  }

  LatentClassFit run(std::vector<double> pi, std::vector<std::vector<double>> p) {
    std::vector<double> prob, share(static_cast<std::size_t>(classes));
    std::vector<std::vector<double>> seen(static_cast<std::size_t>(classes), std::vector<double>(k));
    double previous = -std::numeric_limits<double>::infinity(), ll = 0;
    LatentClassFit f;
    f.classes = classes;
    int it = 0;
    for (; it < kMaxIterations; ++it) {
      cell_probabilities(p, prob);
      const double p0 = mixture(prob, pi, 0);
      y[0] = p0 < 1 ? n * p0 / (1 - p0) : kUnboundedRatio * n * 10;
      if (y[0] > kUnboundedRatio * n) {
        f.bounded = false;
        break;
      }
      std::fill(share.begin(), share.end(), 0.0);
      for (auto& s : seen) std::fill(s.begin(), s.end(), 0.0);
      ll = 0;
      for (std::size_t cell = 0; cell < y.size(); ++cell) {
        if (y[cell] <= 0) continue;
        const double total = mixture(prob, pi, cell);
        if (cell > 0) ll += y[cell] * std::log(total / (1 - p0));
        for (int c = 0; c < classes; ++c) {
          const double r = y[cell] * pi[c] * prob[cell * classes + c] / total;
          share[c] += r;
          for (int j = 0; j < k; ++j)
            if (cell >> j & 1u) seen[c][j] += r;
        }
      }
      const double big_n = n + y[0];
      for (int c = 0; c < classes; ++c) {
        pi[c] = share[c] / big_n;
        for (int j = 0; j < k; ++j)
          p[c][j] = std::clamp(seen[c][j] / std::max(share[c], 1e-300), kMinChance, 1 - kMinChance);
      }
      if (std::abs(ll - previous) < 1e-10 * n) break;
      previous = ll;
    }
    f.iterations = it;
    f.log_likelihood = ll;
    f.share = pi;
    f.chance = p;
    f.estimate = f.bounded ? n + y[0] : std::numeric_limits<double>::infinity();
    // G^2 over the observed cells.
    cell_probabilities(p, prob);
    const double p0 = mixture(prob, pi, 0);
    f.deviance = 0;
    for (std::size_t cell = 1; cell < y.size(); ++cell)
      if (y[cell] > 0) f.deviance += 2 * y[cell] * std::log(y[cell] / (n * mixture(prob, pi, cell) / (1 - p0)));
    return f;
  }
};

}  // namespace

bool latent_class_identifiable(int lists, int classes) {
  if (classes < 1 || lists < 2 || lists > 20) return false;
  const int parameters = classes * lists + classes - 1, frequencies = (1 << lists) - 2;
  // One class is the independence model, identified with no degree of freedom left on two
  // lists; a mixture needs some left (with none it fits any table).
  return classes == 1 ? parameters <= frequencies : parameters < frequencies;
}

LatentClassFit fit_latent_class(const CaptureTable& table, int classes, std::uint64_t seed, int starts) {
  const int k = table.k();
  if (!latent_class_identifiable(k, classes))
    throw UsageError(fmt::format("latent class model: {} classes on {} lists leave no degree of freedom", classes, k));
  Em em;
  em.k = k;
  em.classes = classes;
  em.y.assign(table.cells(), 0.0);
  for (std::uint32_t c = 1; c < table.cells(); ++c) em.y[c] = static_cast<double>(table.counts[c]);
  em.n = static_cast<double>(table.observed());
  if (em.n <= 0) throw UsageError("latent class model: the table is empty");
  LatentClassFit best;
  best.log_likelihood = -std::numeric_limits<double>::infinity();
  for (int s = 0; s < std::max(1, starts); ++s) {
    Rng rng(seed, "latent_class", static_cast<std::uint64_t>(s * 16 + classes));
    // Dispersed starts: each list's observed share scaled by a class factor in [0.2, 5].
    std::vector<double> pi(static_cast<std::size_t>(classes), 1.0 / classes);
    std::vector<std::vector<double>> p(static_cast<std::size_t>(classes), std::vector<double>(k));
    for (int c = 0; c < classes; ++c) {
      pi[c] = 0.5 + rng.uniform();
      for (int j = 0; j < k; ++j) {
        const double base = std::max(1.0, static_cast<double>(table.list_total(j))) / (2 * em.n);
        p[c][j] = std::clamp(base * std::exp((rng.uniform() * 2 - 1) * std::log(5.0)), 0.005, 0.95);
      }
    }
    double total = 0;
    for (double v : pi) total += v;
    for (double& v : pi) v /= total;
    const LatentClassFit f = em.run(pi, p);
    // A bounded fit is preferred over an unbounded one of about the same likelihood.
    if (f.log_likelihood > best.log_likelihood + 1e-6 ||
        (f.bounded && !best.bounded && f.log_likelihood > best.log_likelihood - 1e-6))
      best = f;
  }
  best.df = ((1 << k) - 2) - (classes * k + classes - 1);
  return best;
}

}  // namespace joindots::estimate
