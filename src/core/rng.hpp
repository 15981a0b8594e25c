#pragma once
// A small, portable random number generator: xoshiro256** (Blackman & Vigna 2018) seeded
// through splitmix64, with distributions written here rather than taken from <random>,
// whose distributions differ between standard libraries. Same seed, same numbers, on any
// platform: the simulator promises "same seed, same bytes".
//
// Streams are derived by name: Rng(seed, "victims", group_id) gives an independent,
// reproducible stream for each entity, so results do not depend on generation order.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace joindots {

std::uint64_t splitmix64(std::uint64_t& state);
/// FNV-1a 64-bit hash of a tag, for deriving named streams.
std::uint64_t hash_tag(std::string_view tag);

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  Rng(std::uint64_t seed, std::string_view stream, std::uint64_t id = 0);

  std::uint64_t next();
  /// Uniform on [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer on [0, n) without modulo bias (Lemire's method). n > 0.
  std::uint64_t below(std::uint64_t n);
  /// Uniform integer on [lo, hi] inclusive.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal by the polar Box-Muller method.
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double lognormal(double log_mean, double log_sd);
  double exponential(double rate);
  /// Gamma(shape, scale) by Marsaglia & Tsang (2000).
  double gamma(double shape, double scale);
  double beta(double a, double b);
  /// Poisson(mean): inversion for small means, PTRS (Hormann 1993) for large.
  std::int64_t poisson(double mean);
  /// Negative binomial as a gamma-Poisson mixture with the given mean and dispersion
  /// (variance = mean + mean^2 / size).
  std::int64_t negative_binomial(double mean, double size);
  std::int64_t binomial(std::int64_t n, double p);
  /// Index drawn with probability proportional to weights (linear scan; use AliasTable for
  /// repeated draws from one distribution).
  std::size_t weighted(std::span<const double> weights);

  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

/// Walker's alias method: O(1) draws from a fixed discrete distribution (Vose 1991).
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(std::span<const double> weights);
  std::size_t draw(Rng& rng) const;
  std::size_t size() const { return prob_.size(); }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace joindots
