#pragma once
// Encoding one record's identifiers (issue 16, docs/schema.md "Encoded mode"):
//  - a CLK: one Bloom filter (1024 bits by default) holding keyed hashes of the record's
//    q-grams and parts, field by field, each field under its own key and with its own
//    weight (bits set per element), as in clkhash's schema design;
//  - keyed tokens (HMAC-SHA256, 128 bits, base64): the exact identifiers, and blocking keys
//    made by the same blocking rules plaintext linkage uses (records/blocking_key.hpp), so that
//    encoded linkage can block as plaintext linkage does.
// Elements come from the record as linkage normalises it (records/fields.hpp), so names are
// case-folded, accents stripped, titles dropped, before anything is hashed.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "encode/dice.hpp"
#include "encode/secret.hpp"
#include "records/blocking_key.hpp"

namespace joindots::encode {

/// Names the element lists, the weights and the token rules below; part of every encoded
/// row, so a change to any of them must change it (old and new encodings do not compare).
/// joindots-clk-2 added the blocking-only columns blk_family_given1 and blk_given_family1 and
/// made blk_names the same for names recorded either way round (clk-1 files: ingest refuses
/// them by their scheme).
inline constexpr std::string_view kSchemeName = "joindots-clk-2";

/// One CLK field: where its elements come from, its key's id and its weight.
struct ClkFieldSpec {
  std::string_view name;
  std::uint64_t key_id;
  int bits_per_element;
};
inline constexpr std::array<ClkFieldSpec, 6> kClkFields = {{
    {"given_name", 10, 15},   // padded bigrams of each token
    {"family_name", 11, 15},  // padded bigrams of each token
    {"other_names", 12, 4},   // aliases and the formal names a nickname stands for: bigrams
    {"dob", 13, 15},          // year, month and day, each its own element
    {"sex", 14, 8},           // f or m
    {"postcode", 15, 8},      // area, district, sector and unit, each its own element
}};
inline constexpr int kMaxBitsPerElement = 32;  // one BLAKE2b-512 output gives 32 positions
/// The key id of the bit flips' hash (encode/secret.hpp; apart from every field's and token's).
inline constexpr std::uint64_t kFlipKeyId = 80;

/// A token column: its name in the encoded file, its key's id, and what it is made of:
/// an identifier field, or a blocking rule (records/blocking_key.hpp syntax).
struct TokenSpec {
  std::string_view column;
  std::uint64_t key_id;
  std::string_view source;
  /// The parts of the key in sorted order rather than the rule's (since joindots-clk-2 for
  /// blk_names): names recorded the other way round give the same token.
  bool unordered = false;
};
inline constexpr std::array<TokenSpec, 15> kTokenColumns = {{
    {"tok_nhs_number", 40, "nhs_number"},
    {"tok_upn", 41, "upn"},
    {"tok_pnc_id", 42, "pnc_id"},
    {"blk_dob", 60, "dob"},
    {"blk_dob_family", 61, "dob & family_name.soundex"},
    {"blk_dob_given", 62, "dob & given_name.soundex"},
    {"blk_names_year", 63, "given_name.soundex & family_name.soundex & dob.year"},
    {"blk_names_month_day", 64, "given_name.soundex & family_name.soundex & dob.month_day"},
    {"blk_dob_district", 65, "dob & postcode.district"},
    {"blk_names", 66, "given_name.soundex & family_name.soundex", true},
    {"blk_postcode", 67, "postcode"},
    {"blk_given2_district", 68, "given_name.prefix2 & postcode.district"},
    {"blk_family_district", 69, "family_name.soundex & postcode.district"},
    // Blocking only (from kComparedTokenColumns on): a name's code with the other name's
    // first letter, the rules plaintext linkage adds under identifier noise (a typo or a
    // changed form in one name; link/config.cpp candidate_blocking_rules).
    {"blk_family_given1", 70, "family_name.soundex & given_name.prefix1"},
    {"blk_given_family1", 71, "given_name.soundex & family_name.prefix1"},
}};
/// The token columns linkage compares (each a comparison of the Fellegi-Sunter model); the
/// columns after them only make candidates: what they would say of a pair the names' token
/// and the Dice say already, and the model's pattern holds 16 comparisons.
inline constexpr std::size_t kComparedTokenColumns = 13;
/// Several tokens in one cell (a name with aliases gives several blocking keys) are
/// separated by this; base64url never holds it.
inline constexpr char kTokenSeparator = ' ';

/// Supported filter widths: a power of two from 256 to 4,096 bits.
bool valid_clk_bits(std::size_t bits);

/// Hardenings against frequency attacks (docs/privacy.md "Hardenings"), each an option of
/// `joindots encode` and each written into the scheme, so that the hub refuses to mix
/// encodings made with and without it (they would not compare).
enum class SaltBy { none, sex, birth_year };
struct Hardening {
  /// Every name and postcode element hashed with this attribute's value beside it, so that
  /// the same surname sets other bits for another sex or year of birth (records without
  /// the value are salted with nothing). The date of birth and sex elements are not salted.
  SaltBy salt = SaltBy::none;
  /// The filter XOR-folded onto half its width (bit i ^= bit i + width / 2).
  bool fold = false;
  /// Each bit of the (folded) filter flipped with this probability (BLIP; RAPPOR's
  /// permanent randomised response), 0 to 0.25. The flips are drawn from a keyed hash of
  /// the record's whole filter: the same identifiers always get the same flips, so
  /// encoding a record twice gives nothing to average out.
  double flip = 0;
  /// Not a hardening but a choice of the scheme written beside them: the family name's CLK
  /// elements hashed under the given name's key, so that names recorded the other way round
  /// set the same bits (`encode --names-one-key`; scheme text "+names-one-key"). FEBRL4's two
  /// files: F1 0.982 -> 0.991; the noisy simulated countries' suspects -0.002 to -0.004, so
  /// not the default (bench/README.md "Both names under one key as the scheme's own").
  bool names_one_key = false;
  bool operator==(const Hardening&) const = default;
};
std::string_view to_string(SaltBy salt);
/// "sex", "birth-year" or "none"; nullopt for anything else.
std::optional<SaltBy> salt_by_name(std::string_view name);

/// What a scheme text names: the stored filter width and the hardenings.
struct SchemeInfo {
  std::size_t bits = 0;  // the width of the filter as stored (half the encoding's when folded)
  Hardening hardening;
};
/// "joindots-clk-2/1024", and with hardenings "joindots-clk-2/512+salt-birth-year+fold+flip-0.05"
/// (always in this order, "+names-one-key" before them; the width is the stored one).
std::string scheme_text(const SchemeInfo& info);
/// The scheme a text names, nullopt when it is not one this joindots writes.
std::optional<SchemeInfo> parse_scheme(std::string_view text);

struct EncodedRecord {
  std::vector<std::uint64_t> clk;                    // bits / 64 words
  std::array<std::string, kTokenColumns.size()> tokens;  // empty: the record has no value
};

class RecordEncoder {
 public:
  /// Throws UsageError when the hardening cannot be applied (a flip probability out of
  /// 0-0.25, a folded width under 256 bits).
  RecordEncoder(const Secret& secret, std::size_t bits = 1024, const Hardening& hardening = {});

