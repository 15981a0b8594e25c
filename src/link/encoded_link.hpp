#pragma once
// Linkage on encodings (issue 16, item 3): `joindots link --db` on a store in encoded mode,
// whose records hold a CLK (a keyed Bloom filter of the identifiers) and keyed tokens
// instead of names, dates of birth, postcodes and identifiers (docs/schema.md "Encoded
// mode"). The stage is the plaintext one with other comparisons:
//  - candidates: records sharing a token of one column, plus bit-sampling Hamming LSH bands
//    on the CLKs (encode/candidates.hpp), under the same pair budget and block cap;
//  - comparisons: the Dice coefficient of the CLKs banded into levels, agreement on each
//    token column, and sex (encoded_pattern);
//  - Fellegi-Sunter: u from random pairs, m and the match share by EM with u fixed
//    (link::em_fit), levels ordered as plaintext orders them;
//  - clustering by link::cluster_pairs with the cohesion guard, its size-aware relaxation
//    and the hard rule on the identifier tokens (two different NHS number tokens never share
//    a person, as two different NHS numbers never do); clerical decisions honoured;
//  - persons, pairs, the review band and diagnostics saved as the plaintext path saves them,
//    so `networks`, `estimate --db` and `report` run unchanged on the result.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "encode/candidates.hpp"
#include "encode/encoder.hpp"
#include "link/store_link.hpp"

namespace joindots::link {

/// The comparisons of a pair of encoded records, in pattern order (4 bits each): 0 the Dice
/// coefficient of the CLKs in encode::kDiceLevels levels when both records hold a full date
/// of birth; 1..13 each compared token column of encode::kTokenColumns (missing / else / a token
/// shared: for the identifier tokens, plaintext's exact agreement); 14 sex (missing / else /
/// exact); 15 the Dice coefficient in the same levels when either record lacks a full date
/// of birth (no blk_dob token). The Dice of two filters without a date of birth says only
/// what the names and postcode say, which the name and postcode tokens say too: with one
/// comparison for both, its m and u, set by the pairs with a date, made a names-only Dice
/// count as much as names and date agreeing (docs/linkage.md "Linkage on encodings").
inline constexpr std::size_t kEncodedComparisons = 1 + encode::kComparedTokenColumns + 2;
inline constexpr std::size_t kDiceComparison = 0;
inline constexpr std::size_t kNhsTokenComparison = 1;  // tok_nhs_number, kTokenColumns[0]
inline constexpr std::size_t kSexComparison = 1 + encode::kComparedTokenColumns;
inline constexpr std::size_t kDiceWithoutDobComparison = kSexComparison + 1;
/// The token column of the full date of birth (blk_dob), whose presence on both records
/// picks the Dice comparison.
inline constexpr std::uint16_t kDobTokenColumn = 3;
const std::vector<std::size_t>& encoded_levels();
std::string encoded_comparison_name(std::size_t k);
std::string encoded_level_name(std::size_t k, int level);

/// LSH bands the candidates are found with (beside the tokens): bench/README.md "Blocking
/// on encodings" measured 10 of 24 bits at blocking recall 0.998 on some 20,000 records;
/// more bits on more records (encode::lsh_bits_for).
inline constexpr int kEncodedLshBands = 10;
/// The token columns blocked on: the compared ones but the date of birth alone (blk_dob puts
/// everyone born on one day in one block, 46 M pairs among a million records' 780,000
/// victims; the plaintext rules never block on the date alone either). Not the blocking-only
/// columns of a name's code with the other's initial (blk_family_given1, blk_given_family1):
/// on the noisy simulated country they bring the victims' blocking recall from 0.892 to 0.972
/// (plaintext 0.963), but the model, with no field-level similarity, links none of the pairs
/// they add (F1 0.929 either way), and a million records' victims get 2.4 times the candidates
/// and F1 0.967 against 0.974 (bench/README.md "Scheme joindots-clk-2").
inline constexpr std::uint32_t kEncodedBlockingColumns =
    ((std::uint32_t{1} << encode::kComparedTokenColumns) - 1) & ~(std::uint32_t{1} << kDobTokenColumn);

/// One role's encoded records as linkage reads them, in record_pk order.
struct EncodedRole {
  std::vector<Record> records;  // their plaintext columns (identifiers empty)
  std::vector<std::int64_t> record_pk;
  std::vector<std::uint32_t> source;  // index into orgs
  std::vector<std::string> orgs;
  encode::BlockingInput input;  // CLKs and tokens
  std::vector<std::uint32_t> clk_weight;
  std::vector<std::string> age_band;  // at the record's event
  std::size_t size() const { return records.size(); }
};
EncodedRole read_encoded_role(Store& store, Role role, bool quiet);

/// The comparison pattern of records a and b (link::level_of reads it).
Pattern encoded_pattern(const EncodedRole& d, std::uint32_t a, std::uint32_t b);

/// The token column that stands for an identifier field in the hard rule (nhs_number,
/// upn, pnc_id); UsageError for any other field (encodings hold no other value to compare
/// exactly).
std::uint16_t identifier_token_column(Field field);
/// The hard-rule value of record i for a token column: the token's key in hex, empty when
/// the record has none.
std::string hard_token_value(const std::vector<encode::Token>& tokens, std::uint16_t column);

/// The hard-rule values (cluster.hpp) of the stored records of `role` for `fields`, by
/// record_pk: the normalised identifiers of a plaintext store, the identifier tokens of an
/// encoded one (what the link run's hard rule compared).
void for_each_hard_values(Store& store, Role role, const std::vector<Field>& fields,
                          const std::function<void(std::int64_t record_pk, std::vector<std::string> values)>& fn);

/// One role's records linked on their encodings: candidates (returned in `candidates`),
/// comparisons, the fit, clerical decisions, clustering and persons; evaluated against
/// options.truth (by source_org and record_id) when given. Nothing is saved. With
/// `pooled_m` (the victims' m of the same run), m is that and EM fits only the match share.
/// Agreement on a blocking token is weighted by how rare the token is (term frequencies).
RoleRun link_encoded_records(const EncodedRole& records, Role role, const LinkConfig& config,
                             const StoreLinkOptions& options, encode::Candidates& candidates,
                             const LevelProbabilities* pooled_m = nullptr);

/// Links each role of an encoded store and saves the run as link_store does. UsageError when
/// the settings ask for what encodings cannot give: compared fields or comparators, term
/// frequencies, blocking rules, a hard rule on a field other than an identifier, EM options
/// of the plaintext model.
StoreLinkRun link_encoded_store(Store& store, const LinkSettings& settings, const StoreLinkOptions& options);

}  // namespace joindots::link
