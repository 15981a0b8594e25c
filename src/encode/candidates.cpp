#include "encode/candidates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.hpp"
#include "encode/encoder.hpp"

namespace joindots::encode {

namespace {

// Records grouped by equal keys, groups of two or more only (a record alone makes no
// pair): group g is members[bounds[g], bounds[g + 1]). Built by sorting (key, record)
// entries rather than in a hash map of vectors: a million records hold some 10 million
// tokens, most of them unshared.
struct Groups {
  std::vector<std::uint32_t> members;
  std::vector<std::size_t> bounds{0};
  std::size_t size() const { return bounds.size() - 1; }
  std::size_t size_of(std::size_t g) const { return bounds[g + 1] - bounds[g]; }
};

struct Entry {
  std::uint64_t key;
  std::uint32_t column;  // a token matches only in its own column; 0 for LSH keys
  std::uint32_t record;
  friend bool operator<(const Entry& a, const Entry& b) {
    return a.column != b.column ? a.column < b.column : a.key != b.key ? a.key < b.key : a.record < b.record;
  }
};

Groups groups_of(std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end());
  Groups g;
  for (std::size_t i = 0; i < entries.size();) {
    std::size_t j = i + 1;
    while (j < entries.size() && entries[j].key == entries[i].key && entries[j].column == entries[i].column) ++j;
    if (j - i >= 2) {
      for (std::size_t k = i; k < j; ++k) g.members.push_back(entries[k].record);
      g.bounds.push_back(g.members.size());
    }
    i = j;
  }
  return g;
}

Groups token_groups(const BlockingInput& input, std::uint32_t blocking_columns) {
  std::vector<Entry> entries;
  for (std::uint32_t i = 0; i < input.size(); ++i)
    for (const auto& token : input.tokens[i])
      if (token.column < 32 && (blocking_columns >> token.column & 1u)) entries.push_back({token.key, token.column, i});
  return groups_of(std::move(entries));
}

// One band: the bits of each filter at `positions`, packed; filters with none of them set
// are left out (an empty filter, or one too sparse to say anything).
Groups lsh_groups(const BlockingInput& input, const std::vector<std::size_t>& positions) {
  std::vector<Entry> entries;
  entries.reserve(input.size());
  for (std::uint32_t i = 0; i < input.size(); ++i) {
    const std::uint64_t* f = input.clks.data() + static_cast<std::size_t>(i) * input.words;
    std::uint64_t key = 0;
    for (std::size_t b = 0; b < positions.size(); ++b) key |= ((f[positions[b] / 64] >> (positions[b] % 64)) & 1u) << b;
    if (key) entries.push_back({key, 0, i});
  }
  return groups_of(std::move(entries));
}

}  // namespace

std::uint64_t token_key(std::string_view token) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : token) h = (h ^ c) * 0x100000001b3ULL;
  // splitmix64's finaliser: FNV-1a's low bits alone mix poorly for short inputs.
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

namespace {

std::uint16_t token_column(std::string_view name) {
  for (std::size_t t = 0; t < kTokenColumns.size(); ++t)
    if (kTokenColumns[t].column == name) return static_cast<std::uint16_t>(t);
  throw InternalError(fmt::format("tokens: no token column '{}' in scheme {}", name, kSchemeName));
}

void add_cell(std::vector<Token>& out, std::uint16_t column, std::string_view cell) {
  for (std::size_t s = 0; s < cell.size();) {
    const auto end = std::min(cell.find(kTokenSeparator, s), cell.size());
    if (end > s) out.push_back({token_key(cell.substr(s, end - s)), column});
    s = end + 1;
  }
}

// The flat object ingest writes ("key":"value" pairs, no escapes: base64url and column
// names), read without building a JSON tree (a million records' worth is read per link);
// false on anything else, which nlohmann then reads.
bool parse_flat_object(std::string_view text, std::vector<Token>& out) {
  std::size_t i = 0;
  auto skip = [&] { while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i; };
  auto string = [&](std::string_view& s) {
    skip();
    if (i >= text.size() || text[i] != '"') return false;
    const auto end = text.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    s = text.substr(i + 1, end - i - 1);
    if (s.find('\\') != std::string_view::npos) return false;
    i = end + 1;
    return true;
  };
  skip();
  if (i >= text.size() || text[i++] != '{') return false;
  skip();
  if (i < text.size() && text[i] == '}') return true;
  while (true) {
    std::string_view key, value;
    if (!string(key)) return false;
    skip();
    if (i >= text.size() || text[i++] != ':') return false;
    if (!string(value)) return false;
    add_cell(out, token_column(key), value);
    skip();
    if (i >= text.size()) return false;
    if (text[i] == '}') return true;
    if (text[i++] != ',') return false;
  }
}

}  // namespace

