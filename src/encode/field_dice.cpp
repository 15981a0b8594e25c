// Field-level Dice coefficients of two CLKs (encode/field_dice.hpp).
#include "encode/field_dice.hpp"

#include "encode/candidates.hpp"
#include "encode/encoder.hpp"

namespace joindots::encode {

namespace {

constexpr std::array<std::size_t, kComparedFields> kClkFieldOf = {0, 1, 3, 5};  // kClkFields index

// The default build has no -mpopcnt (dice.hpp): the counts of a pair are taken with the
// instruction when the CPU has it, else with libgcc's bit tricks.
template <typename Pieces>
[[gnu::always_inline]] inline std::uint32_t count_and(const Pieces& pieces, const std::uint64_t* a,
                                                      const std::uint64_t* b) {
  std::uint32_t n = 0;
  for (const auto& p : pieces)
    n += static_cast<std::uint32_t>(__builtin_popcountll((a[p.word] & b[p.word]) >> p.shift & p.mask));
  return n;
}

}  // namespace

FieldLayout::FieldLayout(std::size_t stored_bits, bool folded) {
  const std::size_t units = folded ? 8 : 16;
  const std::size_t unit_bits = stored_bits / units;
  whole_words_ = unit_bits >= 64;
  for (std::size_t f = 0; f < kComparedFields; ++f) {
    const std::uint16_t mask = kClkFields[kClkFieldOf[f]].sixteenths;
    for (std::size_t s = 0; s < units; ++s) {
      if (!(mask >> s & 1u)) continue;
      const std::size_t start = s * unit_bits;
      if (whole_words_) {
        for (std::size_t w = start / 64; w < (start + unit_bits) / 64; ++w)
          pieces_[f].push_back({static_cast<std::uint32_t>(w), 0, ~std::uint64_t{0}});
      } else {
        pieces_[f].push_back({static_cast<std::uint32_t>(start / 64), static_cast<std::uint32_t>(start % 64),
                              (std::uint64_t{1} << unit_bits) - 1});
      }
    }
  }
}

std::array<std::uint16_t, kComparedFields> FieldLayout::weights(const std::uint64_t* filter) const {
  std::array<std::uint16_t, kComparedFields> out{};
  for (std::size_t f = 0; f < kComparedFields; ++f)
    out[f] = static_cast<std::uint16_t>(count_and(pieces_[f], filter, filter));
  return out;
}

namespace {

template <typename Piece>
[[gnu::always_inline]] inline std::uint32_t count_crosswise(const std::vector<Piece>& x, const std::vector<Piece>& y,
                                                            const std::uint64_t* a, const std::uint64_t* b) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    n += static_cast<std::uint32_t>(
        __builtin_popcountll((a[x[i].word] >> x[i].shift & x[i].mask) & (b[y[i].word] >> y[i].shift & y[i].mask)));
  return n;
}

template <typename Pieces>
[[gnu::always_inline]] inline std::array<std::uint16_t, kComparedFields + 2> shared_counts(
    const std::array<Pieces, kComparedFields>& pieces, const std::uint64_t* a, const std::uint64_t* b) {
  std::array<std::uint16_t, kComparedFields + 2> out{};
  for (std::size_t f = 0; f < kComparedFields; ++f) out[f] = static_cast<std::uint16_t>(count_and(pieces[f], a, b));
  out[kComparedFields] = static_cast<std::uint16_t>(count_crosswise(pieces[0], pieces[1], a, b));
  out[kComparedFields + 1] = static_cast<std::uint16_t>(count_crosswise(pieces[1], pieces[0], a, b));
  return out;
}

template <typename Pieces>
[[gnu::target("popcnt")]] std::array<std::uint16_t, kComparedFields + 2> shared_counts_popcnt(
    const std::array<Pieces, kComparedFields>& pieces, const std::uint64_t* a, const std::uint64_t* b) {
  return shared_counts(pieces, a, b);
}

const bool kHasPopcnt = __builtin_cpu_supports("popcnt");

}  // namespace

std::array<std::uint16_t, kComparedFields + 2> FieldLayout::shared(const std::uint64_t* a,
                                                                   const std::uint64_t* b) const {
  return kHasPopcnt ? shared_counts_popcnt(pieces_, a, b) : shared_counts(pieces_, a, b);
}

std::array<int, kComparedFields> FieldLayout::levels(const std::array<std::uint16_t, kComparedFields>& wa,
                                                     const std::array<std::uint16_t, kComparedFields>& wb,
                                                     const std::array<std::uint16_t, kComparedFields + 2>& shared) {
  std::array<double, kComparedFields> dice{};
  for (std::size_t f = 0; f < kComparedFields; ++f) dice[f] = dice_from_counts(shared[f], wa[f], wb[f]);
  constexpr std::size_t g = 0, fam = 1;
  if (wa[g] && wa[fam] && wb[g] && wb[fam]) {
    const double given_family = dice_from_counts(shared[kComparedFields], wa[g], wb[fam]);
    const double family_given = dice_from_counts(shared[kComparedFields + 1], wa[fam], wb[g]);
    if (given_family + family_given > dice[g] + dice[fam]) dice[g] = given_family, dice[fam] = family_given;
  }
  std::array<int, kComparedFields> out{};
  for (std::size_t f = 0; f < kComparedFields; ++f) out[f] = dice_level(dice[f], wa[f] == 0 || wb[f] == 0);
  return out;
}

}  // namespace joindots::encode
