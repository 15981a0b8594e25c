#pragma once
// True links the run left apart, estimated without truth from a latent-class model of the
// record pairs within an area (docs/linkage.md, "Self-diagnosis"; issue 11).
//
// Every other self-check of the link (the blocking recall, the blocking splits, the linkage
// draws' expected false non-links) looks at pairs the fitted model scores p >= 0.5 or at the
// model's own probabilities. Where a record's fields fail together (a poorly recorded record:
// both names misspelt or swapped, the date partial, the postcode missing), its true pairs score
// far below 0.5 under the model's conditional independence, and none of those checks sees
// them: on an independent generator's countries they read 0.009 where 0.083 of true pairs
// were apart. Here the pairs are not the model's: all pairs of records of one area (local
// authority; a child's records nearly always share it), or a uniform sample of them, are
// compared on the link's fields and a three-class latent-class model is fitted to their
// patterns by EM, each class conditionally independent: well-recorded matches, poorly recorded
// matches, non-matches (the largest class); the mixture of two match classes carries errors
// that come together (Larsen & Rubin 2001, JASA 96:32-41, mixture models with more than two
// classes for record linkage). The matches it implies among the area's pairs, less the pairs
// the run holds in one person and less those it scored and left apart (the linkage draws
// re-link these with their probabilities), are the matches nobody sees: their share of the
// implied matches is the rate estimate --db corrects the victims' table by (the isolation
// model, estimate/unseen_links.hpp).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "link/cluster.hpp"
#include "link/fellegi_sunter.hpp"

namespace joindots::link {

struct LinkConfig;

struct MissedLinks {
  std::int64_t area_pairs = 0;      // record pairs within an area, in all
  std::int64_t pairs_compared = 0;  // of them compared (all, or a uniform sample)
  int iterations = 0;               // EM iterations
  double implied_matches = 0;       // matches among the area pairs by the model
  double poor_matches = 0;          // of them in the poorly recorded match class
  std::int64_t linked = 0;          // area pairs the run holds in one person
  double relinkable = 0;            // sum of p over area pairs scored and left apart
  int classes_set_aside = 0;        // classes agreeing like matches but disagreeing on an identifier
  bool estimated() const { return implied_matches > 0; }
  /// Share of the implied matches that the run left apart and no draw re-links (0 at least).
  double rate() const {
    if (implied_matches <= 0) return 0.0;
    const double missed = implied_matches - static_cast<double>(linked) - relinkable;
    return missed > 0 ? missed / implied_matches : 0.0;
  }
};

/// The estimate above. `area` is per record (empty = unknown: the record takes no part);
/// `pairs` the run's scored pairs and `cluster` its persons. Compares every area pair when there
/// are at most `cfg.area_pairs`, else that many drawn uniformly (seeded by `cfg.seed`), on
/// `threads` threads. Not estimated (implied_matches 0) when there are fewer than 1,000 area
/// pairs, `cfg.area_pairs` is 0, or EM finds no match class.
MissedLinks estimate_missed_links(const std::vector<LinkRecord>& records, const std::vector<std::string>& area,
                                  const FsModel& model, const LinkConfig& cfg, const std::vector<ScoredPair>& pairs,
                                  const std::vector<std::uint32_t>& cluster, int threads);

/// The comparison pattern of records a and b as the link compared them.
using PairPattern = std::function<Pattern(std::uint32_t a, std::uint32_t b)>;

/// The same on any comparisons (a link on encodings: link/encoded_link.hpp): `compare` gives
/// a pair's pattern and `m`, `u` the link's level probabilities, which start the model's
/// well-recorded matches and its non-matches. `identifiers`: the comparisons of the hard
/// fields (an NHS number: level 1 is disagreement), on which a class of matches must rarely
/// disagree.
MissedLinks estimate_missed_links(const std::vector<std::string>& area, const PairPattern& compare,
                                  const LevelProbabilities& m, const LevelProbabilities& u, const LinkConfig& cfg,
                                  const std::vector<std::size_t>& identifiers, const std::vector<ScoredPair>& pairs,
                                  const std::vector<std::uint32_t>& cluster, int threads);

}  // namespace joindots::link
