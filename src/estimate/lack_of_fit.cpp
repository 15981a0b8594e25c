#include "estimate/lack_of_fit.hpp"

#include <fmt/format.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>

namespace joindots::estimate {

bool deviance_is_chi_square(const CaptureTable& table) {
  // Cochran's rule for the chi-square approximation: at least 80% of the cells at 5 or more.
  std::uint32_t small = 0;
  for (std::uint32_t c = 1; c < table.cells(); ++c) small += table.counts[c] < 5;
  return 5 * small <= table.cells() - 1;
}

std::optional<LackOfFit> lack_of_fit(const CaptureTable& table, double deviance, int df) {
  if (df <= 0 || !std::isfinite(deviance) || deviance <= df || !deviance_is_chi_square(table)) return std::nullopt;
  const double p =
      boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), deviance));
  if (!(p < 0.05)) return std::nullopt;
  LackOfFit f;
  f.deviance = deviance;
  f.df = df;
  f.p_value = p;
  f.c_hat = deviance / df;
  f.factor = std::sqrt(f.c_hat);
  return f;
}

Interval widen_for_lack_of_fit(const Interval& interval, double estimate, double observed,
                               const LackOfFit& fit) {
  const double unseen = estimate - observed;
  if (!std::isfinite(interval.low) || !std::isfinite(interval.high) || !(unseen > 0) ||
      !(fit.factor > 1))
    return interval;
  // An end at or below the observed count stays there (no unseen at all).
  auto widen = [&](double end) {
    const double u = end - observed;
    if (!(u > 0)) return end;
    return observed + unseen * std::pow(u / unseen, fit.factor);
  };
  Interval out = interval;
  out.low = std::min(interval.low, widen(interval.low));
  out.high = std::max(interval.high, widen(interval.high));
  out.kind = fmt::format(
      "{}, widened for lack of fit (c-hat = deviance / df = {:.2f}: the interval of log(unseen) "
      "x{:.2f}; Anderson, Burnham & White 1994)",
      interval.kind, fit.c_hat, fit.factor);
  return out;
}

}  // namespace joindots::estimate
