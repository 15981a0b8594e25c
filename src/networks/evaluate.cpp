#include "networks/evaluate.hpp"

#include <algorithm>
#include <set>

namespace joindots::networks {

NetworkEvaluation evaluate_networks(const std::vector<NetworkRecord>& records, const NetworkResult& result,
                                    const SimulatedTruth& truth) {
  NetworkEvaluation ev;
  ev.found_networks = static_cast<std::int64_t>(result.networks.size());
  for (const auto& n : result.networks) ev.found_cross_force += n.cross_force();
  ev.groups = static_cast<std::int64_t>(truth.group_cross_force.size());
  for (const auto& [_, cf] : truth.group_cross_force) ev.groups_cross_force += cf;

  // Found side: each networked suspect's majority true person.
  std::map<PersonKey, std::map<std::string, std::int64_t>> votes;
  for (const auto& r : records) {
    if (!r.person.is_suspect() || !result.network_of_suspect.count(r.person)) continue;
    auto it = truth.person_of.find({r.source_org, r.record_id});
    ++votes[r.person][it == truth.person_of.end() ? std::string() : it->second];
  }
  std::map<std::string, std::int64_t> group_label;
  std::vector<std::int64_t> found, true_labels;
  for (const auto& [person, v] : votes) {
    auto best = std::max_element(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    auto g = truth.group_of_offender.find(best->first);
    if (g == truth.group_of_offender.end()) {
      ++ev.suspects_not_offenders;
      continue;
    }
    found.push_back(result.network_of_suspect.at(person));
    true_labels.push_back(
        group_label.try_emplace(g->second, static_cast<std::int64_t>(group_label.size())).first->second);
  }
  ev.suspects_compared = static_cast<std::int64_t>(found.size());
  ev.agreement = compare_partitions(found, true_labels);

  // True side: groups revealed by a case-bearing offender record. A case belongs to the
  // groups of the true offenders recorded in it; a group's extent is where the records of
  // its cases were made (the same rule find_networks applies to the linked persons).
  std::map<std::pair<std::string, std::string>, std::set<std::string>> groups_of_case;
  std::set<std::string> revealed;
  for (const auto& r : records) {
    if (r.case_ref.empty()) continue;
    auto it = truth.person_of.find({r.source_org, r.record_id});
    if (it == truth.person_of.end()) continue;
    if (auto g = truth.group_of_offender.find(it->second); g != truth.group_of_offender.end()) {
      groups_of_case[{r.source_org, r.case_ref}].insert(g->second);
      revealed.insert(g->second);
    }
  }
  std::map<std::string, std::set<std::string>> pfas_of_group;
  for (const auto& r : records) {
    if (r.case_ref.empty()) continue;
    auto c = groups_of_case.find({r.source_org, r.case_ref});
    if (c == groups_of_case.end()) continue;
    for (const auto& g : c->second) {
      auto& p = pfas_of_group[g];
      if (!r.pfa_cd.empty()) p.insert(r.pfa_cd);
      if (!r.force_cd.empty()) p.insert(r.force_cd);
    }
  }
  ev.true_networks = static_cast<std::int64_t>(revealed.size());
  for (const auto& g : revealed) {
    ev.true_cross_force += pfas_of_group[g].size() > 1;
    if (auto it = truth.group_cross_force.find(g); it != truth.group_cross_force.end())
      ev.true_cross_force_declared += it->second;
  }
  return ev;
}

}  // namespace joindots::networks
