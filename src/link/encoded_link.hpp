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
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "encode/candidates.hpp"
#include "encode/encoder.hpp"
#include "encode/field_dice.hpp"
#include "link/store_link.hpp"

namespace joindots::link {

/// The comparisons of a pair of encoded records, in pattern order (4 bits each): 0-3 the Dice
/// coefficient of the given name (with the other names), the family name, the date of birth
/// and the postcode, each from its own bits of the CLK (scheme joindots-clk-3,
/// encode/field_dice.hpp) in encode::kDiceLevels levels, missing when either record sets no bit
/// of the field, the names taken crosswise when that agrees better (names recorded the other
/// way round); 4 sex (missing / else / exact); 5-15 the token columns of kComparedTokens
/// (missing / else / a token shared: for the identifier tokens, plaintext's exact agreement).
/// The field-level Dice replace one Dice of the whole CLK (two comparisons: with and without
/// a date of birth on both records), which told EM nothing of which field disagreed; the
/// tokens of the date of birth alone (blk_dob) and of the postcode alone (blk_postcode) went to
/// make room, saying no more than the date's and the postcode's Dice at 0.97+.
/// The blocking tokens are conjunctions of the fields the Dice compare (a name's code with the
/// postcode district or the date of birth): where every field a token joins agrees at the top
/// Dice level, the token says nothing the Dice have not said, and it is not compared (missing),
/// as plaintext absorbs a field whose agreement comes with another's ("correlated fields").
/// Scored as independent of the Dice, they counted the same agreement two or three times
/// (FEBRL3: EM's match class 51% of the candidates, F1 0.715, against clk-2's 0.912). Measured
/// in bench/README.md "Correlated comparisons on the encodings".
inline constexpr std::size_t kFieldComparisons = encode::kComparedFields;
inline constexpr std::size_t kSexComparison = kFieldComparisons;
inline constexpr std::size_t kFirstTokenComparison = kSexComparison + 1;
/// The token columns compared (kTokenColumns index), in pattern order from kFirstTokenComparison.
inline constexpr std::array<std::uint16_t, 11> kComparedTokens = {0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 12};
inline constexpr std::size_t kEncodedComparisons = kFirstTokenComparison + kComparedTokens.size();
/// The comparison of token column c, or -1 when the column is not compared.
constexpr int token_comparison(std::size_t c) {
  for (std::size_t i = 0; i < kComparedTokens.size(); ++i)
    if (kComparedTokens[i] == c) return static_cast<int>(kFirstTokenComparison + i);
  return -1;
}
/// The compared fields (bit f: comparison f) each compared token column joins, by
/// kComparedTokens' order: none for the identifiers (always compared); blk_dob_family the date
/// and family name, blk_dob_given the date and given name, blk_names_year and
/// blk_names_month_day both names and the date, blk_dob_district the date and postcode,
/// blk_names both names, blk_given2_district the given name and postcode, blk_family_district
/// the family name and postcode.
inline constexpr std::array<std::uint8_t, kComparedTokens.size()> kTokenFields = {0, 0, 0, 0b0110, 0b0101, 0b0111,
                                                                                 0b0111, 0b1100, 0b0011, 0b1001,
                                                                                 0b1010};
/// The pattern from the fields' Dice levels (FieldLayout::levels), the token columns both
/// records hold (bit c: kTokenColumns[c]) and those they share a token of, and sex's level.
inline Pattern encoded_pattern_of(const std::array<int, kFieldComparisons>& dice, std::uint32_t both,
                                  std::uint32_t same, Pattern sex) {
  Pattern p = 0;
  std::uint32_t top = 0;  // bit f: field f agrees at the top Dice level
  for (std::size_t k = 0; k < kFieldComparisons; ++k) {
    p |= static_cast<Pattern>(dice[k]) << (4 * k);
    if (dice[k] == encode::kDiceLevels - 1) top |= 1u << k;
  }
  for (std::size_t i = 0; i < kComparedTokens.size(); ++i) {
    const std::size_t c = kComparedTokens[i];
    static const bool kAbsorb = !std::getenv("JD_NO_ABSORB");  // measurement switch (session 11)
    const bool absorbed = kAbsorb && kTokenFields[i] && (kTokenFields[i] & top) == kTokenFields[i];
    const Pattern level = absorbed || !(both >> c & 1u) ? 0 : (same >> c & 1u) ? 2 : 1;
    p |= level << (4 * (kFirstTokenComparison + i));
  }
  return p | sex << (4 * kSexComparison);
}
/// The token column of the full date of birth (blk_dob), not blocked on.
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
  bool folded = false;  // the CLKs XOR-folded (a "+fold" scheme): where each field's bits are
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
