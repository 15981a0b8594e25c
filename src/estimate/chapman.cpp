#include "estimate/chapman.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "estimate/estimate_methods.hpp"

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

std::string chapman_weak_reason(std::int64_t n1, std::int64_t n2, std::int64_t both) {
  constexpr std::int64_t kNearlyUnbiasedFrom = 7;  // Robson & Regier (1964)
  if (both == 0)
    return fmt::format(
        "the two lists share no one ({} on the first, {} on the second, 0 on both), so they hold no information on "
        "how many people neither recorded: Chapman's figure, (n1 + 1)(n2 + 1) - 1, is set by its +1 correction, "
        "not by the data, and its interval means nothing. The observed count is a lower bound; an estimate needs "
        "lists that share people, or a third list",
        n1, n2);
  if (both >= kNearlyUnbiasedFrom) return "";
  const auto at = [&](std::int64_t m) { return fmt::format("{:.0f} with {} on both", chapman(n1, n2, m).estimate, m); };
  std::string swing = at(both - 1);
  if (both + 1 <= std::min(n1, n2)) swing += ", " + at(both + 1);
  return fmt::format(
      "the two lists share only {} {}: Chapman's estimator is nearly unbiased only from about {} shared (Robson & "
      "Regier 1964), and with so few the figure swings with each person ({}). Quote the interval, not the figure",
      both, both == 1 ? "person" : "people", kNearlyUnbiasedFrom, swing);
}

MethodEstimate run_chapman_method(const CaptureTable& table, double level) {
  const auto c = chapman(table, level);
  MethodEstimate m;
  m.method = "chapman";
  m.estimate = c.estimate;
  m.interval = c.interval;
  if (c.both == 0) {  // no overlap: the variance formula still gives numbers, but they describe nothing
    m.interval.low = m.interval.high = std::numeric_limits<double>::quiet_NaN();
    m.interval.kind = "none: the lists share no one";
  }
  m.details = {{"n1", c.n1},
               {"n2", c.n2},
               {"both", c.both},
               {"variance", c.variance},
               {"se", c.se},
               {"interval_kind", m.interval.kind},
               {"normal_interval", interval_json(c.normal_interval)},
               {"source", "Chapman (1951); variance Seber (1982); log-normal interval Chao (1987)"}};
  return m;
}

}  // namespace joindots::estimate
