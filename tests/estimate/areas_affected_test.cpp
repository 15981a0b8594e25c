// The districts-affected estimator and Chao2 against tables computed by hand.
#include "estimate/areas_affected.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace joindots::estimate {

TEST(AreasAffected, GammaSpreadOfRatesByHand) {
  // Children 100, 200, 300; known victims 2, 0, 0; p0 = 0.5. Exposures e = 50, 100, 150, so
  // mu = 2 / 300; squared residuals (2 - 1/3)^2 + (2/3)^2 + 1^2 = 38/9, less mu x sum e = 2,
  // over sum e^2 = 35,000: tau^2 = 20 / 315,000. Shape mu^2 / tau^2 = 0.7, rate mu / tau^2 = 105.
  const std::vector<District> d = {{100, 2}, {200, 0}, {300, 0}};
  const auto r = areas_affected(d, 1, 0.5);
  const double p2 = 1 - std::pow((105.0 + 100) / (105.0 + 100 + 100), 0.7);
  const double p3 = 1 - std::pow((105.0 + 150) / (105.0 + 150 + 150), 0.7);
  EXPECT_NEAR(r.expected, 1 + p2 + p3, 1e-9);
  EXPECT_NEAR(r.variance, p2 * (1 - p2) + p3 * (1 - p3), 1e-9);
}

TEST(AreasAffected, NoSpreadBeyondPoissonIsThePoissonChance) {
  // Four districts of 100 children, known 1, 1, 1, 0: under-dispersed (squared residuals
  // 0.75 < mu x sum e = 3), so tau^2 = 0 and the empty district is affected with
  // 1 - exp(-mu c p0) = 1 - exp(-0.015 x 100 x 0.5).
  const std::vector<District> d = {{100, 1}, {100, 1}, {100, 1}, {100, 0}};
  const auto r = areas_affected(d, 3, 0.5);
  const double p = 1 - std::exp(-0.75);
  EXPECT_NEAR(r.expected, 3 + p, 1e-12);
  EXPECT_NEAR(r.variance, p * (1 - p), 1e-12);
  // No one missed (p0 = 0): only the known districts.
  EXPECT_NEAR(areas_affected(d, 3, 0.0).expected, 3.0, 1e-12);
}

TEST(AreasAffected, Chao2ByHand) {
  // 10 districts, 4 seen by one list, 2 by two, 5 lists: 10 + (4/5) x 12 / 6 = 11.6.
  EXPECT_DOUBLE_EQ(chao2(10, 4, 2, 5), 11.6);
  EXPECT_DOUBLE_EQ(chao2(10, 0, 3, 5), 10.0);  // nothing seen once: nothing unseen
  EXPECT_DOUBLE_EQ(chao2(10, 1, 0, 2), 10.0);
}

}  // namespace joindots::estimate
