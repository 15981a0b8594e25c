// FourAnswers as JSON and back: the one place that knows the keys of an estimate run's
// summary (the `runs` table) and of `joindots estimate --db --json`. from_json reads what
// to_json writes (the round trip is tested), so the report builds its bundle from the types.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "questions/four_questions.hpp"

namespace joindots::questions {

namespace {

using Json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Json interval_json(const estimate::Interval& i) {
  if (std::isnan(i.low) || std::isnan(i.high)) return nullptr;
  return Json::array({i.low, i.high});
}

/// The key's value, or an InternalError naming the key: a summary this code did not write.
const Json& at(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key))
    throw InternalError(fmt::format("an estimate run's summary has no '{}' (written by another version?)", key));
  return j.at(key);
}

/// The inverse of estimate::pattern_string: list j recorded the pattern when character j is '1'.
std::uint32_t pattern_bits(const std::string& pattern) {
  std::uint32_t bits = 0;
  for (std::size_t j = 0; j < pattern.size(); ++j)
    if (pattern[j] == '1') bits |= 1u << j;
  return bits;
}

double number_or_nan(const Json& j) { return j.is_null() ? kNaN : j.get<double>(); }

/// [low, high], or null or [null, null] for no interval (NaN bounds); one null bound (an
/// infinite one, as JSON writes it) reads back as infinite.
estimate::Interval interval_from(const Json& j, double level = 0.95, std::string kind = {}) {
  estimate::Interval i;
  i.level = level;
  i.kind = std::move(kind);
  if (j.is_array() && j.size() == 2 && !(j[0].is_null() && j[1].is_null())) {
    i.low = j[0].is_null() ? -std::numeric_limits<double>::infinity() : j[0].get<double>();
    i.high = j[1].is_null() ? std::numeric_limits<double>::infinity() : j[1].get<double>();
  }
  return i;
}

/// weak_headline: true and its reason when the figure is weak (auto's headline on a sparse
/// table), absent otherwise, as estimate::to_json writes them.
void put_weak(Json& j, const std::string& weak) {
  if (weak.empty()) return;
  j["weak_headline"] = true;
  j["weak_headline_reason"] = weak;
}

/// The reason, or "" when the figure is not weak (or the summary predates the flag).
std::string weak_from(const Json& j) {
  if (!j.contains("weak_headline") || !j.at("weak_headline").get<bool>()) return {};
  return at(j, "weak_headline_reason").get<std::string>();
}

Json answer_json(const Answer& a) {
  Json j;
  j["known"] = a.known;
  j["estimate"] = std::isnan(a.estimate) ? Json(nullptr) : Json(a.estimate);
  j["interval"] = interval_json(a.interval);
  j["method"] = a.method;
  j["assumption"] = a.assumption;
  j["why"] = a.why;
  if (!a.caution.empty()) j["caution"] = a.caution;
  put_weak(j, a.weak_headline);
  return j;
}

Answer answer_from(const Json& j) {
  Answer a;
  a.known = at(j, "known").get<std::int64_t>();
  a.estimate = number_or_nan(at(j, "estimate"));
  a.interval = interval_from(at(j, "interval"));
  a.method = at(j, "method").get<std::string>();
  a.assumption = at(j, "assumption").get<std::string>();
  a.why = at(j, "why").get<std::string>();
  a.caution = j.value("caution", "");  // runs saved before it have none
  a.weak_headline = weak_from(j);
  return a;
}

Json stratum_json(const StratumEstimate& s) {
  Json e;
  e["dimension"] = s.dimension;
  e["value"] = s.value;
  e["observed"] = s.observed;
  e["estimate"] = s.estimate ? Json(*s.estimate) : Json(nullptr);
  e["interval"] = s.estimate ? interval_json(s.interval) : Json(nullptr);
  e["method"] = s.method;
  e["flag"] = s.flag;
  put_weak(e, s.weak_headline);
  if (s.linkage) e["linkage_draws"] = s.linkage->to_json();
  if (!s.model_based) {
    e["model_based"] = nullptr;
    return e;
  }
  e["model_based"] = {{"estimate", *s.model_based},
                      {"interval", interval_json(s.model_based_interval)},
                      {"ratio", s.ratio},
                      {"ratio_interval", {s.ratio_low, s.ratio_high}},
                      {"parent", s.model_based_parent},
                      {"basis", model_based_basis(s)}};
  return e;
}

