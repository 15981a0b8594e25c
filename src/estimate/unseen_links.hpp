#pragma once
// The capture table corrected for true links that blocking never compared (docs/estimation.md,
// "Links blocking never compared").
//
// The linkage draws (questions/linkage_draws.hpp) sample the uncertain pairs that were
// compared; a pair that no blocking rule made a candidate is never scored, so a true person
// whose records meet only across such pairs is split into several persons in every draw, and
// spurious one-list persons weigh heavily in capture-recapture.
//
// Model (records isolated): blocking misses records, not links one by one: a record whose
// names are both misspelled and whose date of birth is missing meets none of its person's
// other records in any block, while the person's other records still meet each other. So
// each record of a person holding two or more records is *isolated* with probability q,
// independently: it becomes a one-record person of its own list, and the person's other
// records stay one person (their lists those with a record not isolated). A pair of records
// is then split apart when either is isolated, s = 1 - (1 - q)^2, and s is what the link
// estimates (link/blocking_splits.hpp: high-agreement random pairs never compared and left
// apart), so q = 1 - sqrt(1 - s).
//
// With n_j records on list j (from the link's persons, `RecordsPerList`), a person on lists S
// (|S| >= 2) keeps list j unless all n_j are isolated (a_j = E[q^n_j]), and adds E[n_j] q
// one-record persons on j; a person on list j alone with n_j >= 2 records loses its main
// piece when all are isolated and adds n_j q. The expected observed table is linear in the
// true one and triangular on the lattice of patterns (a piece's lists are a subset of its
// person's), so it is solved from the largest patterns down: the correction of
// capture-recapture for linkage error by the linkage-error matrix, as Di Consiglio & Tuoto
// (2018, J. Official Statistics 34:889-908) do for multiple lists, with the matrix from the
// isolation model. (Measured on a noisy simulated country: isolated records were 141 of the
// 142 pieces blocking split off, and q from the true s predicted 128; a model that misses
// links independently predicted under half of them.)
//
// Left out: false links (the draws carry those), and two isolated records of one person
// meeting each other.
#include <cstdint>
#include <string>
#include <vector>

#include "estimate/capture_table.hpp"

namespace joindots {
class Rng;
}

namespace joindots::estimate {

/// Below this many high-agreement sample pairs the estimated split rate is not trusted: no
/// correction.
inline constexpr std::int64_t kMinUnseenLinksSample = 100;

/// Per list, the share of persons holding n records on it (index n >= 1): `multi` among the
/// persons on two or more lists that are on this one, `single` among those on this list
/// alone. Empty (or an empty list's entry): one record on each list.
struct RecordsPerList {
  std::vector<std::vector<double>> multi, single;
};

/// The records-per-list shares of a partition: `cluster` per record (0..persons-1),
/// `list_of_record` per record (0..lists-1).
RecordsPerList records_per_list(const std::vector<std::uint32_t>& cluster,
                                const std::vector<std::uint32_t>& list_of_record, std::size_t lists);

/// q from the share of true pairs split apart: 1 - sqrt(1 - s).
double isolation_of_split_rate(double split_rate);

/// The expected observed table (indexed by pattern, size 2^K, cell 0 ignored) of persons
/// `true_counts` with each record isolated with probability q.
std::vector<double> isolation_expected(const std::vector<double>& true_counts, double q,
                                       const RecordsPerList& per_list);

/// The table whose expected observed table is `observed` (the inverse of isolation_expected),
/// solved from the largest patterns down. With `clamp`, a cell that comes out negative is set
/// to 0 before the smaller patterns are solved (the table the correction uses); without, the
/// exact inverse. Throws std::invalid_argument unless 0 <= q < 1 and the size is a power of 2.
std::vector<double> isolation_inverse(const std::vector<double>& observed, double q, const RecordsPerList& per_list,
                                      bool clamp = true);

/// What the correction did to one table.
struct UnseenLinksCorrection {
  bool applied = false;
  std::string reason;  // why not applied ("" when applied)
  double split_rate = 0;
  std::int64_t sample = 0;  // high-agreement sample pairs the rate rests on
  CaptureTable table;       // corrected (cells rounded), or the observed table when not applied
  std::int64_t persons_before = 0, persons_after = 0;
  /// Observed persons that the model takes for pieces of another (persons_before - persons_after).
  std::int64_t persons_merged() const { return persons_before - persons_after; }
};

/// The observed table corrected with the split rate estimated from `sample` pairs: not
/// applied (the table unchanged, with the reason) when the rate was not estimated (sample 0),
/// the sample has fewer than kMinUnseenLinksSample pairs, or no sample pair was split apart.
UnseenLinksCorrection correct_for_unseen_links(const CaptureTable& observed, double split_rate, std::int64_t sample,
                                               const RecordsPerList& per_list);

/// The split rate for one linkage draw, from its sampling distribution: Binomial(sample, rate)
/// / sample. `rate` when the sample is empty.
double draw_split_rate(double split_rate, std::int64_t sample, Rng& rng);

}  // namespace joindots::estimate
