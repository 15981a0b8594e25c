#include "estimate/loglinear_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>

#include "core/error.hpp"

namespace joindots::estimate {

namespace {

bool term_less(std::uint32_t a, std::uint32_t b) {
  const int pa = std::popcount(a), pb = std::popcount(b);
  if (pa != pb) return pa < pb;
  // Within a size, order by the lists' positions (lexicographic on the sorted indices).
  for (int j = 0; j < 32; ++j) {
    const bool ia = a >> j & 1u, ib = b >> j & 1u;
    if (ia != ib) return ia;
  }
  return false;
}

char list_digit(int j) { return j < 9 ? static_cast<char>('1' + j) : static_cast<char>('A' + (j - 9)); }

std::string term_digits(std::uint32_t t) {
  std::string s;
  for (int j = 0; j < 32; ++j)
    if (t >> j & 1u) s += list_digit(j);
  return s;
}

}  // namespace

const char* to_string(Heterogeneity h) {
  switch (h) {
    case Heterogeneity::None: return "none";
    case Heterogeneity::Poisson2: return "Poisson2";
    case Heterogeneity::Darroch: return "Darroch";
    case Heterogeneity::Gamma35: return "Gamma3.5";
  }
  return "?";
}

double heterogeneity_value(Heterogeneity h, int s) {
  switch (h) {
    case Heterogeneity::None: return 0.0;
    case Heterogeneity::Poisson2: return std::ldexp(1.0, s) - 1.0;
    case Heterogeneity::Darroch: return 0.5 * s * s;
    case Heterogeneity::Gamma35: return -std::log1p(s / 3.5);
  }
  return 0.0;
}

LogLinearModel LogLinearModel::with_heterogeneity(Heterogeneity h) const {
  LogLinearModel m = *this;
  m.heterogeneity_ = h;
  return m;
}

std::vector<double> LogLinearModel::heterogeneity_column() const {
  if (heterogeneity_ == Heterogeneity::None) return {};
  std::vector<double> h(std::size_t{1} << k_);
  for (std::uint32_t c = 0; c < h.size(); ++c) h[c] = heterogeneity_value(heterogeneity_, std::popcount(c));
  return h;
}

std::vector<std::uint32_t> all_pairs(int k) {
  std::vector<std::uint32_t> out;
  for (int i = 0; i < k; ++i)
    for (int j = i + 1; j < k; ++j) out.push_back((1u << i) | (1u << j));
  return out;
}

LogLinearModel::LogLinearModel(int k) : k_(k) {
  terms_.push_back(0);
  for (int j = 0; j < k; ++j) terms_.push_back(1u << j);
}

LogLinearModel LogLinearModel::hierarchical(int k, const std::vector<std::uint32_t>& generators) {
  std::set<std::uint32_t> terms;
  terms.insert(0);
  for (int j = 0; j < k; ++j) terms.insert(1u << j);
  const std::uint32_t full = (k >= 32) ? ~0u : ((1u << k) - 1);
  for (std::uint32_t g : generators) {
    if ((g & ~full) != 0) throw UsageError(fmt::format("model term {} names a list beyond the {} lists", g, k));
    // Every subset of g: iterate submasks.
    for (std::uint32_t s = g;; s = (s - 1) & g) {
      terms.insert(s);
      if (s == 0) break;
    }
  }
  LogLinearModel m(k);
  m.terms_.assign(terms.begin(), terms.end());
  std::sort(m.terms_.begin(), m.terms_.end(), term_less);
  return m;
}

LogLinearModel LogLinearModel::two_way(int k, const std::vector<std::pair<int, int>>& pairs) {
  std::vector<std::uint32_t> g;
  for (auto [a, b] : pairs) g.push_back((1u << a) | (1u << b));
  return hierarchical(k, g);
}

LogLinearModel LogLinearModel::parse(std::string_view text, int k) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  Heterogeneity h = Heterogeneity::None;
  if (const auto plus = s.rfind('+'); plus != std::string_view::npos) {
    std::string_view name = s.substr(plus + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    bool found = false;
    for (auto c : {Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35})
      if (name == estimate::to_string(c)) {
        h = c;
        found = true;
      }
    if (!found)
      throw UsageError(fmt::format("model `{}`: unknown heterogeneity term `{}`; valid: Poisson2, Darroch, Gamma3.5",
                                   text, name));
    s = s.substr(0, plus);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  if (s.size() < 2 || s.front() != '[' || s.back() != ']')
    throw UsageError(fmt::format("model `{}`: write it as a generating class in brackets, e.g. [12,13,4]", text));
  s = s.substr(1, s.size() - 2);
  std::vector<std::uint32_t> gens;
  std::uint32_t cur = 0;
  auto flush = [&] {
    if (cur == 0) throw UsageError(fmt::format("model `{}`: empty term", text));
    gens.push_back(cur);
    cur = 0;
  };
  for (char ch : s) {
    if (ch == ' ') continue;
    if (ch == ',') {
      flush();
      continue;
    }
    int j = -1;
    if (ch >= '1' && ch <= '9') j = ch - '1';
    else if (ch >= 'A' && ch <= 'F') j = 9 + (ch - 'A');
    else if (ch >= 'a' && ch <= 'f') j = 9 + (ch - 'a');
    if (j < 0 || j >= k)
      throw UsageError(
          fmt::format("model `{}`: `{}` is not a list number (1-{})", text, ch, k < 10 ? std::to_string(k) : "9, A-F"));
    cur |= 1u << j;
  }
  if (cur != 0 || !s.empty()) flush();
  return hierarchical(k, gens).with_heterogeneity(h);
}

std::vector<std::uint32_t> LogLinearModel::interactions() const {
  std::vector<std::uint32_t> out;
  for (auto t : terms_)
    if (std::popcount(t) >= 2) out.push_back(t);
  return out;
}

bool LogLinearModel::has_term(std::uint32_t t) const {
  return std::find(terms_.begin(), terms_.end(), t) != terms_.end();
}

std::vector<std::uint32_t> LogLinearModel::generators() const {
  std::vector<std::uint32_t> out;
  for (auto t : terms_) {
    if (t == 0) continue;
    bool maximal = true;
    for (auto u : terms_)
      if (u != t && (u & t) == t) {
        maximal = false;
        break;
      }
    if (maximal) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](std::uint32_t a, std::uint32_t b) {
    // Order as written by hand: by first list, then size descending.
    const int fa = std::countr_zero(a), fb = std::countr_zero(b);
    if (fa != fb) return fa < fb;
    return term_digits(a) < term_digits(b);
  });
  return out;
}

std::string LogLinearModel::to_string() const {
  std::string s = "[";
  bool first = true;
  for (auto g : generators()) {
    if (!first) s += ',';
    s += term_digits(g);
    first = false;
  }
  s += "]";
  if (heterogeneity_ != Heterogeneity::None) s += std::string("+") + estimate::to_string(heterogeneity_);
  return s;
}

std::vector<std::string> LogLinearModel::interaction_names(const std::vector<std::string>& lists) const {
  std::vector<std::string> out;
  for (auto t : interactions()) {
    std::string name;
    for (int j = 0; j < 32; ++j)
      if (t >> j & 1u) {
        if (!name.empty()) name += ':';
        name += j < static_cast<int>(lists.size()) ? lists[static_cast<std::size_t>(j)] : std::to_string(j + 1);
      }
    out.push_back(name);
  }
  return out;
}

}  // namespace joindots::estimate
