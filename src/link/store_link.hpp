#pragma once
// Linking the records held in the store (`joindots link --db`): read the records of a
// role, link them with link_records(), summarise persons, evaluate against the simulator's
// truth when given, and save the run (pairs above a floor, persons with their capture
// histories, which record is whom, diagnostics) through Store::save_link_run.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "link/config.hpp"
#include "link/evaluate.hpp"
#include "link/link.hpp"
#include "link/persons.hpp"
#include "simulate/truth_reader.hpp"
#include "store/store.hpp"

namespace joindots::link {

/// The fields a stored record offers for linkage (raw_from_record, records/fields.hpp, fills them).
std::bitset<kFieldCount> store_fields();

struct RoleRun {
  Role role = Role::victim;
  std::size_t records = 0;
  LinkResult result;
  std::vector<Person> persons;
  std::optional<Evaluation> evaluation;
  std::optional<BlockingRecall> blocking_recall;
  /// Merged over the diagnostics made from `result` (JSON merge patch): what a linkage on
  /// encodings compares and blocks by, which LinkResult's plaintext fields cannot say.
  nlohmann::json diagnostics_extra;
};

struct StoreLinkRun {
  std::int64_t run_id = 0;
  std::vector<RoleRun> roles;
  double seconds = 0;
};

struct StoreLinkOptions {
  std::vector<Role> roles;  // empty: every role, each on its own
  std::optional<SimulatedTruth> truth;  // simulate/truth_reader.hpp
  std::vector<ReviewDecision> decisions;
  bool quiet = true;
  double pair_floor = 0.05;  // pairs saved when at least this probable
};

/// Links each role's records in the store and saves the run; a store in encoded mode is
/// linked on its encodings (link/encoded_link.hpp). `settings` supplies the
/// comparators, rules and thresholds ([columns] is ignored: stored records have fixed fields).
StoreLinkRun link_store(Store& store, const LinkSettings& settings,
                        const StoreLinkOptions& options);

/// One role's persons, which record is whom and the scored pairs, as the store saves them;
/// person ids from `next_person_id` on, which is advanced past them.
LinkRunOutput role_output(const RoleRun& rr, const std::vector<std::int64_t>& record_pk,
                          std::int64_t& next_person_id);
/// One role's diagnostics as saved (`orgs` names the sources by index).
nlohmann::json role_diagnostics_json(const RoleRun& rr, const std::vector<std::string>& orgs = {});

/// The run summary as JSON (also stored in runs.summary).
nlohmann::json run_summary_json(const StoreLinkRun& run);

/// The run's parameters saved with it, the cluster guard among them (estimate's linkage
/// draws re-cluster the saved pairs by it); blocking and comparisons left for the caller.
nlohmann::json link_run_params(const LinkConfig& config, const StoreLinkOptions& options,
                               const std::vector<Role>& roles);

}  // namespace joindots::link