StratumEstimate stratum_from(const Json& j) {
  StratumEstimate s;
  s.dimension = at(j, "dimension").get<std::string>();
  s.value = at(j, "value").get<std::string>();
  s.observed = at(j, "observed").get<std::int64_t>();
  if (!at(j, "estimate").is_null()) s.estimate = j.at("estimate").get<double>();
  s.interval = interval_from(at(j, "interval"));
  s.method = at(j, "method").get<std::string>();
  s.flag = at(j, "flag").get<std::string>();
  s.weak_headline = weak_from(j);
  if (j.contains("linkage_draws")) s.linkage = GroupLinkage::from_json(j.at("linkage_draws"));
  const auto& mb = at(j, "model_based");
  if (mb.is_null()) return s;
  s.model_based = at(mb, "estimate").get<double>();
  s.model_based_interval = interval_from(at(mb, "interval"));
  s.ratio = at(mb, "ratio").get<double>();
  s.ratio_low = at(mb, "ratio_interval")[0].get<double>();
  s.ratio_high = at(mb, "ratio_interval")[1].get<double>();
  s.model_based_parent = at(mb, "parent").get<std::string>();
  return s;
}

LinkageUncertainty linkage_from(const Json& j) {
  LinkageUncertainty u;
  u.draws = at(j, "draws").get<int>();
  u.draw_method = at(j, "draw_method").get<std::string>();
  u.combined.estimate = number_or_nan(at(j, "estimate"));
  u.combined.interval = interval_from(at(j, "interval"));
  u.model_estimate = number_or_nan(at(j, "model_estimate"));
  u.model_interval = interval_from(at(j, "model_interval"));
  u.reproduces_link = at(j, "reproduces_link").get<bool>();
  u.combined.linkage_share = at(j, "linkage_share_of_width").get<double>();
  u.combined.between_sd_log = at(j, "between_draw_sd_log").get<double>();
  for (const auto& e : at(j, "draw_estimates")) u.draw_estimates.push_back(number_or_nan(e));
  const auto& persons = at(j, "persons");
  u.link_persons = at(persons, "link").get<std::int64_t>();
  u.recluster_persons = at(persons, "recluster_at_threshold").get<std::int64_t>();
  u.mean_draw_persons = at(persons, "draws_mean").get<double>();
  const auto& errors = at(j, "expected_errors");
  u.expected.false_links = at(errors, "false_links").get<double>();
  u.expected.false_non_links = at(errors, "false_non_links").get<double>();
  u.expected.uncertain_pairs = at(errors, "uncertain_pairs").get<std::int64_t>();
  const auto& table = at(j, "mean_capture_table");
  if (!table.empty()) {
    const auto k = at(table[0], "pattern").get<std::string>().size();
    u.mean_counts.assign(std::size_t{1} << k, 0.0);
    for (const auto& row : table)
      u.mean_counts[pattern_bits(at(row, "pattern").get<std::string>())] = at(row, "mean").get<double>();
  }
  u.seconds = at(j, "seconds").get<double>();
  if (j.contains("unseen_links")) u.unseen_links = UnseenLinksSummary::from_json(j.at("unseen_links"));
  return u;
}

}  // namespace

std::string model_based_basis(const StratumEstimate& s) {
  return fmt::format("model-based: the {} ratio of estimated to known victims ({:.2f}) applied to this stratum's "
                     "known count; assumes it misses the same share, and its interval leaves out local variation",
                     s.model_based_parent, s.ratio);
}

Json FourAnswers::to_json() const {
  Json j;
  j["reference_date"] = reference_date.str();
  j["link_run"] = link_run;
  j["lists"] = lists;
  j["victims"] = answer_json(victims);
  j["victims"]["cautions"] = cautions;
  j["areas"] = answer_json(areas);
  j["areas"]["chao2"] = areas_chao2;
  j["offences"] = answer_json(offences);
  j["still_involved"] = answer_json(still_involved);
  j["still_involved"]["age_unknown"] = still_involved_age_unknown;
  if (still_involved_linkage) j["still_involved"]["linkage_draws"] = still_involved_linkage->to_json();
  j["diagnostics"] = Json::array();
  j["diagnostics_public"] = Json::array();
  for (const auto& d : diagnostics) {
    j["diagnostics"].push_back(d.text);
    j["diagnostics_public"].push_back(d.public_text);
  }
  Json strata_json = Json::array();
  for (const auto& s : strata) strata_json.push_back(stratum_json(s));
  j["strata"] = std::move(strata_json);
  j["linkage"] = linkage ? linkage->to_json() : Json(nullptr);
  j["threshold_curve"] = threshold_curve_json(threshold_curve);
  j["victims_methods"] = estimate::to_json(victims_detail);
  // The overlap of the lists (for an UpSet chart): one row per observed pattern, the
  // pattern as 0/1 in list order.
  Json overlap = Json::array();
  for (std::uint32_t pattern = 1; pattern < victims_pattern_counts.size(); ++pattern)
    if (victims_pattern_counts[pattern] > 0)
      overlap.push_back({{"pattern", estimate::pattern_string(pattern, static_cast<int>(lists.size()))},
                         {"count", victims_pattern_counts[pattern]}});
  j["capture_table"] = std::move(overlap);
  return j;
}

