#include "simulate/scenarios.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace joindots::simulate {

namespace {

// The mild and strong settings were chosen so that about a third to a half of victims stay
// unrecorded (as in the default) and the mechanism's realised property is plain in
// truth/summary.json (realised.mechanisms); the linkage-noise presets were raised until
// victim linkage F1 fell to about 0.97 and 0.93 on seed 1 (docs/simulator.md).
const std::vector<ScenarioPreset>& presets() {
  static const std::vector<ScenarioPreset> kPresets = {
      {"baseline",
       "the default country: logit-normal visibility (sd 1.2) and referral terms",
       false,
       {}},
      {"independent",
       "no heterogeneity and no referral: independent lists (a check of the study itself)",
       false,
       {{"visibility_sd", 0},
        {"cs_to_police_log_odds", 0},
        {"police_to_nrm_log_odds", 0},
        {"cs_to_nrm_log_odds", 0}}},
      // The default's two recording mechanisms one at a time (issue 11: which of them makes
      // the default country's estimate run low at perfect linkage).
      {"visibility_only",
       "the default's logit-normal visibility (sd 1.2) without its referral terms",
       false,
       {{"cs_to_police_log_odds", 0}, {"police_to_nrm_log_odds", 0}, {"cs_to_nrm_log_odds", 0}}},
      {"referral_only",
       "the default's referral terms without its visibility (sd 0)",
       false,
       {{"visibility_sd", 0}}},
      {"latent_classes_mild",
       "two visibility classes: 30% of children 1.5 logits more visible",
       false,
       {{"visibility_model", 1}, {"class2_share", 0.3}, {"class2_shift", 1.5}}},
      {"latent_classes_strong",
       "three classes: 30% nearly invisible (-2.5 logits), 15% highly visible (+2), the rest in "
       "between",
       false,
       {{"visibility_model", 1},
        {"class2_share", 0.3},
        {"class2_shift", -2.5},
        {"class3_share", 0.15},
        {"class3_shift", 2}}},
      {"lognormal_mild",
       "continuous visibility: a log-normal multiplier of the hazard, log sd 0.7",
       false,
       {{"visibility_model", 2}, {"visibility_sd", 0.7}}},
      {"lognormal_strong",
       "continuous visibility: a log-normal multiplier of the hazard, log sd 1.5",
       false,
       {{"visibility_model", 2}, {"visibility_sd", 1.5}}},
      {"behaviour_shy",
       "behavioural response: being on an earlier list lowers the odds of a later one (-1)",
       false,
       {{"behavioural_response_log_odds", -1}}},
      {"behaviour_happy_mild",
       "behavioural response: being on an earlier list raises the odds of a later one (+0.7)",
       false,
       {{"behavioural_response_log_odds", 0.7}}},
      {"behaviour_happy_strong",
       "behavioural response: raises the odds of a later list (+1.5)",
       false,
       {{"behavioural_response_log_odds", 1.5}}},
      {"referral_chain_mild",
       "referral chain: most charity cases come from children's services (86% on seed 100003)",
       false,
       {{"cs_to_charity_log_odds", 2.5}, {"charity_logit", -3.8}}},
      {"referral_chain_strong",
       "referral chain: nearly all charity cases come from children's services (97% on seed "
       "100003)",
       false,
       {{"cs_to_charity_log_odds", 4.5}, {"charity_logit", -5.5}}},
      {"negative_dependence_mild",
       "negative dependence: police -> health log odds ratio -1",
       false,
       {{"police_to_health_log_odds", -1}}},
      {"negative_dependence_strong",
       "negative dependence: police -> health log odds ratio -2.5",
       false,
       {{"police_to_health_log_odds", -2.5}}},
      {"open_population_mild",
       "open population: health covers the first 60% of the window, charities the last 60%",
       false,
       {{"list_period_share", 0.6}}},
      {"open_population_strong",
       "open population: health covers the first 35% of the window, charities the last 35% (no "
       "overlap)",
       false,
       {{"list_period_share", 0.35}}},
      {"duplicates_mild",
       "within-source duplicates: 10% of victim records entered twice",
       true,
       {{"duplicate_rate", 0.1}}},
      {"duplicates_strong",
       "within-source duplicates: 30% of victim records entered twice",
       true,
       {{"duplicate_rate", 0.3}}},
      {"linkage_noise_mild",
       "identifier noise raised until victim linkage F1 is about 0.97",
       true,
       {{"typo_rate", 0.15},
        {"nickname_rate", 0.35},
        {"dob_missing_rate", 0.18},
        {"dob_partial_rate", 0.17},
        {"dob_day_error_rate", 0.06},
        {"dob_swap_rate", 0.06},
        {"postcode_missing_rate", 0.38},
        {"nhs_health_share", 0.55},
        {"nhs_children_services_share", 0.13},
        {"upn_children_services_share", 0.09}}},
      {"linkage_noise_strong",
       "identifier noise raised until victim linkage F1 is about 0.93",
       true,
       {{"typo_rate", 0.23},
        {"nickname_rate", 0.47},
        {"dob_missing_rate", 0.27},
        {"dob_partial_rate", 0.23},
        {"dob_day_error_rate", 0.09},
        {"dob_swap_rate", 0.09},
        {"postcode_missing_rate", 0.47},
        {"nhs_health_share", 0.35},
        {"nhs_children_services_share", 0.07},
        {"upn_children_services_share", 0.06}}},
  };
  return kPresets;
}

std::string format_value(double v) { return fmt::format("{}", v); }

}  // namespace

std::span<const ScenarioPreset> scenario_presets() { return presets(); }

const ScenarioPreset* find_scenario(std::string_view name) {
  for (const auto& p : presets())
    if (p.name == name) return &p;
  return nullptr;
}

std::string scenario_names() {
  std::string out;
  for (const auto& p : presets()) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

SimConfig scenario_config(std::string_view name) {
  const ScenarioPreset* preset = find_scenario(name);
  if (!preset)
    throw UsageError(
        fmt::format("unknown scenario '{}'; valid scenarios are: {}", name, scenario_names()));
  SimConfig config = SimConfig::defaults();
  for (const auto& [key, value] : preset->overrides) set_param(config, key, value);
  validate(config);
  return config;
}

std::string scenarios_markdown() {
  std::string out =
      "| scenario | study run | mechanism | overrides of the defaults |\n|---|---|---|---|\n";
  for (const auto& p : presets()) {
    std::string overrides;
    for (const auto& [key, value] : p.overrides)
      overrides +=
          fmt::format("{}`{} = {}`", overrides.empty() ? "" : ", ", key, format_value(value));
    out += fmt::format("| `{}` | {} | {} | {} |\n", p.name,
                       p.linkage_is_the_point ? "end to end" : "table level", p.mechanism,
                       overrides.empty() ? "none" : overrides);
  }
  return out;
}

}  // namespace joindots::simulate
