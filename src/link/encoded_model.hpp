#pragma once
// The Fellegi-Sunter model of linkage on encodings (link/encoded_link.hpp), apart from the
// stage's other steps: the candidates' patterns, u from random pairs, m and the match share
// by EM, the weights of a pair with the term-frequency adjustment.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "encode/candidates.hpp"
#include "link/encoded_compare.hpp"
#include "link/encoded_link.hpp"

namespace joindots::link {

/// Calls fn(part, begin, end) over [0, n) split into `threads` parts, one thread each.
template <typename Fn>
void parallel_parts(std::size_t n, int threads, Fn fn) {
  const auto parts = static_cast<std::size_t>(std::clamp<std::size_t>(static_cast<std::size_t>(threads), 1,
                                                                      std::max<std::size_t>(1, n / 10'000)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(fn, t, n * t / parts, n * (t + 1) / parts);
  fn(std::size_t{0}, std::size_t{0}, n / parts);
  for (auto& th : pool) th.join();
}

/// The fitted model: m by EM, u from random pairs, the prior of a random pair.
struct EncodedModel {
  LevelProbabilities m, u;
  double lambda = 0, prior = 0;
  int iterations = 0;
  bool converged = false;
  bool u_fitted = false;  // EM fitted u among candidates (fit_encoded_model)
  bool m_pooled = false;  // m taken from the victims of the run, only the match share fitted
  bool one_to_one = false;  // fitted by fit_one_to_one_model (two files, one record a person each)
  std::int64_t one_to_one_assigned = 0;  // the pairs its last E-step assigned
  /// Why the mode applied ("max_per_source = 1", "learned"; empty: not tried) and, when
  /// learned, each file's pairs within it scored as matches per record (the mode kept below
  /// kOnePerPersonRate in every file).
  std::string one_to_one_basis;
  std::vector<double> within_source_duplicate_rate;
  std::vector<std::vector<double>> level_weight;  // log2(m/u), 0 for missing
  /// u among the candidates when the weights use it (fit_encoded_model: the roles after the
  /// victims, when u fixed at the random pairs' makes a match class of shared tokens), else
  /// empty. The weights are then log2(m / u among candidates) plus `offset`, the log2 odds of
  /// the candidates' match share less those of the prior (a posterior among candidates); the
  /// term frequencies still use the random pairs' u (a token's rarity against its column's).
  LevelProbabilities u_candidates;
  double offset = 0;

  double weight(Pattern p) const {
    double w = offset;
    for (std::size_t k = 0; k < level_weight.size(); ++k)
      w += level_weight[k][static_cast<std::size_t>(level_of(p, k))];
    return w;
  }
  /// The pattern's weight plus the term-frequency adjustment (Splink's): for each blocking
  /// token column the two records share a token of, log2(u of agreement / the share of
  /// records holding the rarest token they share), so that sharing a common surname's code
  /// counts for less than sharing a rare one's. Identifier tokens are left as they are.
  double pair_weight(const std::array<std::uint32_t, EncodedComparer::kColumns>& rarest, Pattern p) const {
    double w = weight(p);
    if (!tf) return w;
    for (std::size_t c = 0; c < encode::kComparedTokenColumns; ++c)
      if (rarest[c] && encode::kTokenColumns[c].column.starts_with("blk_"))
        w += std::log2(u[c + 1][2] / (static_cast<double>(rarest[c]) / tf->records()));
    return w;
  }
  double pair_weight(std::uint32_t a, std::uint32_t b, Pattern p) const {
    return tf ? pair_weight(tf->rarest_shared(a, b), p) : weight(p);
  }
  const EncodedComparer* tf = nullptr;  // null: no adjustment
  /// The match share among candidates fitted with u among them too (the guard of
  /// fit_encoded_model; 0 when not fitted), and, when it says EM's class is implausible and
  /// em_fix_u keeps it, why (the run's warning).
  double lambda_u_candidates = 0;
  /// The candidate pairs an NHS number token labels (matches, non-matches) and the errors on
  /// them of the fits with u fixed and with u among candidates (encoded_model.cpp).
  std::array<double, 2> silver_pairs{}, silver_errors{};
  /// When u stays fixed though the fit with u among candidates errs significantly less on the
  /// labelled pairs, what the run warns (namesakes); else empty.
  std::string namesakes;
  std::string implausible;

  double probability(double w) const {
    const double pr = std::clamp(prior, 1e-15, 1 - 1e-15);
    return 1.0 / (1.0 + std::exp2(-(w + std::log2(pr / (1 - pr)))));
  }
};

/// A pattern's weight log2(m/u), summed over its comparisons' levels (level 0, missing, weighs
/// nothing).
double pattern_weight(Pattern p, const LevelProbabilities& m, const LevelProbabilities& u);

/// The patterns of the candidate pairs, on `threads` threads.
std::vector<Pattern> compare_candidates(const EncodedComparer& cmp, const encode::Candidates& cand, int threads,
                                        bool quiet);

/// u of each comparison from `n_pairs` random pairs (Laplace-smoothed): almost all are
/// non-matches. The pairs are drawn first, so the result does not depend on the threads.
LevelProbabilities estimate_encoded_u(const EncodedComparer& cmp, std::int64_t n_pairs, std::uint64_t seed,
                                      int threads);

/// The prior of a random pair (expected matches over all pairs, at most 0.5) and the level
/// weights log2(m/u), u among the candidates when fitted there (with the offset that makes a
/// weight's probability the posterior among the candidates).
void set_encoded_weights(EncodedModel& model, double expected_matches, double all_pairs);

/// u from random pairs, m and the match share among the candidates' patterns by EM (or m
/// `pooled_m` and only the match share), levels ordered, the prior and the level weights
/// (encoded_model.cpp says when u is fitted too).
EncodedModel fit_encoded_model(const EncodedRole& d, const EncodedComparer& cmp, const std::vector<Pattern>& patterns,
                               const LinkConfig& config, int threads, const LevelProbabilities* pooled_m);

/// The one-to-one mode (encoded_one_to_one.cpp) for a role of exactly two sources: `config`
/// when each may put at most one record in a person (max_per_source = 1: `link
/// --one-per-source on`, FEBRL4's bench); `learned` with no limit set and
/// auto_one_per_source on (the default), as plaintext learns it (link/structure.hpp): the
/// mode's fit scores each file's pairs within it, and a file with fewer than
/// kOnePerPersonRate pairs scored as matches per record holds one record a person.
enum class OneToOneBasis { none, config, learned };
OneToOneBasis one_to_one_basis(const EncodedRole& d, const LinkConfig& config);
/// Moves the candidate pairs of two records of one source out of `cand`, returned.
std::vector<std::pair<std::uint32_t, std::uint32_t>> split_within_source(const EncodedRole& d,
                                                                         encode::Candidates& cand);
/// Per source, the pairs of `within` that `model` scores at `threshold` or above, per record.
std::vector<double> within_source_duplicate_rates(const EncodedRole& d, const EncodedComparer& cmp,
                                                  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& within,
                                                  const EncodedModel& model, double candidates, double threshold);
/// m, u among the candidates and the match share by EM whose E-step assigns the candidates
/// one to one, best first by weight (only assigned pairs may match); em_fix_u ignored. The
/// weights make a pair's probability its posterior were it assigned.
EncodedModel fit_one_to_one_model(const EncodedRole& d, const EncodedComparer& cmp, const encode::Candidates& cand,
                                  const std::vector<Pattern>& patterns, const LinkConfig& config, int threads);

}  // namespace joindots::link
