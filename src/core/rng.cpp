#include "core/rng.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace joindots {

__extension__ typedef unsigned __int128 u128;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_tag(std::string_view tag) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : tag) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& s : s_) s = splitmix64(state);
}

Rng::Rng(std::uint64_t seed, std::string_view stream, std::uint64_t id) {
  std::uint64_t state = seed ^ hash_tag(stream);
  state = splitmix64(state) ^ (id * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);
  for (auto& s : s_) s = splitmix64(state);
}

static inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("Rng::below: n must be positive");
  u128 m = static_cast<u128>(next()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<u128>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) throw std::invalid_argument("Rng::between: hi < lo");
  return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * f;
  has_spare_ = true;
  return u * f;
}

double Rng::lognormal(double log_mean, double log_sd) { return std::exp(normal(log_mean, log_sd)); }

double Rng::exponential(double rate) { return -std::log1p(-uniform()) / rate; }

double Rng::gamma(double shape, double scale) {
  if (shape <= 0 || scale <= 0) throw std::invalid_argument("Rng::gamma: shape and scale must be positive");
  if (shape < 1.0) {
    // Boost a shape below one: Gamma(a) = Gamma(a + 1) * U^(1/a).
    const double u = uniform();
    return gamma(shape + 1.0, scale) * std::pow(u > 0 ? u : 0x1.0p-53, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

double Rng::beta(double a, double b) {
  const double x = gamma(a, 1.0);
  const double y = gamma(b, 1.0);
  return x / (x + y);
}

std::int64_t Rng::poisson(double mean) {
  if (mean < 0) throw std::invalid_argument("Rng::poisson: negative mean");
  if (mean == 0) return 0;
  if (mean < 10) {
    // Inversion by sequential search.
    const double l = std::exp(-mean);
    std::int64_t k = 0;
    double p = l, cdf = l;
    const double u = uniform();
    while (u > cdf && k < 1000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }
  // PTRS: transformed rejection with squeeze (Hormann 1993).
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = uniform() - 0.5;
    const double v = uniform();
    const double us = 0.5 - std::fabs(u);
    const auto k = static_cast<std::int64_t>(std::floor((2 * a / us + b) * u + mean + 0.43));
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + static_cast<double>(k) * loglam - std::lgamma(static_cast<double>(k) + 1))
      return k;
  }
}

std::int64_t Rng::negative_binomial(double mean, double size) {
  if (mean <= 0) return 0;
  return poisson(gamma(size, mean / size));
}

std::int64_t Rng::binomial(std::int64_t n, double p) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 64) {
    std::int64_t k = 0;
    for (std::int64_t i = 0; i < n; ++i) k += uniform() < p;
    return k;
  }
  // Sum of geometric waiting times (exact), fine for the moderate n used here.
  const double log_q = std::log1p(-p);
  std::int64_t k = 0, pos = 0;
  for (;;) {
    pos += static_cast<std::int64_t>(std::floor(std::log1p(-uniform()) / log_q)) + 1;
    if (pos > n) return k;
    ++k;
  }
}

std::size_t Rng::weighted(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) throw std::invalid_argument("Rng::weighted: weights must have a positive sum");
  double u = uniform() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  for (std::size_t i = weights.size(); i-- > 0;)
    if (weights[i] > 0) return i;
  return 0;
}

AliasTable::AliasTable(std::span<const double> weights) {
  const std::size_t n = weights.size();
  if (n == 0) throw std::invalid_argument("AliasTable: no weights");
  double total = 0;
  for (double w : weights) {
    if (w < 0 || !std::isfinite(w)) throw std::invalid_argument("AliasTable: weights must be finite and >= 0");
    total += w;
  }
  if (!(total > 0)) throw std::invalid_argument("AliasTable: weights must have a positive sum");
  prob_.assign(n, 0.0);
  alias_.assign(n, 0);
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const auto s = small.back();
    small.pop_back();
    const auto l = large.back();
    prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (auto i : large) prob_[i] = 1.0;
  for (auto i : small) prob_[i] = 1.0;
}

std::size_t AliasTable::draw(Rng& rng) const {
  const std::size_t i = rng.below(prob_.size());
  return rng.uniform() < prob_[i] ? i : alias_[i];
}

}  // namespace joindots
