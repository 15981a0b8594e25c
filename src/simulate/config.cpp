#include "simulate/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <toml++/toml.h>

#include "core/error.hpp"

namespace joindots::simulate {

namespace {

#define JD_NUM(name, def, lo, hi, group, desc, src) \
  ParamSpec { #name, ParamKind::Number, def, "", lo, hi, group, desc, src, &SimConfig::name, nullptr }
#define JD_INT(name, def, lo, hi, group, desc, src) \
  ParamSpec { #name, ParamKind::Integer, def, "", lo, hi, group, desc, src, &SimConfig::name, nullptr }
#define JD_DATE(name, def, group, desc, src) \
  ParamSpec { #name, ParamKind::Date, 0, def, 0, 0, group, desc, src, nullptr, &SimConfig::name }

constexpr std::string_view kJudgement = "judgement";
constexpr std::string_view kCalib = "calibrated: 40-55% of victims recorded by no source (see docs)";
constexpr std::string_view kStudy = "off by default; scenario presets for the study across mechanisms";
constexpr std::string_view kChristen =
    "order of Christen & Pudjijono 2009 (FEBRL generator) error rates; exact value judgement";

const ParamSpec kSpecs[] = {
    // Period
    JD_DATE(study_start, "2018-01-01", "period",
            "first day of the study window; victims' exploitation starts in the window", kJudgement),
    JD_DATE(study_end, "2025-12-31", "period", "last day of the study window", kJudgement),
    JD_DATE(reference_date, "2025-12-31", "period", "date the estimates refer to (still_involved, ages); >= study_end",
            kJudgement),
    // Size
    JD_NUM(scale, 1.0, 0.001, 1000, "size", "multiplies the number of groups (a denser country); --scale overrides",
           kJudgement),
    JD_INT(groups, 2000, 1, 1e6, "size",
           "offending groups at scale 1 (x victims_mean ~ 10,000 victims over the window)",
           "order of magnitude: Children's Commissioner inquiry 2012; DfE CIN census (CSE factor); see docs"),
    // Areas
    JD_NUM(area_effect_sd, 0.5, 0, 3, "areas", "sd of the log area random effect on the victimisation rate",
           kJudgement),
    JD_NUM(hotspot_share, 0.05, 0, 0.5, "areas", "share of districts that are hotspots", kJudgement),
    JD_NUM(hotspot_multiplier, 4, 1, 50, "areas", "rate multiplier in a hotspot district", kJudgement),
    JD_INT(hotspot_neighbours, 3, 0, 20, "areas", "nearest districts of a hotspot that are raised too", kJudgement),
    JD_NUM(hotspot_neighbour_multiplier, 2, 1, 50, "areas", "rate multiplier in a hotspot's neighbours", kJudgement),
    // Offending groups
    JD_NUM(offenders_mean, 5, 2, 15, "groups", "mean offenders per group (2 + negative binomial, capped at 15)",
           "Home Office 2020 (groups of varying size; most small); judgement"),
    JD_NUM(offenders_size, 2, 0.1, 100, "groups", "negative-binomial size (dispersion) of offenders per group",
           kJudgement),
    JD_NUM(multi_area_share, 0.25, 0, 1, "groups", "share of groups operating across 2-4 neighbouring districts",
           kJudgement),
    JD_NUM(group_duration_median_days, 540, 30, 3650, "groups", "median active period of a group (lognormal)",
           kJudgement),
    JD_NUM(group_duration_log_sd, 0.8, 0, 3, "groups", "log sd of a group's active period", kJudgement),
    JD_NUM(victims_mean, 5, 1, 100, "groups", "mean victims per group (negative binomial, at least 1)", kJudgement),
    JD_NUM(victims_size, 1.5, 0.1, 100, "groups", "negative-binomial size (dispersion) of victims per group",
           kJudgement),
    // Victims
    JD_NUM(female_share, 0.70, 0, 1, "victims", "share of victims who are female",
           "order of magnitude: Children's Commissioner 2012, Home Office 2020 (most identified victims girls)"),
    JD_NUM(age_mode, 14, 10, 17, "victims", "mode of age at start (discretised normal on 10..17)",
           "Children's Commissioner 2012 (peak age 14-15); judgement"),
    JD_NUM(age_spread, 1.6, 0.5, 10, "victims", "spread (sd, years) of age at start around the mode", kJudgement),
    JD_NUM(duration_median_days, 240, 7, 2000, "victims", "median length of a victim's exploitation (lognormal)",
           kJudgement),
    JD_NUM(duration_log_sd, 0.9, 0, 3, "victims", "log sd of the length of exploitation", kJudgement),
    JD_NUM(second_group_share, 0.05, 0, 1, "victims", "share of victims also exploited by a second nearby group",
           kJudgement),
    JD_NUM(move_share, 0.15, 0, 1, "victims", "share of victims who move house part-way (new postcode)", kJudgement),
    JD_NUM(move_other_district_share, 0.4, 0, 1, "victims", "share of moves that go to a neighbouring district",
           kJudgement),
    JD_NUM(offences_mean, 6, 1, 200, "victims", "mean offences per victim (1 + negative binomial)", kJudgement),
    JD_NUM(offences_size, 1, 0.1, 100, "victims", "negative-binomial size of offences per victim", kJudgement),
    // Offenders
    JD_NUM(offender_female_share, 0.08, 0, 1, "offenders", "share of offenders who are women",
           "Home Office 2020 (offenders mostly male, some women); judgement"),
    JD_NUM(offender_age_mean, 30, 18, 60, "offenders", "mean offender age at the group's start (18 + gamma)",
           "Home Office 2020 (mostly adults under 30 at offending); judgement"),
    JD_NUM(offender_age_sd, 8, 1, 20, "offenders", "sd of offender age", kJudgement),
    JD_NUM(offender_street_name_share, 0.4, 0, 1, "offenders", "share of offenders with a street name", kJudgement),
    JD_NUM(offender_alias_share, 0.2, 0, 1, "offenders", "share of offenders with an alias (another given name)",
           kJudgement),
    // Recording
    JD_NUM(visibility_sd, 1.2, 0, 5, "recording",
           "sd of the latent visibility added to every source's logit (heterogeneity)", kJudgement),
    JD_NUM(police_logit, -1.5, -10, 10, "recording", "base logit of police recording a victim", kCalib),
    JD_NUM(children_services_logit, -1.0, -10, 10, "recording", "base logit of children's services recording a victim",
           kCalib),
    JD_NUM(health_logit, -2.0, -10, 10, "recording", "base logit of health recording a victim (roughly independent)",
           kCalib),
    JD_NUM(nrm_logit, -4.0, -10, 10, "recording", "base logit of an NRM referral", kCalib),
    JD_NUM(charity_logit, -2.6, -10, 10, "recording", "base logit of a charity recording a victim", kCalib),
    JD_NUM(cs_to_police_log_odds, 1.0, -5, 5, "recording",
           "log odds ratio: known to children's services -> police (direct dependence)", kJudgement),
    JD_NUM(police_to_nrm_log_odds, 2.0, -5, 5, "recording", "log odds ratio: police -> NRM referral",
           "Home Office NRM statistics (child referrals mostly from police and local authorities); judgement"),
    JD_NUM(cs_to_nrm_log_odds, 1.0, -5, 5, "recording", "log odds ratio: children's services -> NRM referral",
           kJudgement),
    JD_NUM(police_repeat_mean, 0.8, 0, 20, "recording", "police records per recorded child = 1 + Poisson(this)",
           kJudgement),
    JD_NUM(children_services_repeat_mean, 1.0, 0, 20, "recording", "children's services records = 1 + Poisson(this)",
           kJudgement),
    JD_NUM(health_repeat_mean, 0.6, 0, 20, "recording", "health records = 1 + Poisson(this)", kJudgement),
    JD_NUM(nrm_repeat_mean, 0.1, 0, 20, "recording", "NRM records = 1 + Poisson(this)", kJudgement),
    JD_NUM(charity_repeat_mean, 0.4, 0, 20, "recording", "charity records = 1 + Poisson(this)", kJudgement),
    JD_NUM(operation_share, 0.5, 0, 1, "recording",
           "share of a group's cases in a force run as an operation (shared case_ref)", kJudgement),
    JD_NUM(crime_ref_share, 0.7, 0, 1, "recording",
           "outside operations: share of victims whose police records carry a crime ref", kJudgement),
    JD_NUM(suspect_record_p, 0.6, 0, 1, "recording",
           "chance an offender of a police-recorded victim is recorded as a suspect in that force case", kJudgement),
    JD_NUM(cs_associate_p, 0.15, 0, 1, "recording",
           "chance children's services record an offender of a child they know", kJudgement),
    JD_NUM(suspect_pnc_share, 0.5, 0, 1, "recording", "share of police suspect records with a PNC id", kJudgement),
    JD_NUM(suspect_dob_missing_rate, 0.4, 0, 1, "recording", "share of suspect/associate records without a DOB",
           kJudgement),
    JD_NUM(suspect_street_name_only_rate, 0.6, 0, 1, "recording",
           "children's services offender records holding only a street name (when one exists)", kJudgement),
    JD_NUM(nhs_health_share, 0.9, 0, 1, "recording", "health records holding the NHS number", kJudgement),
    JD_NUM(nhs_children_services_share, 0.3, 0, 1, "recording", "children's services records holding the NHS number",
           kJudgement),
    JD_NUM(nhs_other_share, 0.03, 0, 1, "recording", "police/NRM/charity victim records holding the NHS number",
           kJudgement),
    JD_NUM(upn_children_services_share, 0.25, 0, 1, "recording", "children's services records holding the UPN",
           kJudgement),
    // Identifier noise
    JD_NUM(typo_rate, 0.03, 0, 1, "noise",
           "per name field: one typo (insert, delete, keyboard-neighbour substitute, transpose)", kChristen),
    JD_NUM(nickname_rate, 0.10, 0, 1, "noise", "given name recorded as a nickname (when the name has one)", kJudgement),
    JD_NUM(other_names_nickname_rate, 0.15, 0, 1, "noise", "a nickname recorded in other_names (when the name has one)",
           kJudgement),
    JD_NUM(surname_change_share, 0.04, 0, 1, "noise",
           "persons whose surname changes part-way (new surname after a date)", kJudgement),
    JD_NUM(surname_change_old_rate, 0.2, 0, 1, "noise", "records after a surname change still holding the old surname",
           kJudgement),
    JD_NUM(double_surname_share, 0.05, 0, 1, "noise", "persons with a hyphenated double surname", kJudgement),
    JD_NUM(double_surname_variant_rate, 0.3, 0, 1, "noise",
           "records of a double surname holding one part or a space for the hyphen", kJudgement),
    JD_NUM(dob_swap_rate, 0.01, 0, 1, "noise", "DOB with day and month swapped (when day <= 12 and differs)",
           kChristen),
    JD_NUM(dob_day_error_rate, 0.01, 0, 1, "noise", "DOB with the day mistyped (a nearby day)", kChristen),
    JD_NUM(dob_partial_rate, 0.05, 0, 1, "noise", "DOB held as year-month (60%) or year only (40%)", kJudgement),
    JD_NUM(dob_missing_rate, 0.05, 0, 1, "noise", "victim records without a DOB", kJudgement),
    JD_NUM(postcode_missing_rate, 0.15, 0, 1, "noise", "records without a postcode", kJudgement),
    JD_NUM(postcode_partial_rate, 0.08, 0, 1, "noise", "records with a partial postcode (district or sector)",
           kJudgement),
    JD_NUM(sex_missing_rate, 0.05, 0, 1, "noise", "records with sex empty or 'unknown'", kJudgement),
    JD_NUM(upper_case_rate, 0.25, 0, 1, "noise", "records with names in capitals (system convention)", kJudgement),
    // Generating mechanisms (issue 11): all off by default; scenario presets switch them on.
    JD_INT(visibility_model, 0, 0, 2, "mechanisms",
           "0: z ~ N(0, visibility_sd^2) on every logit; 1: latent classes (class2_*, class3_*); 2: log-normal "
           "multiplier V (log sd visibility_sd, mean 1), p = 1 - (1 - p0)^V",
           kStudy),
    JD_NUM(class2_share, 0, 0, 1, "mechanisms",
           "visibility_model 1: share of victims in class 2 (class 1, the rest, has shift 0)", kStudy),
    JD_NUM(class2_shift, 0, -10, 10, "mechanisms", "visibility_model 1: logit shift of class 2 on every source",
           kStudy),
    JD_NUM(class3_share, 0, 0, 1, "mechanisms", "visibility_model 1: share of victims in class 3 (0: two classes)",
           kStudy),
    JD_NUM(class3_shift, 0, -10, 10, "mechanisms", "visibility_model 1: logit shift of class 3 on every source",
           kStudy),
    JD_NUM(behavioural_response_log_odds, 0, -5, 5, "mechanisms",
           "behavioural response: added to each source's logit when the child is already on an earlier list "
           "(model order); > 0 raises, < 0 lowers",
           kStudy),
    JD_NUM(cs_to_charity_log_odds, 0, -5, 10, "mechanisms",
           "log odds ratio: children's services -> charity (a referral chain when large and charity_logit low)",
           kStudy),
    JD_NUM(police_to_health_log_odds, 0, -5, 5, "mechanisms",
           "log odds ratio: police -> health (< 0: negative dependence)", kStudy),
    JD_NUM(list_period_share, 1, 0.05, 1, "mechanisms",
           "open population: health covers the first, charities the last, this share of the window; their chance of "
           "recording a child is multiplied by the share of the child's exploitation inside it",
           kStudy),
    JD_NUM(duplicate_rate, 0, 0, 1, "mechanisms",
           "share of victim records entered twice by the same organisation (same event, identifiers noised again)",
           kStudy),
};

#undef JD_NUM
#undef JD_INT
#undef JD_DATE

Date parse_default_date(std::string_view text) {
  auto d = Date::parse_full(text);
  if (!d) throw InternalError(fmt::format("simulate: bad default date '{}'", text));
  return *d;
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

std::span<const ParamSpec> param_specs() { return kSpecs; }

const ParamSpec* find_param(std::string_view name) {
  for (const auto& spec : kSpecs)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::string param_names() {
  std::string out;
  for (const auto& spec : kSpecs) {
    if (!out.empty()) out += ", ";
    out += spec.name;
  }
  return out;
}

SimConfig SimConfig::defaults() {
  SimConfig config{};
  for (const auto& spec : kSpecs) {
    if (spec.kind == ParamKind::Date)
      config.*(spec.date) = parse_default_date(spec.default_date);
    else
      config.*(spec.number) = spec.default_value;
  }
  return config;
}

static const ParamSpec& require_param(std::string_view name) {
  const ParamSpec* spec = find_param(name);
  if (!spec)
    throw UsageError(fmt::format("unknown simulator parameter '{}'; valid parameters are: {}", name, param_names()));
  return *spec;
}

static void check_bounds(const ParamSpec& spec, double value) {
  if (!std::isfinite(value) || value < spec.lo || value > spec.hi)
    throw UsageError(fmt::format("simulator parameter '{}' = {} is out of bounds [{}, {}]", spec.name,
                                 value, format_number(spec.lo), format_number(spec.hi)));
  if (spec.kind == ParamKind::Integer && value != std::floor(value))
    throw UsageError(fmt::format("simulator parameter '{}' = {} must be a whole number", spec.name, value));
}

void set_param(SimConfig& config, std::string_view name, double value) {
  const ParamSpec& spec = require_param(name);
  if (spec.kind == ParamKind::Date)
    throw UsageError(fmt::format("simulator parameter '{}' is a date (YYYY-MM-DD), not a number", name));
  check_bounds(spec, value);
  config.*(spec.number) = value;
}

void set_param(SimConfig& config, std::string_view name, const Date& value) {
  const ParamSpec& spec = require_param(name);
  if (spec.kind != ParamKind::Date)
    throw UsageError(fmt::format("simulator parameter '{}' is a number, not a date", name));
  if (!value.is_full() || value.year < 1990 || value.year > 2100)
    throw UsageError(fmt::format("simulator parameter '{}' = {} must be a full date between 1990 and 2100",
                                 name, value.str()));
  config.*(spec.date) = value;
}

bool mechanisms_on(const SimConfig& config) {
  for (const auto& spec : kSpecs)
    if (spec.group == "mechanisms" && config.*(spec.number) != spec.default_value) return true;
  return false;
}

void validate(const SimConfig& config) {
  for (const auto& spec : kSpecs)
    if (spec.kind != ParamKind::Date) check_bounds(spec, config.*(spec.number));
  if (config.class2_share + config.class3_share > 1)
    throw UsageError(fmt::format(
        "simulator parameter 'class3_share' = {}: class2_share + class3_share must not exceed 1", config.class3_share));
  if (!(config.study_start < config.study_end))
    throw UsageError(fmt::format("simulator parameter 'study_end' = {} must be after study_start = {}",
                                 config.study_end.str(), config.study_start.str()));
  if (config.reference_date < config.study_end)
    throw UsageError(fmt::format("simulator parameter 'reference_date' = {} must not be before study_end = {}",
                                 config.reference_date.str(), config.study_end.str()));
  if (config.study_end.days() - config.study_start.days() < 60)
    throw UsageError("simulator parameter 'study_end' must be at least 60 days after study_start");
}

namespace {

void apply_toml_value(SimConfig& config, const std::string& key, const toml::node& node,
                      std::string_view source_name) {
  const ParamSpec& spec = require_param(key);
  if (spec.kind == ParamKind::Date) {
    Date d;
    if (auto td = node.as_date()) {
      const toml::date v = td->get();
      d = Date{v.year, v.month, v.day};
    } else if (auto ts = node.as_string()) {
      std::string why;
      auto parsed = Date::parse_full(ts->get(), &why);
      if (!parsed) throw UsageError(fmt::format("{}: '{}': {}", source_name, key, why));
      d = *parsed;
    } else {
      throw UsageError(fmt::format("{}: '{}' must be a date (YYYY-MM-DD)", source_name, key));
    }
    set_param(config, key, d);
    return;
  }
  double v;
  if (auto i = node.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (auto f = node.as_floating_point()) {
    v = f->get();
  } else {
    throw UsageError(fmt::format("{}: '{}' must be a number", source_name, key));
  }
  set_param(config, key, v);
}

}  // namespace

SimConfig parse_config(std::string_view toml_text, std::string_view source_name, const SimConfig* base) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    throw UsageError(fmt::format("{}: {} (at {})", source_name, e.description(), where.str()));
  }
  SimConfig config = base ? *base : SimConfig::defaults();
  for (const auto& [key, node] : table) {
    if (const auto* sub = node.as_table()) {
      for (const auto& [inner_key, inner] : *sub) {
        if (inner.is_table())
          throw UsageError(fmt::format("{}: nested table '{}.{}' is not allowed; valid parameters are: {}",
                                       source_name, key.str(), inner_key.str(), param_names()));
        apply_toml_value(config, std::string(inner_key.str()), inner, source_name);
      }
    } else {
      apply_toml_value(config, std::string(key.str()), node, source_name);
    }
  }
  validate(config);
  return config;
}

SimConfig load_config(const std::filesystem::path& toml_file, const SimConfig* base) {
  std::FILE* f = std::fopen(toml_file.c_str(), "rb");
  if (!f) throw UsageError(fmt::format("{}: cannot open the simulator configuration", toml_file.string()));
  std::string text;
  char buf[1 << 14];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return parse_config(text, toml_file.string(), base);
}

std::string params_markdown() {
  std::string out;
  std::string_view group;
  for (const auto& spec : kSpecs) {
    if (spec.group != group) {
      group = spec.group;
      out += fmt::format("\n**{}**\n\n| parameter | default | bounds | description | source |\n|---|---|---|---|---|\n",
                         group);
    }
    const std::string def =
        spec.kind == ParamKind::Date ? std::string(spec.default_date) : format_number(spec.default_value);
    const std::string bounds = spec.kind == ParamKind::Date
                                   ? std::string("date")
                                   : fmt::format("[{}, {}]", format_number(spec.lo), format_number(spec.hi));
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.name, def, bounds, spec.description, spec.source);
  }
  return out;
}

nlohmann::ordered_json config_to_json(const SimConfig& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& spec : kSpecs) {
    const std::string name(spec.name);
    if (spec.group == "mechanisms" && config.*(spec.number) == spec.default_value) continue;
    if (spec.kind == ParamKind::Date)
      out[name] = (config.*(spec.date)).str();
    else if (spec.kind == ParamKind::Integer)
      out[name] = static_cast<long long>(config.*(spec.number));
    else
      out[name] = config.*(spec.number);
  }
  return out;
}

}  // namespace joindots::simulate
