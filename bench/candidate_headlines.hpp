#pragma once
// Issue 11's two candidate headlines, measured beside `auto` by bench/coverage_study.cpp and
// bench/mechanism_study.cpp on the same populations: each is taken only when it lies inside
// auto's interval, else auto's own estimate stands (a headline never leaves its interval).
#include <cmath>

#include "estimate/estimate.hpp"

namespace joindots::bench {

struct CandidateHeadlines {
  double search_average;  // the BIC-weighted average of the heterogeneity search's models
  double forms_average;   // the best model of each heterogeneity form, averaged by their weights
};

inline CandidateHeadlines candidate_headlines(const estimate::EstimateResult& result) {
  const auto inside = [&](double v) { return v >= result.interval.low && v <= result.interval.high; };
  CandidateHeadlines c{result.estimate, result.estimate};
  for (const auto& m : result.methods) {
    if (m.method != "loglinear_heterogeneity_averaged") continue;
    if (std::isfinite(m.estimate) && inside(m.estimate)) c.search_average = m.estimate;
    if (m.details.contains("forms")) {
      const double v = m.details["forms"]["average"].get<double>();
      if (inside(v)) c.forms_average = v;
    }
  }
  return c;
}

}  // namespace joindots::bench
