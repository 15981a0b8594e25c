#include "estimate/sampling.hpp"

#include <algorithm>
#include <cmath>

namespace joindots::estimate {

namespace {

// Stirling's correction: log k! - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2].
double stirling_correction(std::int64_t k) {
  static const double table[] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                                 0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                                 0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
                                 0.008330563433362871};
  if (k < 10) return table[k];
  const double kp1 = static_cast<double>(k + 1), kp1sq = kp1 * kp1;
  return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / kp1;
}

// BTRD for p <= 1/2 and n p >= 10.
std::int64_t btrd(Rng& rng, std::int64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double q = 1.0 - p;
  const double m = std::floor((nd + 1.0) * p);
  const double r = p / q, nr = (nd + 1.0) * r, npq = nd * p * q;
  const double sq = std::sqrt(npq);
  const double b = 1.15 + 2.53 * sq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = nd * p + 0.5;
  const double alpha = (2.83 + 5.1 / b) * sq;
  const double vr = 0.92 - 4.2 / b;
  const double urvr = 0.86 * vr;
  const auto mi = static_cast<std::int64_t>(m);
  for (;;) {
    double v = rng.uniform();
    double u;
    if (v <= urvr) {
      u = v / vr - 0.43;
      return static_cast<std::int64_t>(std::floor((2.0 * a / (0.5 - std::abs(u)) + b) * u + c));
    }
    if (v >= vr) {
      u = rng.uniform() - 0.5;
    } else {
      u = v / vr - 0.93;
      u = (u < 0 ? -0.5 : 0.5) - u;
      v = rng.uniform() * vr;
    }
    const double us = 0.5 - std::abs(u);
    const double kd = std::floor((2.0 * a / us + b) * u + c);
    if (kd < 0 || kd > nd) continue;
    const auto k = static_cast<std::int64_t>(kd);
    v = v * alpha / (a / (us * us) + b);
    const std::int64_t km = std::abs(k - mi);
    if (km <= 15) {
      // Recursive evaluation of f(k) / f(m).
      double f = 1.0;
      if (mi < k) {
        for (std::int64_t i = mi + 1; i <= k; ++i) f *= nr / static_cast<double>(i) - r;
      } else if (mi > k) {
        for (std::int64_t i = k + 1; i <= mi; ++i) v *= nr / static_cast<double>(i) - r;
      }
      if (v <= f) return k;
      continue;
    }
    // Squeeze on log f(k) / f(m), then the exact test.
    v = std::log(v);
    const double kmd = static_cast<double>(km);
    const double rho = (kmd / npq) * (((kmd / 3.0 + 0.625) * kmd + 1.0 / 6.0) / npq + 0.5);
    const double t = -kmd * kmd / (2.0 * npq);
    if (v < t - rho) return k;
    if (v > t + rho) continue;
    const double nm = nd - m + 1.0;
    const double h = (m + 0.5) * std::log((m + 1.0) / (r * nm)) + stirling_correction(mi) + stirling_correction(n - mi);
    const double nk = nd - kd + 1.0;
    if (v <= h + (nd + 1.0) * std::log(nm / nk) + (kd + 0.5) * std::log(nk * r / (kd + 1.0)) -
                  stirling_correction(k) - stirling_correction(n - k))
      return k;
  }
}

}  // namespace

std::int64_t binomial_draw(Rng& rng, std::int64_t n, double p) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const bool flip = p > 0.5;
  const double pp = flip ? 1.0 - p : p;
  std::int64_t x;
  if (static_cast<double>(n) * pp < 10.0)
    x = rng.binomial(n, pp);  // at most a few tens of uniforms on average
  else
    x = btrd(rng, n, pp);
  return flip ? n - x : x;
}

void multinomial_add(Rng& rng, std::int64_t count, const std::vector<double>& w, double total,
                     std::vector<std::int64_t>& out) {
  std::int64_t left = count;
  double mass = total;
  for (std::size_t k = 0; k + 1 < w.size() && left > 0; ++k) {
    const double p = mass > 0 ? std::clamp(w[k] / mass, 0.0, 1.0) : 0.0;
    const std::int64_t x = binomial_draw(rng, left, p);
    out[k] += x;
    left -= x;
    mass -= w[k];
  }
  if (left > 0) out[w.size() - 1] += left;
}

}  // namespace joindots::estimate
