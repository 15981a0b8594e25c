// The comparisons of encoded records laid out for speed (link/encoded_compare.hpp).
#include "link/encoded_compare.hpp"

#include <algorithm>
#include <thread>

#include "encode/dice.hpp"
#include "link/encoded_link.hpp"

namespace joindots::link {

static_assert(EncodedComparer::kColumns <= 16, "a token's column is packed into 4 bits");

std::uint64_t EncodedComparer::pack(const encode::Token& t) {
  return static_cast<std::uint64_t>(t.column) << 60 | (t.key & ((std::uint64_t{1} << 60) - 1));
}

EncodedComparer::EncodedComparer(const EncodedRole& d, int threads)
    : clks_(d.input.clks.data()), words_(d.input.words) {
  const std::size_t n = d.size();
  meta_.resize(n + 1);
  std::size_t total = 0;
  for (const auto& tokens : d.input.tokens) total += tokens.size();
  token_.reserve(total);
  for (std::size_t i = 0; i < n; ++i) {
    Meta& m = meta_[i];
    m.first = static_cast<std::uint32_t>(token_.size());
    m.weight = d.clk_weight[i];
    const Sex sex = d.records[i].sex;
    m.sex = sex == Sex::F ? 1 : sex == Sex::M ? 2 : 0;
    // Tokens are sorted by (column, key); packed, that order holds but for keys equal in
    // their low 60 bits, which a sort of the few tokens of the record puts right.
    const std::size_t from = token_.size();
    for (const auto& t : d.input.tokens[i]) {
      token_.push_back(pack(t));
      m.columns = static_cast<std::uint16_t>(m.columns | 1u << t.column);
    }
    std::sort(token_.begin() + static_cast<std::ptrdiff_t>(from), token_.end());
    token_.erase(std::unique(token_.begin() + static_cast<std::ptrdiff_t>(from), token_.end()), token_.end());
  }
  meta_[n].first = static_cast<std::uint32_t>(token_.size());
  count_holders(threads);
}

// holders_[i] = how many records hold token_[i] (each record's tokens are without repeats):
// the tokens of each column sorted apart, the columns shared among the threads.
void EncodedComparer::count_holders(int threads) {
  holders_.assign(token_.size(), 1);
  std::array<std::vector<std::uint64_t>, kColumns> by_column;  // (key bits << 0) with the index beside
  std::array<std::vector<std::uint32_t>, kColumns> index;
  for (std::uint32_t i = 0; i < token_.size(); ++i) {
    const auto c = column_of(token_[i]);
    by_column[c].push_back(token_[i]);
    index[c].push_back(i);
  }
  auto count_column = [&](std::size_t c) {
    auto& keys = by_column[c];
    std::vector<std::uint32_t> order(keys.size());
    for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return keys[x] < keys[y]; });
    for (std::size_t s = 0; s < order.size();) {
      std::size_t e = s + 1;
      while (e < order.size() && keys[order[e]] == keys[order[s]]) ++e;
      for (std::size_t k = s; k < e; ++k) holders_[index[c][order[k]]] = static_cast<std::uint32_t>(e - s);
      s = e;
    }
    std::vector<std::uint64_t>().swap(keys);
  };
  const auto parts = static_cast<std::size_t>(std::max(threads, 1));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t)
    pool.emplace_back([&, t] {
      for (std::size_t c = t; c < kColumns; c += parts) count_column(c);
    });
  for (std::size_t c = 0; c < kColumns; c += parts) count_column(c);
  for (auto& th : pool) th.join();
}

Pattern EncodedComparer::pattern(std::uint32_t a, std::uint32_t b) const {
  const Meta& ma = meta_[a];
  const Meta& mb = meta_[b];
  std::uint16_t shared = 0;
  encode::and_counts(clks_ + a * words_, clks_ + b * words_, 1, words_, &shared);
  const auto dice = static_cast<Pattern>(encode::dice_level(encode::dice_from_counts(shared, ma.weight, mb.weight),
                                                             std::min(ma.weight, mb.weight) < kMinDiceWeight));
  const bool dates = (ma.columns & mb.columns) >> kDobTokenColumn & 1u;
  Pattern p = dice << (4 * (dates ? kDiceComparison : kDiceWithoutDobComparison));
  // Token columns: one merge of the two sorted token lists.
  std::uint32_t same = 0;
  const std::uint64_t *x = token_.data() + ma.first, *x_end = token_.data() + meta_[a + 1].first;
  const std::uint64_t *y = token_.data() + mb.first, *y_end = token_.data() + meta_[b + 1].first;
  while (x < x_end && y < y_end) {
    if (*x < *y) ++x;
    else if (*y < *x) ++y;
    else same |= 1u << column_of(*x), ++x, ++y;
  }
  const std::uint32_t both = ma.columns & mb.columns;
  for (std::size_t c = 0; c < encode::kComparedTokenColumns; ++c) {
    const Pattern level = !(both >> c & 1u) ? 0 : (same >> c & 1u) ? 2 : 1;
    p |= level << (4 * (c + 1));
  }
  const Pattern sex = ma.sex && mb.sex ? (ma.sex == mb.sex ? 2 : 1) : 0;
  p |= sex << (4 * kSexComparison);
  return p;
}

std::array<std::uint32_t, EncodedComparer::kColumns> EncodedComparer::rarest_shared(std::uint32_t a,
                                                                                   std::uint32_t b) const {
  std::array<std::uint32_t, kColumns> rarest{};
  const std::uint64_t* base = token_.data();
  const std::uint64_t *x = base + meta_[a].first, *x_end = base + meta_[a + 1].first;
  const std::uint64_t *y = base + meta_[b].first, *y_end = base + meta_[b + 1].first;
  while (x < x_end && y < y_end) {
    if (*x < *y) ++x;
    else if (*y < *x) ++y;
    else {
      const std::uint32_t n = holders_[static_cast<std::size_t>(x - base)];
      auto& r = rarest[column_of(*x)];
      if (r == 0 || n < r) r = n;
      ++x, ++y;
    }
  }
  return rarest;
}

void EncodedComparer::prefetch(std::uint32_t b) const {
  const auto* clk = reinterpret_cast<const char*>(clks_ + b * words_);
  for (std::size_t line = 0; line < words_ * 8; line += 64) __builtin_prefetch(clk + line);
  __builtin_prefetch(&meta_[b]);
  __builtin_prefetch(&meta_[b + 1]);
}

void EncodedComparer::prefetch_tokens(std::uint32_t b) const {
  const auto* first = token_.data() + meta_[b].first;
  const auto* last = token_.data() + meta_[b + 1].first;
  for (const auto* t = first; t < last; t += 8) __builtin_prefetch(t);
  if (first < last) __builtin_prefetch(last - 1);
}

}  // namespace joindots::link
