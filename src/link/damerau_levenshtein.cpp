#include "link/damerau_levenshtein.hpp"

#include <algorithm>
#include <vector>

namespace joindots::link {

std::size_t damerau_levenshtein(std::string_view a, std::string_view b, std::size_t cap) {
  const std::size_t n = a.size(), m = b.size();
  if (cap && (n > m ? n - m : m - n) > cap) return cap + 1;
  if (n == 0) return m;
  if (m == 0) return n;
  // Three rolling rows: i-2, i-1, i.
  thread_local std::vector<std::size_t> buf;
  buf.assign(3 * (m + 1), 0);
  std::size_t* prev2 = buf.data();
  std::size_t* prev = prev2 + (m + 1);
  std::size_t* cur = prev + (m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, prev2[j - 2] + 1);
      cur[j] = d;
      row_min = std::min(row_min, d);
    }
    if (cap && row_min > cap) return cap + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  const std::size_t d = prev[m];
  return cap && d > cap ? cap + 1 : d;
}

}  // namespace joindots::link
