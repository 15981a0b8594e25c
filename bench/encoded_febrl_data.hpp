#pragma once
// FEBRL3 and FEBRL4 (../shared/data/linkage) encoded with given name, surname, suburb and
// postcode only, as bench/encoded_febrl.cpp and tests/link/encoded_one_to_one_test.cpp link
// them (issue 16's acceptance: F1 >= 0.99 on FEBRL4 encoded). FEBRL is not in the agency
// schema, so each record is encoded here rather than by `joindots encode`, with the same
// encoder and keys (encoded_febrl.cpp says how each field enters the CLK).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "encode/dice.hpp"
#include "encode/encoder.hpp"
#include "io/csv_reader.hpp"
#include "link/encoded_link.hpp"
#include "records/fields.hpp"
#include "records/normalise.hpp"

namespace joindots::bench {

inline std::string uk_shaped(const std::string& digits) {
  if (digits.size() != 4) return {};
  return fmt::format("X{}{} {}A{}", digits[0], digits[1], digits[2], static_cast<char>('A' + (digits[3] - '0')));
}

inline std::vector<std::string> suburb_bigrams(const std::string& suburb) {
  std::vector<std::string> out;
  for (const auto& token : link::tokens(suburb)) {
    const std::string padded = "_" + token + "_";
    for (std::size_t i = 0; i + 1 < padded.size(); ++i) out.push_back("s:" + padded.substr(i, 2));
  }
  return out;
}

inline std::vector<std::string> postcode_digits(const std::string& digits) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < digits.size(); ++i) out.push_back(fmt::format("p{}:{}", i, digits[i]));
  return out;
}

// The four plaintext fields of a record, kept by the bench (never by the encodings) to say
// which of them differ in the true pairs the encoding separates.
using Plain = std::array<std::string, 4>;
constexpr std::array<const char*, 4> kPlainNames = {"given_name", "surname", "suburb", "postcode"};

inline encode::Hardening parse_hardening(std::string_view spec) {
  encode::Hardening h;
  while (!spec.empty() && spec != "none") {
    const auto plus = std::min(spec.find('+'), spec.size());
    const std::string part(spec.substr(0, plus));
    if (part == "fold") h.fold = true;
    else if (part.rfind("flip-", 0) == 0) h.flip = std::stod(part.substr(5));
    else throw std::invalid_argument("hardening: fold or flip-P, joined by +");
    spec.remove_prefix(std::min(plus + 1, spec.size()));
  }
  return h;
}

struct FebrlScheme {
  int suburb_bits = 8;
  std::string hardening = "none";
  std::string postcode = "uk";  // or "digits"
  int postcode_bits = 15;
  std::string names = "apart";  // or "one-key"
};

struct FebrlEncoded {
  link::EncodedRole d;
  SimulatedTruth truth;  // only person_of: the FEBRL files name each record's entity
  std::vector<Plain> plain;
  bool dedup = false;  // FEBRL3: one file with duplicates
  std::string scheme;
};

/// The records of DIR (febrl3.csv, or febrl4a.csv and febrl4b.csv) encoded under `s`.
inline FebrlEncoded encode_febrl(const std::filesystem::path& dir, const FebrlScheme& s) {
  encode::Hardening hardening = parse_hardening(s.hardening);
  hardening.names_one_key = s.names == "one-key";  // `encode --names-one-key`
  const encode::RecordEncoder encoder(
      encode::Secret::from_text("febrl4-bench-secret-9f3a7c1e5b2d8f4a6c0e2b9d7f1a3c5e"), encode::kDefaultClkBits,
      hardening);
  FebrlEncoded out;
  out.scheme = encoder.scheme();
  const bool dedup = out.dedup = std::filesystem::exists(dir / "febrl3.csv");
  const std::vector<std::string> files =
      dedup ? std::vector<std::string>{"febrl3.csv"} : std::vector<std::string>{"febrl4a.csv", "febrl4b.csv"};
  link::EncodedRole& d = out.d;
  SimulatedTruth& truth = out.truth;
  std::vector<Plain>& plain = out.plain;
  for (const auto& file : files) {
    CsvReader in(dir / file);
    const auto& h = in.header();
    auto col = [&](std::string_view name) {
      return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin());
    };
    const auto entity = col("entity_id"), id = col("rec_id"), given = col("given_name"), surname = col("surname"),
               suburb = col("suburb"), postcode = col("postcode");
    d.orgs.emplace_back(file);
    CsvRow row;
    while (in.next(row)) {
      Record r;
      r.record_id = row.fields[id];
      r.source_org = file;
      r.event_date = Date{2020, 1, 1};
      r.given_name = row.fields[given];
      r.family_name = row.fields[surname];
      r.postcode = uk_shaped(row.fields[postcode]);
      plain.push_back({link::normalise_name(row.fields[given]), link::normalise_name(row.fields[surname]),
                       link::normalise_name(row.fields[suburb]), row.fields[postcode]});
      encode::EncodedRecord e = encoder.encode_unhardened(r);
      if (s.postcode == "digits") {  // the CLK made here, the tokens the scheme's
        Record part = r;
        part.postcode.clear();
        e.clk = encoder.encode_unhardened(part).clk;
        encoder.add_elements(e.clk, 5, s.postcode_bits, postcode_digits(row.fields[postcode]));
      }
      encoder.add_elements(e.clk, 5, s.suburb_bits, suburb_bigrams(row.fields[suburb]));
      encoder.harden(e.clk);
      truth.person_of[{r.source_org, r.record_id}] = row.fields[entity];
      r.given_name.clear(), r.family_name.clear(), r.postcode.clear();
      d.records.push_back(r);
      d.record_pk.push_back(static_cast<std::int64_t>(d.record_pk.size()) + 1);
      d.source.push_back(static_cast<std::uint32_t>(d.orgs.size() - 1));
      d.clk_weight.push_back(encode::filter_weight(e.clk.data(), e.clk.size()));
      d.input.words = e.clk.size();  // 8 when folded
      d.input.clks.insert(d.input.clks.end(), e.clk.begin(), e.clk.end());
      auto& tokens = d.input.tokens.emplace_back();
      for (std::size_t t = 0; t < e.tokens.size(); ++t)
        for (std::size_t s = 0; s < e.tokens[t].size();) {
          const auto end = std::min(e.tokens[t].find(encode::kTokenSeparator, s), e.tokens[t].size());
          tokens.push_back({encode::token_key(std::string_view(e.tokens[t]).substr(s, end - s)),
                            static_cast<std::uint16_t>(t)});
          s = end + 1;
        }
      std::sort(tokens.begin(), tokens.end());
      d.age_band.emplace_back("unknown");
    }
  }
  return out;
}

}  // namespace joindots::bench
