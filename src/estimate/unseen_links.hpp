#pragma once
// The capture table corrected for true links that blocking never compared (docs/estimation.md,
// "Links blocking never compared").
//
// The linkage draws (questions/linkage_draws.hpp) sample the uncertain pairs that were
// compared; a pair that no blocking rule made a candidate is never scored, so a true person
// whose records meet only across such pairs is split into several persons in every draw, and
// spurious one-list persons weigh heavily in capture-recapture.
//
// Model (a random-graph split): a true person on the lists S (one record on each) has its
// |S| records joined by the links blocking made candidates, each of the |S|(|S|-1)/2 true
// links kept independently with probability r, the estimated blocking recall; the persons
// observed are the connected pieces. A subset T of S is a piece with probability
//
//   P(T | S) = C(|T|, r) (1 - r)^(|T| (|S| - |T|)),
//
// C(t, r) the probability that the random graph G(t, r) is connected
// (C(t) = 1 - sum_{k=1}^{t-1} binom(t-1, k-1) C(k) (1 - r)^(k (t - k))). The expected observed
// table is then E[obs_T] = sum over S containing T of P(T | S) true_S: linear and triangular on
// the lattice of patterns, with diagonal C(|T|, r) > 0. Solving it from the largest patterns
// down gives the true table whose expected split is the observed one: the correction of
// capture-recapture for linkage error by the linkage-error matrix, as Di Consiglio & Tuoto
// (2018, J. Official Statistics 34:889-908) do for multiple lists, with the matrix from the
// split model instead of from false-link and missed-link rates per pair of lists.
//
// Left out: false links (the draws carry those), several records of one person on one list,
// and dependence between a person's missed links (a person whose name is misspelled on one
// list misses all its links there together).
#include <cstdint>
#include <string>
#include <vector>

#include "estimate/capture_table.hpp"

namespace joindots {
class Rng;
}

namespace joindots::estimate {

/// Below this many high-agreement sample pairs the estimated recall is not trusted: no
/// correction.
inline constexpr std::int64_t kMinUnseenLinksSample = 100;

/// The probability that the random graph G(n, r) (each of its n(n-1)/2 edges kept with
/// probability r) is connected; 1 for n <= 1.
double connected_probability(int n, double r);

/// The probability that a given t of a person's s records form exactly one piece.
double piece_probability(int t, int s, double r);

/// The expected observed table (indexed by pattern, size 2^K, cell 0 ignored) of persons
/// `true_counts` split with recall r.
std::vector<double> split_expected(const std::vector<double>& true_counts, double r);

/// The table whose expected split is `observed` (the inverse of split_expected), solved from
/// the largest patterns down. With `clamp`, a cell that comes out negative is set to 0 before
/// the smaller patterns are solved (the table the correction uses); without, the exact
/// inverse. Throws std::invalid_argument unless 0 < r <= 1 and the size is a power of 2.
std::vector<double> unseen_links_inverse(const std::vector<double>& observed, double r, bool clamp = true);

/// What the correction did to one table.
struct UnseenLinksCorrection {
  bool applied = false;
  std::string reason;  // why not applied ("" when applied)
  double recall = 1;
  std::int64_t sample = 0;  // high-agreement sample pairs the recall rests on
  CaptureTable table;       // corrected (cells rounded), or the observed table when not applied
  std::int64_t persons_before = 0, persons_after = 0;
  /// Observed persons that the model takes for pieces of another (persons_before - persons_after).
  std::int64_t persons_merged() const { return persons_before - persons_after; }
};

/// The observed table corrected with recall `recall` estimated from `sample` pairs: not applied
/// (the table unchanged, with the reason) when the recall was not estimated (< 0), the sample
/// has fewer than kMinUnseenLinksSample pairs, or the recall is 1.
UnseenLinksCorrection correct_for_unseen_links(const CaptureTable& observed, double recall, std::int64_t sample);

/// The recall for one linkage draw, from its sampling distribution: Binomial(sample, recall) /
/// sample (at least 1 / sample, so that the correction stays defined). `recall` when the
/// sample is empty.
double draw_recall(double recall, std::int64_t sample, Rng& rng);

}  // namespace joindots::estimate
