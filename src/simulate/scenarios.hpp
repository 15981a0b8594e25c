#pragma once
// Scenario presets: named sets of parameter overrides that switch on one generating
// mechanism at a time (the study across mechanisms of issue 11). `simulate --scenario NAME`
// applies one before any --config file, so a file can still adjust it.
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simulate/config.hpp"

namespace joindots::simulate {

struct ScenarioPreset {
  std::string_view name;
  std::string_view mechanism;  // what it switches on, one line
  bool linkage_is_the_point;   // the study runs it end to end (simulate -> ingest -> link ->
                               // estimate)
  std::vector<std::pair<std::string_view, double>> overrides;  // applied to the defaults, in order
};

/// Every preset, in documentation order ("baseline" first: the default country).
std::span<const ScenarioPreset> scenario_presets();
/// The preset of that name, or nullptr.
const ScenarioPreset* find_scenario(std::string_view name);
/// "baseline, independent, ..." for error messages.
std::string scenario_names();
/// The defaults with the preset's overrides. Throws UsageError naming the valid presets when
/// `name` is not one.
SimConfig scenario_config(std::string_view name);
/// The presets as a Markdown table (name, end to end or not, mechanism, overrides), as in
/// docs/simulator.md.
std::string scenarios_markdown();

}  // namespace joindots::simulate