FourAnswers FourAnswers::from_json(const Json& j) {
  FourAnswers a;
  std::string why;
  const auto date = Date::parse_full(at(j, "reference_date").get<std::string>(), &why);
  if (!date) throw InternalError("an estimate run's summary: reference_date: " + why);
  a.reference_date = *date;
  a.link_run = at(j, "link_run").get<std::int64_t>();
  a.lists = at(j, "lists").get<std::vector<std::string>>();
  a.victims = answer_from(at(j, "victims"));
  a.cautions = at(j.at("victims"), "cautions").get<std::vector<std::string>>();
  a.areas = answer_from(at(j, "areas"));
  a.areas_chao2 = at(j.at("areas"), "chao2").get<double>();
  a.offences = answer_from(at(j, "offences"));
  a.still_involved = answer_from(at(j, "still_involved"));
  a.still_involved_age_unknown = at(j.at("still_involved"), "age_unknown").get<std::int64_t>();
  if (j.at("still_involved").contains("linkage_draws"))
    a.still_involved_linkage = GroupLinkage::from_json(j.at("still_involved").at("linkage_draws"));
  const auto& texts = at(j, "diagnostics");
  const auto& public_texts = at(j, "diagnostics_public");
  if (texts.size() != public_texts.size())
    throw InternalError("an estimate run's summary: diagnostics and diagnostics_public differ in length");
  for (std::size_t i = 0; i < texts.size(); ++i)
    a.diagnostics.push_back({texts[i].get<std::string>(), public_texts[i].get<std::string>()});
  for (const auto& s : at(j, "strata")) a.strata.push_back(stratum_from(s));
  if (!at(j, "linkage").is_null()) a.linkage = linkage_from(j.at("linkage"));
  for (const auto& p : at(j, "threshold_curve"))
    a.threshold_curve.push_back({at(p, "threshold").get<double>(), at(p, "persons").get<std::int64_t>(),
                                 number_or_nan(at(p, "estimate")), interval_from(at(p, "interval"))});
  a.victims_detail = estimate_result_from_json(at(j, "victims_methods"));
  a.victims_pattern_counts.assign(std::size_t{1} << a.lists.size(), 0);
  for (const auto& row : at(j, "capture_table"))
    a.victims_pattern_counts[pattern_bits(at(row, "pattern").get<std::string>())] =
        at(row, "count").get<std::int64_t>();
  return a;
}

estimate::EstimateResult estimate_result_from_json(const Json& j) {
  estimate::EstimateResult r;
  r.observed = at(j, "observed").get<std::int64_t>();
  r.estimate = number_or_nan(at(j, "estimate"));
  const double level = at(j, "level").get<double>();
  r.interval = interval_from(at(j, "interval"), level, at(j, "interval_kind").get<std::string>());
  r.method = at(j, "method").get<std::string>();
  r.headline = at(j, "headline_method").get<std::string>();
  r.interval_method = at(j, "interval_method").get<std::string>();
  r.weak_headline = weak_from(j);
  r.lists = at(j, "lists").get<std::vector<std::string>>();
  if (j.contains("covariates")) r.covariates = j.at("covariates").get<std::vector<std::string>>();
  for (const auto& [name, e] : at(j, "methods").items()) {
    estimate::MethodEstimate m;
    m.method = name;
    m.estimate = number_or_nan(at(e, "estimate"));
    m.interval = interval_from(at(e, "interval"), level, at(e, "interval_kind").get<std::string>());
    // The details keep the estimate, interval and interval_kind beside them: to_json writes
    // those in place, so the keys keep their order.
    m.details = e;
    r.methods.push_back(std::move(m));
  }
  if (j.contains("lack_of_fit")) {
    const auto& f = j.at("lack_of_fit");
    r.lack_of_fit = estimate::LackOfFit{};
    r.lack_of_fit->deviance = at(f, "deviance").get<double>();
    r.lack_of_fit->df = at(f, "df").get<int>();
    r.lack_of_fit->p_value = at(f, "p_value").get<double>();
    r.lack_of_fit->c_hat = at(f, "c_hat").get<double>();
    r.lack_of_fit->factor = at(f, "factor").get<double>();
    r.interval_before_lack_of_fit = interval_from(at(f, "interval_before"), level);
  }
  r.notes = at(j, "notes").get<std::vector<std::string>>();
  return r;
}

}  // namespace joindots::questions
