#pragma once
// The simulator's parameters, declared once. Each parameter has a name, a default, bounds, a
// one-line description and where its value comes from; the table drives TOML configuration
// files (an unknown key or an out-of-bounds value is a UsageError naming it), the config
// echo in truth/summary.json and the table in docs/simulator.md.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/date.hpp"

namespace joindots::simulate {

/// Every tunable of the synthetic country. Build it with SimConfig::defaults() (or
/// load_config()) rather than by value-initialisation: the defaults live in param_specs().
struct SimConfig {
  // Period
  Date study_start, study_end, reference_date;
  // Size
  double scale, groups;
  // Areas
  double area_effect_sd, hotspot_share, hotspot_multiplier, hotspot_neighbours,
      hotspot_neighbour_multiplier;
  // Offending groups
  double offenders_mean, offenders_size, multi_area_share, group_duration_median_days,
      group_duration_log_sd, victims_mean, victims_size;
  // Victims
  double female_share, age_mode, age_spread, duration_median_days, duration_log_sd,
      second_group_share, move_share, move_other_district_share, offences_mean, offences_size;
  // Offenders
  double offender_female_share, offender_age_mean, offender_age_sd, offender_street_name_share,
      offender_alias_share;
  // Recording
  double visibility_sd, police_logit, children_services_logit, health_logit, nrm_logit,
      charity_logit, cs_to_police_log_odds, police_to_nrm_log_odds, cs_to_nrm_log_odds,
      police_repeat_mean, children_services_repeat_mean, health_repeat_mean, nrm_repeat_mean,
      charity_repeat_mean, operation_share, crime_ref_share, suspect_record_p,
      cs_associate_p, suspect_pnc_share, suspect_dob_missing_rate, suspect_street_name_only_rate,
      nhs_health_share, nhs_children_services_share, nhs_other_share, upn_children_services_share;
  // Identifier noise
  double typo_rate, nickname_rate, other_names_nickname_rate, surname_change_share,
      surname_change_old_rate, double_surname_share, double_surname_variant_rate, dob_swap_rate,
      dob_day_error_rate, dob_partial_rate, dob_missing_rate, postcode_missing_rate,
      postcode_partial_rate, sex_missing_rate, upper_case_rate;
  // Generating mechanisms for the study across mechanisms (issue 11); every one is off by
  // default, and a run with all of them off is byte-identical to one without them.
  double visibility_model, class2_share, class2_shift, class3_share, class3_shift,
      behavioural_response_log_odds, cs_to_charity_log_odds, police_to_health_log_odds, list_period_share,
      duplicate_rate;

  /// The defaults of param_specs().
  static SimConfig defaults();
};

enum class ParamKind { Number, Integer, Date };

/// One declared parameter. Exactly one of `number` and `date` is set.
struct ParamSpec {
  std::string_view name;
  ParamKind kind;
  double default_value;           // Number, Integer
  std::string_view default_date;  // Date: YYYY-MM-DD
  double lo, hi;                  // inclusive bounds (Number, Integer)
  std::string_view group;         // section heading for the docs
  std::string_view description;
  std::string_view source;  // where the default comes from; "judgement" when it is one
  double SimConfig::*number;
  Date SimConfig::*date;
};

/// The declared parameters, in documentation order.
std::span<const ParamSpec> param_specs();
/// The spec of a parameter, or nullptr.
const ParamSpec* find_param(std::string_view name);
/// "a, b, c" — every valid parameter name, for error messages.
std::string param_names();

/// Sets one parameter by name. Throws UsageError naming the parameter when it is unknown
/// (listing the valid names) or out of bounds.
void set_param(SimConfig& config, std::string_view name, double value);
void set_param(SimConfig& config, std::string_view name, const Date& value);

/// True when any parameter of the "mechanisms" section differs from its default.
bool mechanisms_on(const SimConfig& config);

/// Checks every bound and the cross-parameter rules (study_start < study_end <=
/// reference_date; class2_share + class3_share <= 1). Throws UsageError naming the offending parameter.
void validate(const SimConfig& config);

/// Defaults (or `base`, e.g. a scenario preset) overridden by the keys of a TOML file (flat
/// keys, or one level of tables whose names are ignored, e.g. [noise] typo_rate = 0.05).
/// Throws UsageError on a parse error, an unknown key (listing the valid keys), a wrong type
/// or an out-of-bounds value.
SimConfig load_config(const std::filesystem::path& toml_file, const SimConfig* base = nullptr);
SimConfig parse_config(std::string_view toml_text, std::string_view source_name = "config",
                       const SimConfig* base = nullptr);

/// The parameter table as Markdown (name, default, bounds, description, source), grouped
/// by section; docs/simulator.md embeds it verbatim (a test keeps the two equal).
std::string params_markdown();

/// {"name": value, ...} in declaration order (dates as YYYY-MM-DD). Parameters of the
/// "mechanisms" section appear only when set away from their default, so that a default
/// run's truth/summary.json stays byte-identical to runs from before they existed.
nlohmann::ordered_json config_to_json(const SimConfig& config);

}  // namespace joindots::simulate
