#pragma once
// Records grouped by a key (a year of birth, an area), with the record pairs each group holds:
// for sampling pairs uniformly among those within a group, where a person's records nearly
// always fall (link/blocking_splits.hpp, link/missed_links.hpp).
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "records/fields.hpp"

namespace joindots::link {

struct PairStrata {
  std::vector<std::vector<std::uint32_t>> members;  // per stratum, its records
  std::vector<std::int64_t> cumulative_pairs;       // eligible pairs of strata 0..s
  std::vector<int> of_record;                       // per record, its stratum; -1 = none
  std::int64_t pairs = 0;                           // eligible pairs within strata
  bool same(std::uint32_t a, std::uint32_t b) const { return of_record[a] >= 0 && of_record[a] == of_record[b]; }
};

/// Each record's source (LinkRecord::source): which pairs are eligible when linking files.
std::vector<std::uint32_t> sources_of(const std::vector<LinkRecord>& records);

/// Pairs among `members` (across sources only when `cross_source_only`; `source` per record,
/// read only then).
std::int64_t eligible_pairs(const std::vector<std::uint32_t>& source, const std::vector<std::uint32_t>& members,
                            bool cross_source_only);

/// Strata of the records by `key` (one per record, -1 = none), in increasing key order; a
/// stratum with no eligible pair is left out (its records in none).
PairStrata pair_strata(const std::vector<std::uint32_t>& source, const std::vector<int>& key, bool cross_source_only);

/// A pair drawn uniformly among the eligible pairs within strata (a stratum by its pairs, then
/// two of its records); nullopt when the draw is rejected (the same record twice, or, linking
/// files, the same source), which the caller counts as a try. `strata.pairs` must be positive.
std::optional<std::pair<std::uint32_t, std::uint32_t>> draw_pair_within(const PairStrata& strata,
                                                                        const std::vector<std::uint32_t>& source,
                                                                        bool cross_source_only, Rng& rng);

}  // namespace joindots::link
