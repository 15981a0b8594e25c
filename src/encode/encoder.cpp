#include "encode/encoder.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>

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

// Each key's parts (joined by U+001F) in sorted order, the keys without repeats.
void sort_parts(std::vector<std::string>& keys) {
  for (auto& key : keys) {
    std::vector<std::string> parts;
    for (std::size_t s = 0; s <= key.size();) {
      const auto e = std::min(key.find('\x1f', s), key.size());
      parts.push_back(key.substr(s, e - s));
      s = e + 1;
    }
    std::sort(parts.begin(), parts.end());
    key.clear();
    for (std::size_t i = 0; i < parts.size(); ++i) key += (i ? "\x1f" : "") + parts[i];
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

}  // namespace

bool valid_clk_bits(std::size_t bits) {
  return bits >= 256 && bits <= 4096 && (bits & (bits - 1)) == 0;
}

std::string_view to_string(SaltBy salt) {
  switch (salt) {
    case SaltBy::sex: return "sex";
    case SaltBy::birth_year: return "birth-year";
    case SaltBy::none: break;
  }
  return "none";
}

std::optional<SaltBy> salt_by_name(std::string_view name) {
  for (SaltBy s : {SaltBy::none, SaltBy::sex, SaltBy::birth_year})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

std::string scheme_text(const SchemeInfo& info) {
  std::string out = fmt::format("{}/{}", kSchemeName, info.bits);
  const Hardening& h = info.hardening;
  if (h.names_one_key) out += "+names-one-key";
  if (h.salt != SaltBy::none) out += fmt::format("+salt-{}", to_string(h.salt));
  if (h.fold) out += "+fold";
  if (h.flip > 0) out += fmt::format("+flip-{:g}", h.flip);
  return out;
}

std::optional<SchemeInfo> parse_scheme(std::string_view text) {
  const std::string_view full = text;
  const std::string prefix = std::string(kSchemeName) + "/";
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  text.remove_prefix(prefix.size());
  SchemeInfo info;
  const auto plus = std::min(text.find('+'), text.size());
  const auto [end, ec] = std::from_chars(text.data(), text.data() + plus, info.bits);
  if (ec != std::errc() || end != text.data() + plus || !valid_clk_bits(info.bits)) return std::nullopt;
  text.remove_prefix(plus);
  auto take = [&](std::string_view part) {
    if (text.substr(0, part.size()) != part) return false;
    text.remove_prefix(part.size());
    return true;
  };
  info.hardening.names_one_key = take("+names-one-key");
  if (take("+salt-")) {
    const auto next = std::min(text.find('+'), text.size());
    const auto salt = salt_by_name(text.substr(0, next));
    if (!salt || *salt == SaltBy::none) return std::nullopt;
    info.hardening.salt = *salt;
    text.remove_prefix(next);
  }
  info.hardening.fold = take("+fold");
  if (take("+flip-")) {
    const auto [e, err] = std::from_chars(text.data(), text.data() + text.size(), info.hardening.flip);
    if (err != std::errc() || info.hardening.flip <= 0 || info.hardening.flip > 0.25) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(e - text.data()));
  }
  // Only the canonical spelling: the store compares schemes as text.
  if (!text.empty() || scheme_text(info) != full) return std::nullopt;
  return info;
}

RecordEncoder::RecordEncoder(const Secret& secret, std::size_t bits, const Hardening& hardening)
    : bits_(bits), hardening_(hardening), fingerprint_(secret.fingerprint()) {
  if (!(hardening.flip >= 0 && hardening.flip <= 0.25))
    throw UsageError(fmt::format("--flip {}: a probability from 0 to 0.25", hardening.flip));
  if (hardening.fold && !valid_clk_bits(bits / 2))
    throw UsageError(
        fmt::format("--fold: {} bits folded are {}, under the narrowest filter (256 bits)", bits, bits / 2));
  flip_key_ = secret.derive(kFlipKeyId);
  for (std::size_t f = 0; f < kClkFields.size(); ++f) field_keys_[f] = secret.derive(kClkFields[f].key_id);
  if (hardening.names_one_key) field_keys_[1] = field_keys_[0];  // family name under the given name's key
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

std::string RecordEncoder::scheme() const {
  return scheme_text({hardening_.fold ? bits_ / 2 : bits_, hardening_});
}

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

std::string RecordEncoder::salt_of(const link::LinkRecord& r) const {
  switch (hardening_.salt) {
    case SaltBy::sex: return r[link::Field::sex];
    case SaltBy::birth_year: return r.dob.year ? std::to_string(r.dob.year) : std::string();
    case SaltBy::none: break;
  }
  return {};
}

void RecordEncoder::add_element(std::vector<std::uint64_t>& clk, const Key& key, int k, std::string_view element,
                                std::string_view salt) const {
  // k independent positions from one keyed BLAKE2b-512 output (not double hashing, whose
  // regular position patterns an attacker can exploit). A salt goes before the element
  // with a separator no element holds.
  unsigned char h[64];
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.data(), key.size(), sizeof h);
  if (!salt.empty()) {
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(salt.data()), salt.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("\x1f"), 1);
  }
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(element.data()), element.size());
  crypto_generichash_final(&st, h, sizeof h);
  for (int i = 0; i < k; ++i) {
    const std::size_t pos =
        (static_cast<std::size_t>(h[2 * i]) | static_cast<std::size_t>(h[2 * i + 1]) << 8) & (bits_ - 1);
    clk[pos / 64] |= std::uint64_t{1} << (pos % 64);
  }
}