std::vector<Token> tokens_from_json(std::string_view tokens_json) {
  std::vector<Token> out;
  if (!parse_flat_object(tokens_json, out)) {
    out.clear();
    const auto json = nlohmann::json::parse(tokens_json, nullptr, false);
    if (!json.is_object()) throw InternalError("tokens: not a JSON object");
    for (auto it = json.begin(); it != json.end(); ++it) {
      if (!it.value().is_string()) throw InternalError(fmt::format("tokens: '{}' is not a string", it.key()));
      add_cell(out, token_column(it.key()), it.value().get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Candidates find_candidates(const BlockingInput& input, const CandidateOptions& options) {
  if (options.lsh_bits < 1 || options.lsh_bits > 64) throw UsageError("lsh_bits must be 1 to 64");
  std::vector<Groups> all;
  all.push_back(token_groups(input, options.blocking_columns));
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> position(0, input.words * 64 - 1);
  for (int band = 0; band < options.lsh_bands; ++band) {
    std::vector<std::size_t> positions(static_cast<std::size_t>(options.lsh_bits));
    for (auto& p : positions) p = position(rng);
    all.push_back(lsh_groups(input, positions));
  }
  Candidates out;
  for (const auto& groups : all)
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::size_t n = groups.size_of(g);
      if (n > options.max_block) ++out.blocks_skipped;
      else out.pairs_in_blocks += static_cast<std::int64_t>(n * (n - 1) / 2);
    }
  if (out.pairs_in_blocks > options.max_pairs)
    throw UsageError(fmt::format("the tokens and LSH bands imply {} pairs, over the pair budget of {}; lower "
                                 "max_block or use fewer LSH bands",
                                 out.pairs_in_blocks, options.max_pairs));
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(out.pairs_in_blocks));
  for (const auto& groups : all)
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (groups.size_of(g) > options.max_block) continue;
      const std::uint32_t* m = groups.members.data() + groups.bounds[g];
      const std::size_t n = groups.size_of(g);
      for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = a + 1; b < n; ++b) {
          const auto lo = std::min(m[a], m[b]), hi = std::max(m[a], m[b]);
          if (lo != hi) keys.push_back(static_cast<std::uint64_t>(lo) << 32 | hi);
        }
    }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  out.pairs.reserve(keys.size());
  for (auto k : keys) out.pairs.emplace_back(static_cast<std::uint32_t>(k >> 32), static_cast<std::uint32_t>(k));
  return out;
}

int lsh_bits_for(const BlockingInput& input, std::uint64_t seed) {
  constexpr double kMeasuredRecords = 20'000;
  constexpr int kMeasuredBits = 24;
  const std::size_t n = input.size();
  if (n < 2 || static_cast<double>(n) <= kMeasuredRecords) return kMeasuredBits;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  const std::size_t w = input.words;
  double agree = 0;
  constexpr int kPairs = 2'000;
  for (int i = 0; i < kPairs; ++i) {
    const std::uint64_t* a = input.clks.data() + pick(rng) * w;
    const std::uint64_t* b = input.clks.data() + pick(rng) * w;
    int differ = 0;
    for (std::size_t k = 0; k < w; ++k) differ += std::popcount(a[k] ^ b[k]);
    agree += 1.0 - static_cast<double>(differ) / static_cast<double>(w * 64);
  }
  agree /= kPairs;
  if (agree <= 0 || agree >= 1) return kMeasuredBits;
  const double extra = std::log(static_cast<double>(n) / kMeasuredRecords) / std::log(1 / agree);
  return std::min(64, kMeasuredBits + static_cast<int>(std::ceil(extra)));
}

int dice_level(double dice, bool either_empty) {
  if (either_empty) return 0;
  constexpr double kFloors[] = {0.97, 0.9, 0.8, 0.7, 0.6};
  for (int i = 0; i < 5; ++i)
    if (dice >= kFloors[i]) return 6 - i;
  return 1;
}

}  // namespace joindots::encode
