#pragma once
// Record linkage, the whole stage in one call (METHODS.md §1):
//   normalise -> block -> compare -> estimate u -> EM on pattern counts -> score -> cluster
// link_records() takes records already normalised (normalise_record) so that the CSV and
// store front ends share everything after reading.
#include <cstdint>
#include <string>
#include <vector>

#include "link/block.hpp"
#include "link/blocking_splits.hpp"
#include "link/choose_blocking.hpp"
#include "link/cluster.hpp"
#include "link/config.hpp"
#include "link/diagnose.hpp"
#include "link/fellegi_sunter.hpp"
#include "link/missed_links.hpp"
#include "link/review.hpp"
#include "link/structure.hpp"

namespace joindots::link {

struct LinkOptions {
  bool quiet = true;                      // no progress on stderr
  bool cross_source_only = false;         // link files (pairs across sources) vs de-duplicate
  std::vector<std::string> source_names;  // for decisions and review files
  std::vector<ReviewDecision> decisions;  // clerical decisions overriding the model
  double keep_floor = 0.01;               // candidate pairs below this probability are dropped
};

struct LinkTimings {
  double block = 0, compare = 0, estimate_u = 0, em = 0, score = 0, cluster = 0, blocking_splits = 0, total = 0;
  double missed_links = 0;  // with --db, after the run (not in total)
};

struct LinkResult {
  std::vector<std::uint32_t> cluster;  // per record
  std::size_t clusters = 0;
  ClusterResult cluster_stats;
  FsModel model;
  BlockingReport blocking;
  PatternCounts patterns;         // distinct comparison patterns of the candidate pairs
  std::vector<ScoredPair> pairs;  // candidate pairs with probability >= keep_floor
  std::int64_t candidate_pairs = 0;
  std::int64_t decisions_applied = 0;
  int threads = 1;
  LinkTimings seconds;
  /// Structure learned from the data (link/structure.hpp): correlated fields absorbed, and
  /// per source the within-file duplication (linking files only).
  std::vector<CorrelatedFields> correlated;
  DuplicationReport duplication;
  std::vector<int> source_limit;  // per source, records a cluster may hold (0 = no limit)
  /// The usual cluster size (cluster.usual_size_quantile of the sizes under the full
  /// cohesion guard) within which merges needed only min_cohesion_within_usual; 0 = none.
  std::size_t usual_cluster_size = 0;
  /// Share of high-agreement sample pairs the blocking rules make candidates (no truth
  /// needed); -1 when not estimated.
  double estimated_blocking_recall = -1;
  /// How many high-agreement sample pairs that share rests on (0 when not estimated): what the
  /// estimate's correction for links blocking never compared needs (estimate/unseen_links.hpp).
  std::int64_t blocking_recall_sample = 0;
  /// True links blocking never compared that the run left apart, from a larger random sample
  /// (blocking_splits.hpp): what estimate --db corrects the victims' table by.
  BlockingSplits blocking_splits;
  /// True links the run left apart among the pairs within an area, from a latent-class model
  /// of those pairs (missed_links.hpp; with --db, where records carry their area).
  MissedLinks missed_links;
  /// Rules added to the defaults by estimated recall (choose_blocking.hpp); `considered`
  /// false when the config gave rules or the sample was too small.
  BlockingChoice blocking_choice;
  std::vector<LinkWarning> warnings;  // self-diagnosis (diagnose.hpp); empty = plausible
};

/// Links `records` under `config`. Throws UsageError when blocking exceeds the pair budget.
LinkResult link_records(const std::vector<LinkRecord>& records, const LinkConfig& config, const LinkOptions& options);

/// The size that config.usual_size_quantile of the clusters of two or more records stay
/// within (the size-aware cohesion guard, cluster.hpp); 0 when the guard is off or too few
/// clusters were found to tell.
std::size_t usual_cluster_size(const ClusterResult& clusters, const LinkConfig& config);

/// `config` with the blocking rules the run added by estimated recall, i.e. the rules it
/// actually used (for evaluating blocking recall against truth).
LinkConfig config_as_run(LinkConfig config, const LinkResult& result);

/// The self-diagnosis of a finished run (diagnose.hpp); `rule_patterns` are the pattern
/// counts of the pairs sharing a block of each rule.
std::vector<LinkWarning> diagnose_link(const std::vector<LinkRecord>& records, const LinkConfig& config,
                                       const LinkOptions& options, const LinkResult& result,
                                       const std::vector<PatternCounts>& rule_patterns);

/// Stage 3-4 on their own, for tests and benchmarks: the pattern counts of the candidate
/// pairs of a blocker, compared on `threads` threads.
PatternCounts count_patterns(const std::vector<LinkRecord>& records, Blocker& blocker,
                             const std::vector<Comparison>& comparisons, int threads);

/// Share of the true pairs (records with the same truth label; across sources only when
/// `cross_source_only`) that blocking makes candidates: the recall ceiling of the run.
struct BlockingRecall {
  std::int64_t true_pairs = 0, candidate_true_pairs = 0;
  double recall = 0;
};
BlockingRecall blocking_recall(const std::vector<LinkRecord>& records, const std::vector<std::string>& truth,
                               const LinkConfig& config, bool cross_source_only);

}  // namespace joindots::link
