#include "estimate/areas_affected.hpp"

#include <algorithm>
#include <cmath>

namespace joindots::estimate {

AreasAffected areas_affected(const std::vector<District>& districts, std::int64_t known_districts, double p0) {
  double y_sum = 0, e_sum = 0, e2_sum = 0;
  for (const auto& d : districts) {
    const double e = d.children * (1 - p0);
    y_sum += static_cast<double>(d.known);
    e_sum += e;
    e2_sum += e * e;
  }
  const double mu = e_sum > 0 ? y_sum / e_sum : 0.0;  // recorded victims per child-exposure
  double ss = 0;
  for (const auto& d : districts) {
    const double e = d.children * (1 - p0), y = static_cast<double>(d.known);
    ss += (y - mu * e) * (y - mu * e);
  }
  // The spread of rates by moments: the variance beyond the Poisson's, never below 0.
  const double tau2 = e2_sum > 0 ? std::max(0.0, (ss - mu * e_sum) / e2_sum) : 0.0;
  AreasAffected r;
  r.expected = static_cast<double>(known_districts);
  for (const auto& d : districts) {
    if (d.known > 0) continue;
    const double c = d.children;
    double p_affected;
    if (tau2 > 1e-15 && mu > 0) {
      const double shape = mu * mu / tau2, rate = mu / tau2, e = c * (1 - p0);
      p_affected = 1.0 - std::pow((rate + e) / (rate + e + c * p0), shape);
    } else {
      p_affected = 1.0 - std::exp(-mu * c * p0);
    }
    r.expected += p_affected;
    r.variance += p_affected * (1 - p_affected);
  }
  return r;
}

double chao2(std::int64_t observed, std::int64_t q1, std::int64_t q2, int lists) {
  const double m = static_cast<double>(lists);
  return static_cast<double>(observed) +
         ((m - 1) / m) * static_cast<double>(q1 * (q1 - 1)) / (2.0 * static_cast<double>(q2 + 1));
}

}  // namespace joindots::estimate
