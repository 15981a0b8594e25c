#include "estimate/loglinear.hpp"

#include <gtest/gtest.h>

#include "estimate/capture_table.hpp"
#include "test_support.hpp"

namespace joindots::estimate {
namespace {

CaptureTable mse_table(const std::string& name) {
  return read_capture_table(testing::test_data_dir() / "mse" / name);
}

TEST(LogLinear, KosovoMinimumBicModelAndProfileInterval) {
  const auto t = mse_table("kosovo_4list.csv");
  ASSERT_EQ(t.observed(), 4400);
  const auto m = LogLinearModel::parse("[123,14,34]", 4);
  const auto fit = fit_loglinear(t, m);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit.estimate, 10356.5, 0.5);
  const auto ci = profile_interval(t, fit);
  EXPECT_NEAR(ci.low, 8994, 1.0);
  EXPECT_NEAR(ci.high, 12110, 1.0);
}

}  // namespace
}  // namespace joindots::estimate
