#pragma once
// Self-diagnosis after a linkage run (issue 12): checks that the result is plausible and,
// when it is not, a warning naming what looks wrong, the likely cause and the config change
// that addresses it. The CLI prints them on stderr and lists them under `warnings` in
// --json (with `implausible: true`); `--db` stores them with the run's diagnostics.
//
// Checks:
//  - cluster_too_large: a cluster larger than sources x the largest plausible duplication
//    within a source (1 for a file of one record per person; else 10 x the median size of
//    the clusters of two or more records, at least 20);
//  - match_share: the pairs linked (within clusters) far from (a factor of 3) the matches
//    the fitted prior expects, or the expected matches more than the record counts allow;
//  - em_not_converged;
//  - m_below_u: a field whose fitted m of exact agreement fell below its u before the
//    ordering constraint (the model learned agreement on it as evidence against a match);
//  - rule_without_names: a blocking rule supplying most candidate pairs while few of its
//    pairs agree on either name and the model scores more than twice that share of them
//    as matches (blocks of a place or date, and EM learned the place as the match class);
//  - low_blocking_recall: the share of high-agreement sample pairs the rules make
//    candidates (estimated without truth) is below 0.9.
#include <string>
#include <vector>

namespace joindots::link {

struct LinkWarning {
  std::string code;     // e.g. "cluster_too_large"
  std::string message;  // what looks wrong, with figures
  std::string cause;    // the likely cause
  std::string fix;      // the config change that addresses it
};

}  // namespace joindots::link
