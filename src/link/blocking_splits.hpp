#pragma once
// Persons split apart because blocking never compared their records, estimated without truth
// (docs/linkage.md, "Self-diagnosis"; issue 11).
//
// Random record pairs are an unbiased sample of all pairs, so of the matches among them: those
// the fitted model scores p >= 0.5 are the high-agreement sample. A sample pair that no
// blocking rule made a candidate and that the run's clusters hold apart is a true link the
// linkage draws cannot see (they only re-draw pairs that were scored). Its share of the
// sample, split_apart / sample, is the rate the victims' table is corrected by
// (estimate/unseen_links.hpp). A pair blocking missed whose records the run joined anyway
// (through other records of the person) costs nothing and is not counted.
//
// Why a sample of its own, larger than the blocking recall's (`model.split_pairs`, at most 10 M
// random pairs): on noisy countries about 1-2% of true pairs are split so, and the 1 M pairs
// behind the recall hold only some 200 matches, so 2-4 such pairs. Half the draws are uniform
// over all pairs and half uniform within a year of birth, where a child's records nearly always
// fall (issue 11: at 30,000 records a uniform 10 M held 124-146 high-agreement pairs); each pair
// weighs the inverse of its chance under that mixture relative to a uniform draw, so the
// weighted share is that of random pairs, and the counts are reported in effective (Kish) units,
// (sum w)^2 / sum w^2, which is what the estimate's binomial draws of the rate take.
#include <cstdint>
#include <vector>

#include "link/block.hpp"
#include "link/fellegi_sunter.hpp"

namespace joindots::link {

struct LinkConfig;

/// Random pairs are drawn until this many high-agreement pairs are found (or the budget is
/// spent): a split rate of 1% then rests on about 20 pairs.
inline constexpr std::int64_t kSplitSampleTarget = 2000;

struct BlockingSplits {
  std::int64_t pairs_drawn = 0;     // random pairs scored (all pairs when there are fewer)
  std::int64_t sample = 0;          // of them scored p >= 0.5 (the high-agreement sample), effective
  std::int64_t never_compared = 0;  // of those, no blocking rule's candidates (same units)
  std::int64_t split_apart = 0;     // of those, in two persons of the run (same units)
  bool estimated() const { return sample > 0; }
  double rate() const { return sample > 0 ? static_cast<double>(split_apart) / static_cast<double>(sample) : 0.0; }
};

/// The estimate above over at most `cfg.split_pairs` random pairs (seeded by `cfg.seed`; every
/// pair, unweighted, when there are fewer), stopping at an effective kSplitSampleTarget
/// high-agreement pairs, on `threads` threads; not estimated (sample 0) when no year of birth
/// splits the pairs and the model's prior expects fewer than 100 matches among them.
BlockingSplits estimate_blocking_splits(const std::vector<LinkRecord>& records, const FsModel& model,
                                        const LinkConfig& cfg, const Blocker& blocker,
                                        const std::vector<std::uint32_t>& cluster, bool cross_source_only, int threads);

}  // namespace joindots::link
