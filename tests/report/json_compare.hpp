#pragma once
// Field-by-field comparison of two JSON documents for the reference tests: every key present
// on both sides, arrays of the same length, strings, booleans and nulls equal, numbers equal
// to a relative tolerance. Returns the first difference, named by its path
// ($.headline.victims.estimate, $.strata[3].known.value), or nothing when they agree.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace joindots::testing {

struct JsonCompareOptions {
  double relative_tolerance = 1e-9;
  /// Paths left out of the comparison (e.g. "$.generated_at").
  std::set<std::string> ignored_paths;
};

std::optional<std::string> first_json_difference(const nlohmann::json& expected, const nlohmann::json& actual,
                                                 const JsonCompareOptions& options = {});

}  // namespace joindots::testing
