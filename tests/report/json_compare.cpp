#include "report/json_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace joindots::testing {

namespace {

std::string kind(const nlohmann::json& j) { return j.is_number() ? "number" : j.type_name(); }

std::string shown(const nlohmann::json& j) {
  std::string s = j.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

bool numbers_agree(double a, double b, double tolerance) {
  if (a == b) return true;  // also equal infinities
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  return std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

std::optional<std::string> compare(const nlohmann::json& e, const nlohmann::json& a, const std::string& path,
                                   const JsonCompareOptions& o) {
  if (o.ignored_paths.count(path)) return std::nullopt;
  if (kind(e) != kind(a))
    return fmt::format("{}: expected {} {}, found {} {}", path, kind(e), shown(e), kind(a), shown(a));
  if (e.is_number()) {
    if (numbers_agree(e.get<double>(), a.get<double>(), o.relative_tolerance)) return std::nullopt;
    return fmt::format("{}: expected {}, found {} (relative tolerance {:g})", path, shown(e), shown(a),
                       o.relative_tolerance);
  }
  if (e.is_object()) {
    for (const auto& [key, value] : e.items())
      if (!a.contains(key) && !o.ignored_paths.count(path + "." + key))
        return fmt::format("{}.{}: missing (expected {})", path, key, shown(value));
    for (const auto& [key, value] : a.items())
      if (!e.contains(key) && !o.ignored_paths.count(path + "." + key))
        return fmt::format("{}.{}: not expected (found {})", path, key, shown(value));
    for (const auto& [key, value] : e.items())
      if (a.contains(key))
        if (auto d = compare(value, a.at(key), path + "." + key, o)) return d;
    return std::nullopt;
  }
  if (e.is_array()) {
    for (std::size_t i = 0; i < std::min(e.size(), a.size()); ++i)
      if (auto d = compare(e[i], a[i], fmt::format("{}[{}]", path, i), o)) return d;
    if (e.size() != a.size())
      return fmt::format("{}: expected {} elements, found {}", path, e.size(), a.size());
    return std::nullopt;
  }
  if (e != a) return fmt::format("{}: expected {}, found {}", path, shown(e), shown(a));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> first_json_difference(const nlohmann::json& expected, const nlohmann::json& actual,
                                                 const JsonCompareOptions& options) {
  return compare(expected, actual, "$", options);
}

}  // namespace joindots::testing
