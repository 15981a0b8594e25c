#pragma once
// How many districts have a victim, counting those where no source recorded one
// (docs/estimation.md, "The four questions", 2):
//
//  - areas_affected: districts' victimisation rates vary as a gamma distribution across
//    districts, fitted by moments to the recorded counts (a negative binomial with exposure
//    e = children x (1 - p0), p0 the share of victims every source missed). A district with
//    a known victim is affected; one with none recorded has an unrecorded victim with the
//    posterior probability 1 - ((b + e) / (b + e + c p0))^a (a = mu^2 / tau^2 and
//    b = mu / tau^2 the gamma's shape and rate, c its children); with no spread between
//    districts, 1 - exp(-mu c p0). The expected count and its Poisson-binomial variance.
//  - chao2: Chao's (1987) incidence-based richness estimator over districts x lists.
#include <cstdint>
#include <vector>

namespace joindots::estimate {

struct District {
  double children = 0;     // children living there (the exposure before p0)
  std::int64_t known = 0;  // known victims whose home it is
};

struct AreasAffected {
  double expected = 0, variance = 0;
};

/// `known_districts` districts hold a known victim (counted as affected for certain; it may
/// include districts outside `districts`); `p0` in [0, 1).
AreasAffected areas_affected(const std::vector<District>& districts, std::int64_t known_districts, double p0);

/// observed + ((m - 1) / m) q1 (q1 - 1) / (2 (q2 + 1)), with q1 and q2 the districts whose
/// known victims were recorded by exactly one and exactly two of the m lists.
double chao2(std::int64_t observed, std::int64_t q1, std::int64_t q2, int lists);

}  // namespace joindots::estimate
