#pragma once
// Linkage quality against a true record -> entity mapping.
//  - Pairwise (over the pairs of records put in one cluster): precision = TP / found pairs,
//    recall = TP / true pairs, F1 their harmonic mean. When linking files (cross-source
//    only), only pairs of records from different sources count.
//  - B-cubed (Bagga & Baldwin 1998; Amigo et al. 2009): for record r with found cluster C(r)
//    and true entity E(r), precision(r) = |C(r) n E(r)| / |C(r)|, recall(r) =
//    |C(r) n E(r)| / |E(r)|, averaged over records.
//  - The true and found numbers of entities.
#include <cstdint>
#include <string>
#include <vector>

namespace joindots::link {

struct Evaluation {
  std::int64_t true_pairs = 0, found_pairs = 0, true_positive_pairs = 0;
  double precision = 0, recall = 0, f1 = 0;
  double bcubed_precision = 0, bcubed_recall = 0, bcubed_f1 = 0;
  std::int64_t true_entities = 0, found_entities = 0;
  double entity_count_error = 0;  // (found - true) / true
};

/// `cluster` and `truth` per record (an empty truth label is an entity of its own); with
/// `source` given, only cross-source pairs count in the pairwise measures.
Evaluation evaluate(const std::vector<std::uint32_t>& cluster, const std::vector<std::string>& truth,
                    const std::vector<std::uint32_t>* source = nullptr);

}  // namespace joindots::link
