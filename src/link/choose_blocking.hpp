#pragma once
// Blocking rules chosen from the columns present, by estimated recall (issue 12, item 4).
//
// When no config gives rules, the default rules whose fields are compared block first. The
// model fitted on their candidates then scores random record pairs (an unbiased sample of
// all pairs, so of the matches among them); those it scores as matches are the
// high-agreement sample. The share of them a rule set makes candidates estimates its
// blocking recall without truth. Rules from a pool of further candidates (a name code
// with the birth year or an occupation, a date with the sex, a place with part of a date,
// ...) are added greedily, the one covering most sampled matches the current rules miss
// first, while each adds at least 1% of the sample and its implied pairs stay within the
// candidates already compared (at most doubling the work per rule) and the pair budget.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "link/block.hpp"
#include "link/fellegi_sunter.hpp"

namespace joindots::link {

struct LinkConfig;

/// Random record pairs the model scores p >= 0.5 (all pairs when there are at most
/// min(u_pairs, 1 M)); `estimable` false when the sample cannot hold 30 such pairs.
struct HighAgreementSample {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  bool estimable = false;
};
HighAgreementSample sample_high_agreement_pairs(const std::vector<LinkRecord>& records, const FsModel& model,
                                                const LinkConfig& cfg, bool cross_source_only);

struct ChosenRule {
  std::string rule;
  double recall_gain = 0;          // share of the sample it adds
  std::int64_t pairs_implied = 0;  // its pairs, before de-duplication with the other rules
};

struct BlockingChoice {
  bool considered = false;        // default rules and an estimable sample
  std::int64_t sample_matches = 0;
  double recall_default = -1;     // estimated recall of the default rules
  double recall_chosen = -1;      // ... of the default rules plus those added
  std::vector<ChosenRule> added;  // in the order chosen
  std::vector<BlockingRule> rules;  // the rules added (parsed)
};

/// The further rules worth adding to `blocker`'s, chosen from `pool` by the sample above.
BlockingChoice choose_blocking_rules(const std::vector<LinkRecord>& records, const Blocker& blocker,
                                     const std::vector<BlockingRule>& pool, const HighAgreementSample& sample,
                                     std::int64_t candidate_pairs, const LinkConfig& cfg, bool cross_source_only);

/// One line for the run's output: the default rules' estimated recall, the rules added
/// with their gains and pairs, the recall chosen. Empty when no choice was considered.
std::string describe_blocking_choice(const BlockingChoice& choice);

}  // namespace joindots::link
