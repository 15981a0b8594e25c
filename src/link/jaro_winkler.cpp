#include "link/jaro_winkler.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace joindots::link {

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a.size() > b.size()) std::swap(a, b);  // a is the shorter
  const std::size_t window = std::max<std::size_t>(b.size() / 2, 1) - 1;
  // Small strings (names) use stack flags; long ones fall back to the heap.
  std::array<std::uint8_t, 64> a_small{}, b_small{};
  std::vector<std::uint8_t> a_big, b_big;
  std::uint8_t* a_used = a_small.data();
  std::uint8_t* b_used = b_small.data();
  if (b.size() > a_small.size()) {
    a_big.assign(a.size(), 0);
    b_big.assign(b.size(), 0);
    a_used = a_big.data();
    b_used = b_big.data();
  }
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, b.size());
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_used[j] && a[i] == b[j]) {
        a_used[i] = b_used[j] = 1;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t half_transpositions = 0;
  for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_used[i]) continue;
    while (!b_used[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
}

double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale) {
  const double j = jaro(a, b);
  std::size_t prefix = 0;
  const std::size_t max_prefix = std::min<std::size_t>({4, a.size(), b.size()});
  while (prefix < max_prefix && a[prefix] == b[prefix]) ++prefix;
  return j + static_cast<double>(prefix) * prefix_scale * (1.0 - j);
}

}  // namespace joindots::link