void RecordEncoder::add_elements(std::vector<std::uint64_t>& clk, std::size_t field, int bits,
                                 const std::vector<std::string>& elements, std::string_view salt) const {
  if (field >= kClkFields.size() || bits < 1 || bits > kMaxBitsPerElement || clk.size() * 64 != bits_)
    throw UsageError("add_elements: no such field, bits out of 1-32, or a CLK of another width");
  for (const auto& e : elements) add_element(clk, field_keys_[field], bits, e, salt);
}

// Adds every CLK field's elements, or only those of `only_field` (< kClkFields.size()).
void RecordEncoder::add_fields(std::vector<std::uint64_t>& clk, const link::LinkRecord& r,
                               std::size_t only_field) const {
  const auto elements = clk_elements(r);
  const std::string salt = salt_of(r);
  for (std::size_t f = 0; f < kClkFields.size(); ++f) {
    if (only_field < kClkFields.size() && f != only_field) continue;
    // The salting attribute's own field, and the date of birth, are never salted.
    const bool salted = f != 3 && f != 4;
    for (const auto& e : elements[f])
      add_element(clk, field_keys_[f], kClkFields[f].bits_per_element, e, salted ? std::string_view(salt) : "");
  }
}

void RecordEncoder::apply_flips(std::vector<std::uint64_t>& clk, const std::vector<std::uint64_t>& seed_filter) const {
  if (hardening_.flip <= 0) return;
  // The flips are a keyed pseudo-random function of the unhardened filter: 16 bits of a
  // ChaCha20 stream a position, flipped when under p * 65,536.
  unsigned char seed[randombytes_SEEDBYTES];
  crypto_generichash(seed, sizeof seed, reinterpret_cast<const unsigned char*>(seed_filter.data()),
                     seed_filter.size() * 8, flip_key_.data(), flip_key_.size());
  const std::size_t width = clk.size() * 64;
  std::vector<std::uint16_t> draws(width);
  randombytes_buf_deterministic(draws.data(), draws.size() * sizeof(std::uint16_t), seed);
  const auto below = static_cast<std::uint32_t>(hardening_.flip * 65536.0 + 0.5);
  for (std::size_t i = 0; i < width; ++i)
    if (draws[i] < below) clk[i / 64] ^= std::uint64_t{1} << (i % 64);
}

void RecordEncoder::harden(std::vector<std::uint64_t>& clk) const {
  if (clk.size() * 64 != bits_) throw InternalError("harden: a CLK of another width than the encoder's");
  const std::vector<std::uint64_t> unhardened = clk;
  if (hardening_.fold) {
    const std::size_t half = clk.size() / 2;
    for (std::size_t w = 0; w < half; ++w) clk[w] ^= clk[w + half];
    clk.resize(half);
  }
  apply_flips(clk, unhardened);
}

std::vector<std::uint64_t> RecordEncoder::field_filter(const Record& record, std::size_t field) const {
  const link::LinkRecord r = link::normalise_record(link::raw_from_record(record));
  std::vector<std::uint64_t> whole(bits_ / 64, 0), alone(bits_ / 64, 0);
  add_fields(whole, r, kClkFields.size());
  add_fields(alone, r, field);
  if (hardening_.fold) {
    const std::size_t half = alone.size() / 2;
    for (std::size_t w = 0; w < half; ++w) alone[w] ^= alone[w + half];
    alone.resize(half);
  }
  apply_flips(alone, whole);
  return alone;
}

EncodedRecord RecordEncoder::encode_unhardened(const Record& record) const {
  const link::LinkRecord r = link::normalise_record(link::raw_from_record(record));
  EncodedRecord out;
  out.clk.assign(bits_ / 64, 0);
  add_fields(out.clk, r, kClkFields.size());

  for (std::size_t t = 0; t < kTokenColumns.size(); ++t) {
    std::vector<std::string> values;
    const std::string_view source = kTokenColumns[t].source;
    if (token_rules_[t].empty()) {
      const std::string& v = r[link::field_by_name(source, "token")];
      if (!v.empty()) values.push_back(v);
    } else {
      values = product_of_keys(r, token_rules_[t]);
      if (kTokenColumns[t].unordered) sort_parts(values);
    }
    for (const auto& v : values) {
      if (!out.tokens[t].empty()) out.tokens[t] += kTokenSeparator;
      out.tokens[t] += keyed_token(token_keys_[t], v);
    }
  }
  return out;
}

EncodedRecord RecordEncoder::encode(const Record& record) const {
  EncodedRecord out = encode_unhardened(record);
  harden(out.clk);
  return out;
}

std::string encoded_age_band(const Record& record) { return link::age_band(record.dob, record.event_date); }

}  // namespace joindots::encode
