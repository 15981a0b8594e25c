#pragma once
// The simulator's truth read back (DIR/truth, as truth_writer.hpp writes it), once and in
// one type, for every stage that measures itself against it: link (which record is which
// person), networks (offenders' groups) and the four questions (the true totals).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace joindots {

struct SimulatedTruth {
  struct KeyHash {
    std::size_t operator()(const std::pair<std::string, std::string>& k) const {
      return std::hash<std::string>{}(k.first) * 31 + std::hash<std::string>{}(k.second);
    }
  };
  /// records.csv: (source_org, record_id) -> the true person_id.
  std::unordered_map<std::pair<std::string, std::string>, std::string, KeyHash> person_of;
  std::map<std::string, std::string> group_of_offender;                // offenders.csv
  std::map<std::string, std::vector<std::string>> groups_of_victim;    // victims.csv group_ids
  std::map<std::string, bool> group_cross_force;                       // groups.csv
  /// The four questions' true totals: victims, districts where a victim lived at any time
  /// (home, or after a move), offences, and victims still involved at the end.
  std::int64_t victims = 0, areas = 0, offences = 0, still_involved = 0;
};

/// Reads DIR/truth. Throws UsageError when a file is missing (naming it and saying to give
/// the folder `simulate --out` wrote), BadInputError on a missing column.
SimulatedTruth read_simulated_truth(const std::filesystem::path& dir);

}  // namespace joindots