  /// "joindots-clk-2/1024": the scheme and the width, as written in every encoded row.
  std::string scheme() const;
  /// The width the filters are built at; the stored width is half of it when folded.
  std::size_t bits() const { return bits_; }
  const Hardening& hardening() const { return hardening_; }
  const std::string& fingerprint() const { return fingerprint_; }

  /// The record's CLK, hardened, and its tokens.
  EncodedRecord encode(const Record& record) const;
  /// The same, unhardened but for the salt (the filter at bits() wide): a bench adds its
  /// own elements (add_elements) and then hardens it.
  EncodedRecord encode_unhardened(const Record& record) const;
  /// Folds and flips an unhardened filter, in place (its size halves when folded).
  void harden(std::vector<std::uint64_t>& clk) const;

  /// What one CLK field alone contributes to the record's CLK, hardened as the CLK is (the
  /// flips those of the record's whole filter): what an attacker who has isolated that
  /// field's bits sees (tests/encode/frequency_attack_test.cpp).
  std::vector<std::uint64_t> field_filter(const Record& record, std::size_t field) const;

  /// Adds `elements` to an unhardened CLK under the key of CLK field `field` (kClkFields
  /// index), `bits` positions each, salted by `salt`: for data sets outside the agency
  /// schema, whose other fields a bench encodes beside the scheme's
  /// (bench/encoded_febrl.cpp). At most kMaxBitsPerElement.
  void add_elements(std::vector<std::uint64_t>& clk, std::size_t field, int bits,
                    const std::vector<std::string>& elements, std::string_view salt = {}) const;
  /// The salt value of a normalised record under this encoder's hardening ("" for none).
  std::string salt_of(const link::LinkRecord& r) const;

  /// The elements of each CLK field (kClkFields order) for a record linkage normalised:
  /// what is hashed, before hashing (for tests and docs).
  static std::array<std::vector<std::string>, kClkFields.size()> clk_elements(const link::LinkRecord& r);

 private:
  void add_element(std::vector<std::uint64_t>& clk, const Key& key, int k, std::string_view element,
                   std::string_view salt) const;
  void add_fields(std::vector<std::uint64_t>& clk, const link::LinkRecord& r, std::size_t only_field) const;
  void apply_flips(std::vector<std::uint64_t>& clk, const std::vector<std::uint64_t>& seed_filter) const;

  std::size_t bits_;
  Hardening hardening_;
  Key flip_key_{};
  std::string fingerprint_;
  std::array<Key, kClkFields.size()> field_keys_;
  std::array<Key, kTokenColumns.size()> token_keys_;
  std::array<std::vector<link::BlockingKey>, kTokenColumns.size()> token_rules_;  // empty for identifiers
};

/// Age band at `on` of a date of birth (records/age_band.hpp's bands), the one age figure an
/// encoded file keeps in plaintext.
std::string encoded_age_band(const Record& record);

}  // namespace joindots::encode
