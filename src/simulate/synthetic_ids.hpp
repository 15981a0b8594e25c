#pragma once
// Synthetic identifiers that pass the validators of core/identifiers.hpp: record ids that do
// not leak generation order, NHS numbers, UPNs, PNC ids and postcodes. Uniqueness comes from
// keyed bijections (a Feistel network with cycle walking), not from luck.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/rng.hpp"

namespace joindots::simulate {

/// A keyed bijection of [0, n) onto itself: a 4-round Feistel network on the smallest
/// even-width power of two >= n, with cycle walking (Black & Rogaway 2002) to stay inside
/// [0, n). Requires x < n and 0 < n <= 2^62.
std::uint64_t permute(std::uint64_t x, std::uint64_t n, std::uint64_t key);

/// "<prefix>-XXXXXXXX": the counter scrambled by a keyed bijection on 40 bits and written in
/// Crockford base 32, so distinct counters give distinct ids and ids say nothing about order.
std::string scrambled_record_id(std::string_view prefix, std::uint64_t counter, std::uint64_t key);

/// A valid NHS number (10 digits, modulus-11 check) unique to `index` for a given key, or ""
/// for the roughly 1 in 121 indices whose two candidate stems both have no valid check digit.
/// index < 3e8.
std::string synthetic_nhs_number(std::uint64_t index, std::uint64_t key);

/// A valid permanent UPN (check letter, 3-digit LA code, 8 digits), unique to `index`.
std::string synthetic_upn(std::uint64_t index, std::uint64_t key);

/// A PNC id "YY/NNNNNNNL": year of first entry, a 7-digit serial unique to `index` (< 1e7),
/// and a check letter computed in the style of the PNC (serial mod 23).
std::string synthetic_pnc_id(std::uint64_t index, int year, std::uint64_t key);

/// The synthetic outward codes of district number `district` (0-based, in the order of the
/// area table): `kOutwardPerDistrict` codes with a two-letter area starting Q, V or X (no
/// real postcode area does), e.g. "QB5". Stable across seeds.
inline constexpr int kOutwardPerDistrict = 4;
std::string synthetic_outward(std::size_t district, int which);
/// A full synthetic postcode in the district: outward + " " + digit + two letters.
std::string synthetic_postcode(std::size_t district, Rng& rng);

}  // namespace joindots::simulate
