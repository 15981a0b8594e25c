#include "simulate/synthetic_ids.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/identifiers.hpp"

namespace joindots::simulate {

namespace {

std::uint64_t mix(std::uint64_t x) {
  std::uint64_t s = x;
  return splitmix64(s);
}

std::uint64_t feistel(std::uint64_t x, int half_bits, std::uint64_t key) {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits) - 1;
  std::uint64_t left = x >> half_bits, right = x & mask;
  for (std::uint64_t round = 0; round < 4; ++round) {
    const std::uint64_t f = mix(right ^ mix(key + round * 0x9e3779b97f4a7c15ULL)) & mask;
    const std::uint64_t next = left ^ f;
    left = right;
    right = next;
  }
  return (left << half_bits) | right;
}

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::uint64_t permute(std::uint64_t x, std::uint64_t n, std::uint64_t key) {
  if (n == 0 || x >= n || n > (std::uint64_t{1} << 62)) throw std::invalid_argument("permute: x must be < n <= 2^62");
  int bits = 2;
  while ((std::uint64_t{1} << bits) < n) bits += 2;
  const int half = bits / 2;
  do {
    x = feistel(x, half, key);
  } while (x >= n);
  return x;
}

std::string scrambled_record_id(std::string_view prefix, std::uint64_t counter, std::uint64_t key) {
  std::uint64_t v = permute(counter, std::uint64_t{1} << 40, key);
  char code[8];
  for (int i = 7; i >= 0; --i) {
    code[i] = kCrockford[v & 31];
    v >>= 5;
  }
  std::string out(prefix);
  out += '-';
  out.append(code, 8);
  return out;
}

std::string synthetic_nhs_number(std::uint64_t index, std::uint64_t key) {
  // Stems 400000000..999999999 (6e8 values); two candidates per index keep numbers unique.
  constexpr std::uint64_t kSpan = 600000000, kHalf = 300000000;
  for (std::uint64_t attempt = 0; attempt < 2; ++attempt) {
    const std::uint64_t stem = 400000000 + permute(index % kHalf + attempt * kHalf, kSpan, key);
    const std::string nine = fmt::format("{:09}", stem);
    const int check = nhs_check_digit(nine);
    if (check >= 0) return nine + static_cast<char>('0' + check);
  }
  return {};
}

std::string synthetic_upn(std::uint64_t index, std::uint64_t key) {
  // 3-digit LA code (201-999), then 8 digits: establishment, year and serial in real UPNs.
  constexpr std::uint64_t kSerials = 100000000;
  const std::uint64_t v = permute(index % (799 * kSerials), 799 * kSerials, key);
  const std::string twelve = fmt::format("{:03}{:08}{}", 201 + v / kSerials, v % kSerials / 10, v % 10);
  // twelve characters: LA(3) + 8 digits + 1 digit
  const std::string body = twelve.substr(0, 12);
  return std::string(1, upn_check_letter(body)) + body;
}

std::string synthetic_pnc_id(std::uint64_t index, int year, std::uint64_t key) {
  const std::uint64_t serial = permute(index % 10000000, 10000000, key);
  const int yy = ((year % 100) + 100) % 100;
  static constexpr std::string_view kCheck = "ZABCDEFGHJKLMNPQRTUVWXY";
  const std::uint64_t number = static_cast<std::uint64_t>(yy) * 10000000 + serial;
  return fmt::format("{:02}/{:07}{}", yy, serial, kCheck[number % 23]);
}

std::string synthetic_outward(std::size_t district, int which) {
  static constexpr std::string_view kFirst = "QVX";
  static constexpr std::string_view kSecond = "ABCDEFGHJKLMNOPRSTUWY";  // 21 letters
  // 5 districts per two-letter area, 4 outward numbers each: 63 areas x 5 = 315 < 318, so
  // wrap the few extra districts into numbers 21-40 of the first areas.
  const std::size_t area = district / 5 % (kFirst.size() * kSecond.size());
  const std::size_t block = district / 5 / (kFirst.size() * kSecond.size());
  const int number = static_cast<int>(block * 20 + (district % 5) * kOutwardPerDistrict) + which + 1;
  std::string out;
  out += kFirst[area / kSecond.size()];
  out += kSecond[area % kSecond.size()];
  out += std::to_string(number);
  return out;
}

std::string synthetic_postcode(std::size_t district, Rng& rng) {
  static constexpr std::string_view kInward = "ABDEFGHJLNPQRSTUWXYZ";  // letters used in inward codes
  std::string out = synthetic_outward(district, static_cast<int>(rng.below(kOutwardPerDistrict)));
  out += ' ';
  out += static_cast<char>('0' + rng.below(10));
  out += kInward[rng.below(kInward.size())];
  out += kInward[rng.below(kInward.size())];
  return out;
}

}  // namespace joindots::simulate
