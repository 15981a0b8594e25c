#pragma once
// Clerical review: pairs whose match probability falls in an uncertain band are written to
// a CSV file with their values side by side and an empty `decision` column; a reviewer
// fills it with `match` or `non_match` and passes the file back with --decisions. On the
// next run those decisions override the model: a match links the pair whatever its score
// (and skips the cohesion guard); a non-match never lets the two records share a cluster.
#include <filesystem>
#include <string>
#include <vector>

#include "link/cluster.hpp"
#include "link/fellegi_sunter.hpp"

namespace joindots::link {

struct ReviewDecision {
  std::string source_a, id_a, source_b, id_b;
  bool match = false;
};

/// Writes the pairs with low <= probability < high (highest first). Returns how many.
std::size_t write_review_file(const std::filesystem::path& path, const std::vector<ScoredPair>& pairs,
                              const std::vector<LinkRecord>& records, const std::vector<std::string>& source_names,
                              const FsModel& model, double low, double high);

/// Reads decisions: columns source_a, id_a, source_b, id_b, decision (match | non_match,
/// also yes/no, 1/0; empty = undecided, skipped); other columns are ignored. Throws
/// BadInputError naming the line of a bad decision or a missing column.
std::vector<ReviewDecision> read_review_decisions(const std::filesystem::path& path);

}  // namespace joindots::link
