#include "encode/encoder.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

#include "core/error.hpp"
#include "records/age_band.hpp"
#include "records/fields.hpp"

namespace joindots::encode {

namespace {

// Padded bigrams of each space-separated token: "ann lee" -> _a an nn n_ _l le ee e_.
void add_bigrams(std::string_view text, std::vector<std::string>& out) {
  for (const auto& token : link::tokens(text)) {
    const std::string padded = "_" + token + "_";
    for (std::size_t i = 0; i + 1 < padded.size(); ++i) out.push_back(padded.substr(i, 2));
  }
}

std::vector<std::string> product_of_keys(const link::LinkRecord& r, const std::vector<link::BlockingKey>& keys) {
  std::vector<std::string> acc{""};
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const auto values = link::key_values(r, keys[k]);
    if (values.empty()) return {};
    std::vector<std::string> next;
    for (const auto& a : acc)
      for (const auto& v : values) next.push_back(k ? a + '\x1f' + v : v);
    acc = std::move(next);
    if (acc.size() > 16) acc.resize(16);  // bound the tokens of a record with many aliases
  }
  return acc;
}

}  // namespace

bool valid_clk_bits(std::size_t bits) {
  return bits >= 256 && bits <= 4096 && (bits & (bits - 1)) == 0;
}

RecordEncoder::RecordEncoder(const Secret& secret, std::size_t bits) : bits_(bits), fingerprint_(secret.fingerprint()) {
  for (std::size_t f = 0; f < kClkFields.size(); ++f) field_keys_[f] = secret.derive(kClkFields[f].key_id);
  for (std::size_t t = 0; t < kTokenColumns.size(); ++t) {
    token_keys_[t] = secret.derive(kTokenColumns[t].key_id);
    const std::string_view source = kTokenColumns[t].source;
    if (source == "nhs_number" || source == "upn" || source == "pnc_id") continue;
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= source.size();) {
      const auto amp = std::min(source.find(" & ", start), source.size());
      parts.emplace_back(source.substr(start, amp - start));
      start = amp + 3;
    }
    token_rules_[t] = link::parse_blocking_rule(parts).keys;
  }
}

std::string RecordEncoder::scheme() const { return fmt::format("{}/{}", kSchemeName, bits_); }

std::array<std::vector<std::string>, kClkFields.size()> RecordEncoder::clk_elements(const link::LinkRecord& r) {
  using link::Field;
  std::array<std::vector<std::string>, kClkFields.size()> out;
  add_bigrams(r[Field::given_name], out[0]);
  add_bigrams(r[Field::family_name], out[1]);
  // given_alts holds the given name's own tokens too; only the other forms are added.
  const auto own = link::tokens(r[Field::given_name]);
  for (const auto& alt : r.given_alts)
    if (alt != r[Field::given_name] && std::find(own.begin(), own.end(), alt) == own.end()) add_bigrams(alt, out[2]);
  if (r.dob.year) out[3].push_back(fmt::format("y{}", r.dob.year));
  if (r.dob.month) out[3].push_back(fmt::format("m{}", r.dob.month));
  if (r.dob.day) out[3].push_back(fmt::format("d{}", r.dob.day));
  if (!r[Field::sex].empty()) out[4].push_back(r[Field::sex]);
  for (const std::string* part : {&r.postcode.area, &r.postcode.district, &r.postcode.sector, &r.postcode.unit})
    if (!part->empty()) out[5].push_back(*part);
  return out;
}

void RecordEncoder::add_element(std::vector<std::uint64_t>& clk, const Key& key, int k, std::string_view element) const {
  // k independent positions from one keyed BLAKE2b-512 output (not double hashing, whose
  // regular position patterns an attacker can exploit).
  unsigned char h[64];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(element.data()), element.size(), key.data(),
                     key.size());
  for (int i = 0; i < k; ++i) {
    const std::size_t pos = (static_cast<std::size_t>(h[2 * i]) | static_cast<std::size_t>(h[2 * i + 1]) << 8) & (bits_ - 1);
    clk[pos / 64] |= std::uint64_t{1} << (pos % 64);
  }
}

void RecordEncoder::add_elements(std::vector<std::uint64_t>& clk, std::size_t field, int bits,
                                 const std::vector<std::string>& elements) const {
  if (field >= kClkFields.size() || bits < 1 || bits > kMaxBitsPerElement || clk.size() * 64 != bits_)
    throw UsageError("add_elements: no such field, bits out of 1-32, or a CLK of another width");
  for (const auto& e : elements) add_element(clk, field_keys_[field], bits, e);
}

EncodedRecord RecordEncoder::encode(const Record& record) const {
  const link::LinkRecord r = link::normalise_record(link::raw_from_record(record));
  EncodedRecord out;
  out.clk.assign(bits_ / 64, 0);
  const auto elements = clk_elements(r);
  for (std::size_t f = 0; f < kClkFields.size(); ++f)
    for (const auto& e : elements[f]) add_element(out.clk, field_keys_[f], kClkFields[f].bits_per_element, e);

  for (std::size_t t = 0; t < kTokenColumns.size(); ++t) {
    std::vector<std::string> values;
    const std::string_view source = kTokenColumns[t].source;
    if (token_rules_[t].empty()) {
      const std::string& v = r[link::field_by_name(source, "token")];
      if (!v.empty()) values.push_back(v);
    } else {
      values = product_of_keys(r, token_rules_[t]);
    }
    for (const auto& v : values) {
      if (!out.tokens[t].empty()) out.tokens[t] += kTokenSeparator;
      out.tokens[t] += keyed_token(token_keys_[t], v);
    }
  }
  return out;
}

std::string encoded_age_band(const Record& record) { return link::age_band(record.dob, record.event_date); }

}  // namespace joindots::encode
