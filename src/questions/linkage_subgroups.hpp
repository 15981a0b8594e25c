#pragma once
// The victims' linkage draws carried into the figures for groups of victims: the children
// still involved and each estimated stratum (docs/estimation.md, "Linkage error in the
// victims' figure"). Each draw's partition of the records (the same partitions the victims'
// figure used) is summarised into persons as the link summarises its own
// (questions/persons.hpp); each group's members among them give a capture table, which the
// group's own model, chosen on the link's persons, re-estimates. The draws are combined with
// the group's plain interval as the victims' are (combine_with_draws): the centre corrected
// by the draws' geometric mean over the same refit on the saved pairs clustered at the
// link's threshold (or not corrected when that clustering does not reproduce the link), the
// interval widened by their spread. When every pair's probability is 0 or 1 every draw is
// the link's partition, and each group's figure is its plain one.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "estimate/estimate.hpp"
#include "questions/linkage_draws.hpp"
#include "questions/persons.hpp"

namespace joindots::questions {

/// What the linkage draws did to a group's figure.
struct GroupLinkage {
  int draws = 0;
  double model_estimate = 0;  // the plain figure, every link decision taken as certain
  estimate::Interval model_interval;
  CombinedInterval combined;
  nlohmann::ordered_json to_json() const;
  static GroupLinkage from_json(const nlohmann::ordered_json& j);
};

/// A group of victims: who belongs, its plain figure, and how a table of it is re-estimated.
struct VictimGroup {
  std::function<bool(const PersonRow&)> member;
  double estimate = 0;
  estimate::Interval interval;
  TableEstimator refit;
};

/// Each group's figure with the draws of `u` (which must hold its partitions). A group whose
/// plain figure is not finite is left as it is (draws 0).
std::vector<GroupLinkage> carry_draws_into_groups(const LinkageInput& in, const LinkageUncertainty& u,
                                                  const std::vector<VictimGroup>& groups, bool quiet);

/// How a headline's table is refitted cheaply: its log-linear model when it has one (the
/// model chosen on the link's persons, fitted again), else Chapman's estimator on a two-list
/// table, else nothing (an empty function: such a group carries no draws). `method` gets the
/// words for it.
TableEstimator refit_of(const estimate::EstimateResult& r, int lists, std::string* method = nullptr);

}  // namespace joindots::questions
