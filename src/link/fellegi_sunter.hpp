#pragma once
// The Fellegi-Sunter model (Fellegi & Sunter 1969), estimated as in fastLink (Enamorado,
// Fifield & Imai 2019) and scored as in Splink.
//
// For a record pair with comparison pattern gamma (one agreement level per field), assume
// the fields independent given match status M or non-match U:
//   P(gamma | M) = prod_k m_k[gamma_k],   P(gamma | U) = prod_k u_k[gamma_k],
// with "missing" levels left out of both products (they carry no evidence). The match
// weight is W(gamma) = sum_k log2(m_k[gamma_k] / u_k[gamma_k]) and, with the prior match
// probability lambda of a random pair, the match probability is
//   P(M | gamma) = 1 / (1 + 2^-(W + log2(lambda / (1 - lambda)))).
//
// - u is estimated from random record pairs (almost all non-matches): u_k[l] is the share
//   of random pairs at level l of field k (Laplace-smoothed).
// - m and the share of matches among the candidate pairs are estimated by EM over the
//   two-class mixture (Winkler 1988; Jaro 1989), run on the counts of distinct patterns:
//   every pair with the same pattern has the same posterior, so one E-step costs one pass
//   over the (few hundred) distinct patterns rather than over the pairs. EM also fits a u
//   for candidate pairs (which agree on blocking keys more than random pairs do); that u is
//   a nuisance parameter: weights use the u of random pairs.
// - The prior of a random pair is lambda_candidates * candidate pairs / all pairs.
// - Term-frequency adjustment (Winkler 1989; Splink's tf adjustment): an exact agreement on
//   value v of a name field adds log2(u_exact / tf(v)), tf(v) the share of records holding
//   v, so a match on a rare surname counts for more than one on "smith".
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "link/compare.hpp"

namespace joindots::link {

using PatternCounts = std::vector<std::pair<Pattern, std::int64_t>>;

/// Probabilities per comparison and level (level 0, missing, is unused and holds 1).
using LevelProbabilities = std::vector<std::vector<double>>;

/// One draw of a random record pair for the random-pair samples (u, the blocking recall, the
/// blocking splits): two records uniformly at random, in the order drawn; nullopt when the
/// draw is rejected (the same record twice, or, linking files, the same source), which the
/// caller counts as a try.
std::optional<std::pair<std::uint32_t, std::uint32_t>> draw_record_pair(const std::vector<LinkRecord>& records,
                                                                        bool cross_source_only, Rng& rng);

/// u from `n_pairs` random pairs (all pairs when there are fewer), cross-source only when
/// linking files. Reproducible for a given rng state, whatever the number of threads (the
/// pairs are drawn first, then compared on `threads` threads; counts are exact).
LevelProbabilities estimate_u(const std::vector<LinkRecord>& records,
                              const std::vector<Comparison>& comparisons, std::int64_t n_pairs,
                              bool cross_source_only, Rng& rng, int threads = 1);

struct EmOptions {
  int max_iterations = 500;
  double tolerance = 1e-7;  // largest change of any parameter between iterations
  bool fix_u = false;       // keep u at its starting values (Splink style); else fit it (fastLink)
  bool monotone = true;  // keep m/u non-decreasing up the levels (order_levels) after every M-step
  /// The u that order is kept against: the random-pair u the weights use (a fixed
  /// reference, so the projection cannot chase a moving u around a cycle); null: the
  /// current u of the fit.
  const LevelProbabilities* order_against = nullptr;
};

struct EmResult {
  LevelProbabilities m, u;
  double lambda = 0;  // share of matches among the pairs counted
  int iterations = 0;
  bool converged = false;
  double log_likelihood = 0;
};

/// EM for the two-class mixture on pattern counts. `levels[k]` is the number of levels of
/// comparison k (missing included); m0, u0, lambda0 are the starting values.
EmResult em_fit(const PatternCounts& counts, const std::vector<std::size_t>& levels,
                LevelProbabilities m0, LevelProbabilities u0, double lambda0,
                const EmOptions& options = {});

/// Projects m of every comparison so that m/u is non-decreasing from level 1 ("else") to
/// the top level ("exact"): closer agreement never counts as less evidence of a match, so
/// agreement never counts against one (with sum m = sum u = 1, the top level's m/u is then
/// >= 1 and else's <= 1). Pool-adjacent-violators on the ratio m/u weighted by u: a run of
/// violating levels gets their pooled ratio sum m / sum u, so each field's m still sums to 1
/// (the isotonic M-step of a monotone likelihood-ratio model). Returns the largest change.
double order_levels(LevelProbabilities& m, const LevelProbabilities& u);

/// Starting values: m puts 0.9 on the top level, u those of random pairs.
LevelProbabilities initial_m(const std::vector<std::size_t>& levels);

/// Value frequencies of one field, for the term-frequency adjustment.
class TermFrequencies {
 public:
  void add(const std::string& value) {
    if (!value.empty()) ++counts_[value], ++total_;
  }
  /// Share of records with a value that hold `value` (at least 1 / total).
  double frequency(const std::string& value) const;

 private:
  std::unordered_map<std::string, std::int64_t> counts_;
  std::int64_t total_ = 0;
};

struct FsModel {
  std::vector<Comparison> comparisons;
  LevelProbabilities m, u;          // u from random pairs
  LevelProbabilities u_candidates;  // EM's u among candidate pairs (diagnostic)
  double lambda_candidates = 0;     // share of matches among candidate pairs
  double prior = 0;                 // P(match) of a random pair
  int em_iterations = 0;
  bool em_converged = false;
  std::vector<TermFrequencies> tf;  // per comparison (empty unless tf_adjust)
  /// Per comparison, m of exact agreement as fitted, before order_levels against the
  /// random-pair u (below u: the fit read agreement as evidence against a match).
  std::vector<double> m_exact_fitted;

  /// log2(m/u) of level l of comparison k (0 for missing).
  double level_weight(std::size_t k, int l) const;
  /// W(gamma) without term-frequency adjustment.
  double weight(Pattern p) const;
  /// W(gamma) with term-frequency adjustment for the records' values.
  double weight(Pattern p, const LinkRecord& a, const LinkRecord& b) const;
  /// The same from W(gamma) without adjustment, `w` = weight(p), computed once per pattern.
  double adjusted_weight(double w, Pattern p, const LinkRecord& a, const LinkRecord& b) const;
  double prior_log2_odds() const;
  double probability(double weight) const;
};

}  // namespace joindots::link
