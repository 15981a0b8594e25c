#include "encode/candidates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "core/error.hpp"
#include "encode/encoder.hpp"

namespace joindots::encode {

namespace {

using Groups = std::vector<std::vector<std::uint32_t>>;

// Records grouped by equal keys (key -> members), in first-seen order.
template <typename Key, typename Hash = std::hash<Key>>
class Grouper {
 public:
  void add(const Key& key, std::uint32_t record) {
    auto [it, fresh] = index_.try_emplace(key, groups_.size());
    if (fresh) groups_.emplace_back();
    groups_[it->second].push_back(record);
  }
  Groups take() { return std::move(groups_); }

 private:
  std::unordered_map<Key, std::size_t, Hash> index_;
  Groups groups_;
};

struct TokenHash {
  std::size_t operator()(const Token& t) const { return t.key ^ (std::uint64_t{t.column} << 48); }
};

Groups token_groups(const BlockingInput& input) {
  Grouper<Token, TokenHash> g;
  for (std::uint32_t i = 0; i < input.size(); ++i)
    for (const auto& token : input.tokens[i]) g.add(token, i);
  return g.take();
}

// One band: the bits of each filter at `positions`, packed; filters with none of them set
// are left out (an empty filter, or one too sparse to say anything).
Groups lsh_groups(const BlockingInput& input, const std::vector<std::size_t>& positions) {
  Grouper<std::uint64_t> g;
  for (std::uint32_t i = 0; i < input.size(); ++i) {
    const std::uint64_t* f = input.clks.data() + static_cast<std::size_t>(i) * input.words;
    std::uint64_t key = 0;
    for (std::size_t b = 0; b < positions.size(); ++b) key |= ((f[positions[b] / 64] >> (positions[b] % 64)) & 1u) << b;
    if (key) g.add(key, i);
  }
  return g.take();
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
  all.push_back(token_groups(input));
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> position(0, input.words * 64 - 1);
  for (int band = 0; band < options.lsh_bands; ++band) {
    std::vector<std::size_t> positions(static_cast<std::size_t>(options.lsh_bits));
    for (auto& p : positions) p = position(rng);
    all.push_back(lsh_groups(input, positions));
  }
  Candidates out;
  for (const auto& groups : all)
    for (const auto& g : groups) {
      if (g.size() > options.max_block) ++out.blocks_skipped;
      else out.pairs_in_blocks += static_cast<std::int64_t>(g.size() * (g.size() - 1) / 2);
    }
  if (out.pairs_in_blocks > options.max_pairs)
    throw UsageError(fmt::format("the tokens and LSH bands imply {} pairs, over the pair budget of {}; lower "
                                 "max_block or use fewer LSH bands",
                                 out.pairs_in_blocks, options.max_pairs));
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(out.pairs_in_blocks));
  for (const auto& groups : all)
    for (const auto& g : groups) {
      if (g.size() > options.max_block) continue;
      for (std::size_t a = 0; a < g.size(); ++a)
        for (std::size_t b = a + 1; b < g.size(); ++b) {
          const auto lo = std::min(g[a], g[b]), hi = std::max(g[a], g[b]);
          if (lo != hi) keys.push_back(static_cast<std::uint64_t>(lo) << 32 | hi);
        }
    }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  out.pairs.reserve(keys.size());
  for (auto k : keys) out.pairs.emplace_back(static_cast<std::uint32_t>(k >> 32), static_cast<std::uint32_t>(k));
  return out;
}

int dice_level(double dice, bool either_empty) {
  if (either_empty) return 0;
  constexpr double kFloors[] = {0.97, 0.9, 0.8, 0.7, 0.6};
  for (int i = 0; i < 5; ++i)
    if (dice >= kFloors[i]) return 6 - i;
  return 1;
}

}  // namespace joindots::encode
