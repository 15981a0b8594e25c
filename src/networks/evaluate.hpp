#pragma once
// Recovered networks against the simulator's true offending groups (the folder `simulate`
// wrote, as simulate/truth_reader.hpp reads it: records, offenders, victims, groups).
//  - Each suspect person in a network is mapped to the true person most of its records
//    belong to; those that map to a true offender are the items compared. The partition
//    agreement (adjusted Rand index, pairwise precision / recall / F1) is between their
//    networks and their offenders' groups.
//  - The true networks are built as the found ones are, but from true identities: a true
//    group is counted when at least one of its offenders has a case-bearing record (the
//    groups the records can reveal); its extent comes from every record of its offenders
//    and victims that appear in cases, by the same rule (home districts, their forces, the
//    recording force). It is cross-force when it spans two or more police force areas.
//    groups.csv's own flag (the group operated across forces) is reported beside it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "networks/networks.hpp"
#include "networks/partition_agreement.hpp"
#include "simulate/truth_reader.hpp"

namespace joindots::networks {

struct NetworkEvaluation {
  PartitionAgreement agreement;
  std::int64_t suspects_compared = 0, suspects_not_offenders = 0;
  std::int64_t found_networks = 0, found_cross_force = 0;
  std::int64_t true_networks = 0, true_cross_force = 0;
  std::int64_t true_cross_force_declared = 0;  // of the true networks, groups.csv cross_force
  std::int64_t groups = 0, groups_cross_force = 0;  // all of groups.csv
};

NetworkEvaluation evaluate_networks(const std::vector<NetworkRecord>& records, const NetworkResult& result,
                                    const SimulatedTruth& truth);

}  // namespace joindots::networks
