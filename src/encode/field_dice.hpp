#pragma once
// Field-level Dice coefficients of two CLKs of scheme joindots-clk-3 (issue 16): each CLK
// field sets its own bits of the filter (encoder.hpp, ClkFieldSpec::sixteenths), so the bits
// two filters share within one field's bits, over those the two set there, is that field's
// Dice, as clkhash's per-field filters would give, from the one stored filter. Linkage
// compares the given name (with the other names), the family name, the date of birth and the
// postcode apart, each in its own levels, so that EM learns a weight per field as the
// plaintext model does. The given and family names are hashed under one key into as many
// bits, so the two names of one record compare with the other record's the other way round.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace joindots::encode {

/// The fields compared apart, in this order.
enum class ComparedField : std::uint8_t { given = 0, family, dob, postcode };
inline constexpr std::size_t kComparedFields = 4;

/// Where each compared field's bits are in a stored filter: pieces of at most one word.
class FieldLayout {
 public:
  /// A filter stored `stored_bits` wide (256 to 4,096), folded or not (a folded filter is
  /// half the encoding's width: every field on the same eighths of it).
  FieldLayout(std::size_t stored_bits, bool folded);

  /// Bits each compared field sets in `filter`.
  std::array<std::uint16_t, kComparedFields> weights(const std::uint64_t* filter) const;
  /// Bits filters a and b share in each compared field, then a's given name with b's family
  /// name and a's family name with b's given name (the names crosswise): 6 counts.
  std::array<std::uint16_t, kComparedFields + 2> shared(const std::uint64_t* a, const std::uint64_t* b) const;

  /// The Dice level (dice_level) of each compared field from the weights and the shared
  /// counts: missing when either filter sets no bit of the field; the names taken crosswise
  /// when both records hold both names and the crosswise Dice sum is the higher.
  static std::array<int, kComparedFields> levels(const std::array<std::uint16_t, kComparedFields>& wa,
                                                 const std::array<std::uint16_t, kComparedFields>& wb,
                                                 const std::array<std::uint16_t, kComparedFields + 2>& shared);

 private:
  struct Piece {
    std::uint32_t word;
    std::uint32_t shift;
    std::uint64_t mask;  // after the shift
  };
  std::array<std::vector<Piece>, kComparedFields> pieces_;  // given and family: as many, in step
  bool whole_words_ = false;  // every piece a whole word (1,024 bits and wider, unfolded or not)
};

}  // namespace joindots::encode
