#include "estimate/chapman.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <stdexcept>

namespace joindots::estimate {

ChapmanResult chapman(std::int64_t n1, std::int64_t n2, std::int64_t both, double level) {
  if (n1 < 0 || n2 < 0 || both < 0) throw std::invalid_argument("chapman: n1, n2, both: must be >= 0");
  if (both > n1 || both > n2) throw std::invalid_argument("chapman: both: cannot exceed n1 or n2");
  if (!(level > 0 && level < 1)) throw std::invalid_argument("chapman: level: must be in (0, 1)");
  ChapmanResult r;
  r.n1 = n1;
  r.n2 = n2;
  r.both = both;
  r.observed = n1 + n2 - both;
  const double a = static_cast<double>(n1), b = static_cast<double>(n2), m = static_cast<double>(both);
  r.estimate = (a + 1.0) * (b + 1.0) / (m + 1.0) - 1.0;
  r.variance = (a + 1.0) * (b + 1.0) * (a - m) * (b - m) / ((m + 1.0) * (m + 1.0) * (m + 2.0));
  r.se = std::sqrt(r.variance);
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + level / 2.0);
  const double observed = static_cast<double>(r.observed);
  const double f0 = r.estimate - observed;
  r.interval.level = r.normal_interval.level = level;
  r.interval.kind = "log-normal (Chao 1987)";
  if (f0 > 0 && r.variance > 0) {
    const double c = std::exp(z * std::sqrt(std::log(1.0 + r.variance / (f0 * f0))));
    r.interval.low = observed + f0 / c;
    r.interval.high = observed + f0 * c;
  } else {
    r.interval.low = r.interval.high = std::max(observed, r.estimate);
  }
  r.normal_interval.kind = "normal (Wald)";
  r.normal_interval.low = r.estimate - z * r.se;
  r.normal_interval.high = r.estimate + z * r.se;
  return r;
}

ChapmanResult chapman(const CaptureTable& table, double level) {
  if (table.k() != 2) throw std::invalid_argument("chapman: table: needs exactly 2 lists");
  return chapman(table.list_total(0), table.list_total(1), table.counts[3], level);
}

}  // namespace joindots::estimate
