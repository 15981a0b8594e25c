#pragma once
// A two-sided interval for a population size, with how it was made.
#include <limits>
#include <string>

namespace joindots::estimate {

struct Interval {
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
  double level = 0.95;
  std::string kind;  // e.g. "profile likelihood", "log-normal (Chao 1987)", "bootstrap percentile"
};

}  // namespace joindots::estimate
