#include "encode/candidates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

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

namespace {

// The groups of the tokens and of each LSH band: the tokens on one thread, the bands shared
// among the others (one thread: all in turn).
std::vector<Groups> all_groups(const BlockingInput& input, const CandidateOptions& options) {
  std::vector<Groups> all(1 + static_cast<std::size_t>(std::max(options.lsh_bands, 0)));
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> position(0, input.words * 64 - 1);
  std::vector<std::vector<std::size_t>> positions(all.size() - 1);
  for (auto& band : positions) {
    band.resize(static_cast<std::size_t>(options.lsh_bits));
    for (auto& p : band) p = position(rng);
  }
  auto bands = [&](std::size_t from, std::size_t step) {
    for (std::size_t b = from; b < positions.size(); b += step) all[b + 1] = lsh_groups(input, positions[b]);
  };
  const auto helpers = static_cast<std::size_t>(std::max(options.threads, 1) - 1);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < helpers; ++t) pool.emplace_back(bands, t, helpers);
  all[0] = token_groups(input, options.blocking_columns);
  if (helpers == 0) bands(0, 1);
  for (auto& th : pool) th.join();
  return all;
}

// Where each record sits in the groups it pairs in (groups of at most max_block records):
// for record r, entries at[start[r], start[r + 1]) each hold (its index in the group's
// members, the end of the group's members), into `members` (all groups' members one after
// another, each group's in record order).
struct Memberships {
  std::vector<std::uint32_t> members;
  std::vector<std::size_t> start;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> at;
};

Memberships memberships(const std::vector<Groups>& all, std::size_t records, std::size_t max_block) {
  Memberships m;
  std::size_t total = 0;
  for (const auto& groups : all)
    for (std::size_t g = 0; g < groups.size(); ++g)
      if (groups.size_of(g) <= max_block) total += groups.size_of(g);
  if (total >= UINT32_MAX) throw UsageError("blocking: over 4 billion memberships of blocks; lower max_block");
  m.members.reserve(total);
  m.start.assign(records + 1, 0);
  for (const auto& groups : all)
    for (std::size_t g = 0; g < groups.size(); ++g)
      if (groups.size_of(g) <= max_block)
        for (std::size_t k = groups.bounds[g]; k < groups.bounds[g + 1]; ++k) ++m.start[groups.members[k] + 1];
  for (std::size_t r = 0; r < records; ++r) m.start[r + 1] += m.start[r];
  m.at.resize(total);
  std::vector<std::size_t> next(m.start.begin(), m.start.end() - 1);
  for (const auto& groups : all)
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (groups.size_of(g) > max_block) continue;
      const auto first = static_cast<std::uint32_t>(m.members.size());
      m.members.insert(m.members.end(), groups.members.begin() + static_cast<std::ptrdiff_t>(groups.bounds[g]),
                       groups.members.begin() + static_cast<std::ptrdiff_t>(groups.bounds[g + 1]));
      const auto end = static_cast<std::uint32_t>(m.members.size());
      for (std::uint32_t k = first; k < end; ++k) m.at[next[m.members[k]]++] = {k, end};
    }
  return m;
}

// The pairs (a, b > a) of records a in [begin, end), in order: for each a, the members after
// it in each of its groups, sorted and each once.
std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs_of(const Memberships& m, std::uint32_t begin,
                                                              std::uint32_t end) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  std::vector<std::uint32_t> partners;
  for (std::uint32_t a = begin; a < end; ++a) {
    partners.clear();
    for (std::size_t e = m.start[a]; e < m.start[a + 1]; ++e) {
      const auto [k, group_end] = m.at[e];
      for (std::uint32_t j = k + 1; j < group_end; ++j)
        if (m.members[j] != a) partners.push_back(m.members[j]);
    }
    std::sort(partners.begin(), partners.end());
    partners.erase(std::unique(partners.begin(), partners.end()), partners.end());
    for (auto b : partners) out.emplace_back(a, b);
  }
  return out;
}

}  // namespace

Candidates find_candidates(const BlockingInput& input, const CandidateOptions& options) {
  if (options.lsh_bits < 1 || options.lsh_bits > 64) throw UsageError("lsh_bits must be 1 to 64");
  const std::vector<Groups> all = all_groups(input, options);
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
  const Memberships m = memberships(all, input.size(), options.max_block);
  // Ranges of records with about the same number of memberships each, one per thread.
  const auto parts = static_cast<std::size_t>(std::max(options.threads, 1));
  std::vector<std::uint32_t> bounds{0};
  for (std::size_t t = 1; t < parts; ++t) {
    const std::size_t target = m.at.size() * t / parts;
    bounds.push_back(static_cast<std::uint32_t>(std::lower_bound(m.start.begin(), m.start.end(), target) -
                                                m.start.begin()));
    bounds.back() = std::max(bounds.back(), bounds[bounds.size() - 2]);
  }
  bounds.push_back(static_cast<std::uint32_t>(input.size()));
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> found(parts);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t)
    pool.emplace_back([&, t] { found[t] = pairs_of(m, bounds[t], std::max(bounds[t], bounds[t + 1])); });
  found[0] = pairs_of(m, bounds[0], std::max(bounds[0], bounds[1]));
  for (auto& th : pool) th.join();
  out.pairs = std::move(found[0]);
  std::size_t total = out.pairs.size();
  for (std::size_t t = 1; t < parts; ++t) total += found[t].size();
  out.pairs.reserve(total);
  for (std::size_t t = 1; t < parts; ++t) {
    out.pairs.insert(out.pairs.end(), found[t].begin(), found[t].end());
    std::vector<std::pair<std::uint32_t, std::uint32_t>>().swap(found[t]);
  }
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
