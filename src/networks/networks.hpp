#pragma once
// Offender networks from linked records: the persons (already resolved across sources by
// the link stage) joined by the cases that record them together.
//
// A case is (source_org, case_ref) with case_ref non-empty: every victim and suspect
// recorded under it. The steps, each a call in find_networks():
//  1. cases: gather each case's persons, and each person's cases with the offences their
//     records there attribute to them (offence_count, at least 1);
//  2. bridges: two cases are joined when they share at least `min_bridge` persons (a
//     suspect and a victim each count one). The guard: a single shared person — one victim
//     exploited by two groups, one suspect recorded in another group's operation, or one
//     false link — does not merge two groups; two independent shared persons do. One
//     exception (`cross_source_suspect`): cases of two different sources (two forces) that
//     share a suspect are joined on him alone. A suspect the linker found in two forces'
//     cases is a group working across the boundary far more often than an offender of
//     another group recorded in one group's case, who offends the same child in the same
//     force (docs/networks.md gives the counts). The joined cases form case clusters
//     (union-find, so chains of bridges join);
//  3. suspects (roles suspect and associate) are assigned to one case cluster each: the one
//     where their records attribute the most offences to them (then the most records, then
//     the earliest case), so a suspect bridging two groups sits in the group he offends in;
//  4. networks: case clusters holding at least one suspect. A victim belongs to the
//     network of each of her cases' clusters (so a victim exploited by two groups belongs to
//     both); where a case's cluster kept none of its suspects, to theirs;
//  5. extent: the network's own cases are those of its cluster and those recording its
//     suspects; every record of its persons in them adds its home district, that district's
//     police force area and, for police records, the recording force. A victim's records in
//     another network's case or outside cases do not stretch it. The period runs from the
//     first event date to the last contact over every record of its persons.
// Suspects with no case-bearing record are in no network (`unattached_suspects`).
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "core/record.hpp"

namespace joindots::networks {

/// A person of a link run: person ids are per run, keyed with the role they were linked in.
struct PersonKey {
  Role role = Role::victim;
  std::int64_t person_id = 0;
  auto operator<=>(const PersonKey&) const = default;
  bool is_suspect() const { return role != Role::victim; }
};

/// One linked record, as the networks stage needs it.
struct NetworkRecord {
  PersonKey person;
  std::string source_org, record_id;
  std::string case_ref;  // empty: not part of a case
  std::string lad_cd;    // home district; may be empty
  std::string pfa_cd;    // police force area of lad_cd; empty when lad_cd is
  std::string force_cd;  // recording force for police records, else empty
  Date first, last;      // event date; last contact (event date when none)
  std::int64_t offences = 1;
};

struct NetworkOptions {
  /// Persons two cases must share to be joined (1 = plain connected components).
  int min_bridge = 2;
  /// Cases of two different sources (source_org: two forces) sharing one suspect are joined
  /// whatever min_bridge says.
  bool cross_source_suspect = true;
};

struct Network {
  std::int64_t id = 0;  // 1.., largest first
  std::vector<PersonKey> suspects, victims;
  std::vector<std::string> lads, pfas;  // sorted, distinct
  std::int64_t cases = 0, records = 0;
  Date first, last;
  std::int64_t persons() const { return static_cast<std::int64_t>(suspects.size() + victims.size()); }
  bool cross_force() const { return pfas.size() > 1; }
};

struct NetworkResult {
  std::vector<Network> networks;  // by suspects, then victims, descending; then first date
  std::map<PersonKey, std::int64_t> network_of_suspect;
  std::int64_t cases = 0;
  std::int64_t bridges_joined = 0, bridges_refused = 0;  // pairs of cases sharing persons
  std::int64_t bridges_cross_source = 0;  // of those joined, on one suspect across two sources
  std::int64_t suspects = 0, unattached_suspects = 0;    // suspect persons; those with no case
  std::int64_t victims = 0, unattached_victims = 0;      // victim persons; those in no network
};

/// Builds the networks from the records of one link run (see the file comment).
/// Throws std::invalid_argument when options.min_bridge < 1.
NetworkResult find_networks(const std::vector<NetworkRecord>& records, const NetworkOptions& options = {});

}  // namespace joindots::networks
