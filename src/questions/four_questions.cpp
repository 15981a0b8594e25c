#include "questions/four_questions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/record.hpp"
#include "estimate/areas_affected.hpp"
#include "questions/caution.hpp"
#include "questions/linkage_subgroups.hpp"
#include "questions/persons.hpp"
#include "estimate/loglinear.hpp"

namespace joindots::questions {

namespace {

// The flag of a stratum whose estimate or interval is not finite.
constexpr const char* kUnbounded =
    "not estimable: no finite estimate or 95% interval (the lists cannot bound the number unseen)";

/// Options for a table of which only the headline is kept (the strata, the children still
/// involved): auto computes nothing beside it, and its headline with the heterogeneity terms
/// (the tail-area interval) does not use the bootstrap. The victims' table keeps every
/// method, for the report's comparison.
estimate::EstimateOptions headline_options(estimate::EstimateOptions o) {
  o.headline_only = true;
  if (o.method == estimate::Method::Auto && !o.heterogeneity.empty()) o.bootstrap_replicates = 0;
  return o;
}

/// Why a table is too sparse for MSE, or empty when it is not.
std::string sparse_reason(const estimate::CaptureTable& t, const QuestionsOptions& opt) {
  if (t.observed() < opt.min_observed)
    return fmt::format("too sparse: {} known persons (fewer than {})", t.observed(), opt.min_observed);
  for (int j = 0; j < t.k(); ++j)
    if (t.list_total(j) < opt.min_list_total)
      return fmt::format("too sparse: {} recorded only {} (fewer than {})", t.lists[static_cast<std::size_t>(j)],
                         t.list_total(j), opt.min_list_total);
  return {};
}

/// One stratum: "not recorded" shown, not estimated; else estimated unless too sparse or
/// unbounded (flagged with the reason).
StratumEstimate estimate_stratum(const std::string& dim, const std::string& value,
                                 const std::vector<const PersonRow*>& members, const std::vector<std::string>& lists,
                                 const estimate::EstimateOptions& options, const QuestionsOptions& opt,
                                 TableEstimator* refit = nullptr) {
  StratumEstimate s;
  s.dimension = dim;
  s.value = value.empty() ? "not recorded" : value;
  s.observed = static_cast<std::int64_t>(members.size());
  if (value.empty()) {
    s.flag = "not recorded: shown so the unrecorded share is visible, not estimated";
    return s;
  }
  const auto t = table_of(members, lists);
  s.flag = sparse_reason(t, opt);
  if (!s.flag.empty()) return s;
  try {
    const auto r = estimate::estimate_all(t, options);
    if (std::isfinite(r.estimate) && std::isfinite(r.interval.low) && std::isfinite(r.interval.high)) {
      s.estimate = r.estimate;
      s.interval = r.interval;
      s.method = r.method;
      s.weak_headline = r.weak_headline;
      if (refit) *refit = refit_of(r, t.k());
    } else {
      s.flag = kUnbounded;
    }
  } catch (const UsageError& e) {
    s.flag = std::string("not estimable: ") + e.what();
  }
  return s;
}

/// Says why an answer has no estimate, or an empty one: `none_known` when no one is known,
/// else the method's own reason (too sparse, not estimable).
void explain_empty(Answer& a, const std::string& none_known) {
  if (a.known == 0) a.why = none_known;
  else if (!std::isfinite(a.estimate)) a.why = "not estimated: " + a.method;
  else if (!std::isfinite(a.interval.low) || !std::isfinite(a.interval.high))
    a.why = "the interval is unbounded: " + a.method;
}

}  // namespace

const std::vector<std::string>& stratum_dimensions() {
  static const std::vector<std::string> kDims = {"region", "pfa", "year", "age_band", "sex"};
  return kDims;
}

namespace {

/// A parent's estimated-to-known ratio, with the ratio's interval.
struct Ratio {
  double value = 0, low = 0, high = 0;
};
std::optional<Ratio> ratio_of(std::int64_t known, double estimate, const estimate::Interval& iv) {
  if (known <= 0 || !std::isfinite(estimate) || !std::isfinite(iv.low) || !std::isfinite(iv.high)) return std::nullopt;
  const double k = static_cast<double>(known);
  return Ratio{estimate / k, iv.low / k, iv.high / k};
}

/// Model-based figures for the strata where MSE is not reliable (see StratumEstimate). A
/// police force area takes its region's ratio (estimated here if regions were not asked
/// for); every other stratum, or a force area whose region has no usable estimate, the
/// national one.
void add_model_based(FourAnswers& out, const std::vector<PersonRow>& persons, const AreaTable& areas,
                     const estimate::EstimateOptions& stratum_options, const QuestionsOptions& opt) {
  constexpr double kTooWide = 10.0;  // interval high / low beyond which MSE is not used
  auto needs = [&](const StratumEstimate& s) {
    if (s.value == "not recorded") return false;
    if (!s.estimate) return s.flag.starts_with("too sparse") || s.flag == kUnbounded;
    return s.interval.low > 0 && s.interval.high / s.interval.low > kTooWide;
  };
  if (std::none_of(out.strata.begin(), out.strata.end(), needs)) return;
  const auto national = ratio_of(out.victims.known, out.victims.estimate, out.victims.interval);

  // Regions: from the strata when estimated there, else estimated now (only those holding a
  // force area that needs one).
  std::map<std::string, std::string> region_of_pfa;
  std::set<std::string> mixed;
  for (const auto& a : areas.all()) {
    auto [it, fresh] = region_of_pfa.emplace(a.pfa_name, a.region_name);
    if (!fresh && it->second != a.region_name) mixed.insert(a.pfa_name);
  }
  std::map<std::string, std::optional<Ratio>> region_ratio;
  for (const auto& s : out.strata)
    if (s.dimension == "region")  // estimated or flagged there: not estimated again
      region_ratio[s.value] = s.estimate ? ratio_of(s.observed, *s.estimate, s.interval) : std::nullopt;
  std::set<std::string> regions_needed;
  for (const auto& s : out.strata)
    if (s.dimension == "pfa" && needs(s) && region_of_pfa.contains(s.value) && !mixed.contains(s.value) &&
        !region_ratio.contains(region_of_pfa[s.value]))
      regions_needed.insert(region_of_pfa[s.value]);
  for (const auto& region : regions_needed) {
    std::vector<const PersonRow*> members;
    for (const auto& p : persons)
      if (stratum_of(p, "region", areas) == region) members.push_back(&p);
    const auto e = estimate_stratum("region", region, members, out.lists, stratum_options, opt);
    region_ratio[region] = e.estimate ? ratio_of(e.observed, *e.estimate, e.interval) : std::nullopt;
  }

  for (auto& s : out.strata) {
    if (!needs(s)) continue;
    std::optional<Ratio> r;
    std::string parent;
    if (s.dimension == "pfa" && region_of_pfa.contains(s.value) && !mixed.contains(s.value)) {
      const auto& region = region_of_pfa[s.value];
      if (auto it = region_ratio.find(region);
          it != region_ratio.end() && it->second && it->second->high / it->second->low <= kTooWide) {
        r = it->second;
        parent = "region " + region;
      }
    }
    if (!r && national) {
      r = national;
      parent = "national";
    }
    if (!r) continue;
    const double k = static_cast<double>(s.observed);
    s.model_based = k * r->value;
    s.model_based_interval = {k * r->low, k * r->high, out.victims.interval.level,
                              fmt::format("the {} estimated-to-known ratio's interval, times the known count", parent)};
    s.ratio = r->value;
    s.ratio_low = r->low;
    s.ratio_high = r->high;
    s.model_based_parent = parent;
  }
}

/// The estimator each linkage draw and threshold applies to the victims' table: the
/// headline method, headline only (`all` re-estimates only auto's headline).
TableEstimator headline_estimator(const QuestionsOptions& opt) {
  auto base = opt.estimate;
  if (base.method == estimate::Method::All) base.method = estimate::Method::Auto;
  const auto o = headline_options(base);
  return [o](const estimate::CaptureTable& t) {
    try {
      const auto r = estimate::estimate_all(t, o);
      return std::pair{r.estimate, r.interval};
    } catch (const UsageError&) {
      return std::pair{std::nan(""), estimate::Interval{}};
    }
  };
}

/// The linkage draws and the threshold curve for the victims (linkage_draws.hpp); the
/// victims' answer becomes the draws' corrected centre and combined interval. Returns the
/// linkage input (for the groups' draws), or nothing when neither was asked for.
std::optional<LinkageInput> add_linkage_uncertainty(FourAnswers& out, Store& store, const QuestionsOptions& opt) {
  if (opt.linkage_draws <= 0 && opt.thresholds.empty()) return std::nullopt;
  if (!std::isfinite(out.victims.estimate)) return std::nullopt;
  const TableEstimator estimator = headline_estimator(opt);
  auto input = read_linkage_input(store, out.link_run, Role::victim, out.lists);
  if (!opt.thresholds.empty()) out.threshold_curve = threshold_curve(input, opt.thresholds, estimator, opt.quiet);
  if (opt.linkage_draws <= 0) return input;
  // Each draw refits the headline's log-linear model (chosen on the link's table) rather than
  // searching again: a search per draw costs about as much as the whole estimate, and the
  // model interval already carries the choice of model.
  std::string draw_method;
  TableEstimator draw_estimator = refit_of(out.victims_detail, static_cast<int>(out.lists.size()), &draw_method);
  if (!draw_estimator) {
    draw_estimator = estimator;
    draw_method = "the headline method (headline only, no bootstrap)";
  }
  out.linkage = linkage_uncertainty(input, out.victims.estimate, out.victims.interval, opt.linkage_draws,
                                    opt.estimate.seed, draw_estimator, opt.quiet, opt.unseen_links, estimator);
  out.linkage->draw_method = draw_method;
  out.victims.estimate = out.linkage->combined.estimate;
  out.victims.interval = out.linkage->combined.interval;
  out.victims.method += fmt::format(", corrected and widened for linkage error by {} draws of the linkage",
                                    opt.linkage_draws);
  if (const auto& unseen = out.linkage->unseen_links; unseen.applied && unseen.source == "latent_class")
    out.victims.method += fmt::format(
        " and for the true links it left apart that no draw re-links ({:.2f}% of the matches a latent-class model "
        "implies among the record pairs within an area, drawn per draw)",
        100 * unseen.missed_rate);
  else if (unseen.applied)
    out.victims.method += fmt::format(
        " and for the links blocking never compared ({} of {} high-agreement sample pairs never compared and left "
        "apart, drawn per draw)",
        unseen.split_apart, unseen.split_sample);
  out.victims.assumption =
      "Multiple systems estimation over the source types: a closed population over the period, match "
      "probabilities of the record linkage that are right on average, and list dependence captured by the model "
      "chosen.";
  return input;
}

/// The reference date ("now" for the children still involved) and what makes it doubtful.
void set_reference_date(FourAnswers& out, Store& store, const QuestionsOptions& opt) {
  // Never past the latest plausible record (a date after its file's delivery is never
  // used), so one mistyped year cannot move "now" and empty an answer.
  const auto latest = store.latest_record_date(Role::victim);
  if (!latest.date) throw UsageError("the store has no victim records with a plausible date");
  out.reference_date = opt.reference_date.value_or(*latest.date);
  if (latest.ignored) {
    const std::string what = "dated after their file's delivery date (the day it was ingested) were left out of the "
                             "reference date; the store was filled before such dates were rejected";
    out.diagnostics.push_back({fmt::format("{} victim record(s) {}", latest.ignored, what), "victim records " + what});
  }
  if (out.reference_date > *latest.date) {
    const auto text = fmt::format("the reference date {} is after the latest victim record ({}): no record after {} "
                                  "is known, so children still involved are undercounted",
                                  out.reference_date.str(), latest.date->str(), latest.date->str());
    out.diagnostics.push_back({text, text});
  }
}

/// 1. Victims: every method on the link's persons' table.
void answer_victims(FourAnswers& out, const std::vector<PersonRow>& persons, const QuestionsOptions& opt) {
  std::vector<const PersonRow*> all;
  for (const auto& p : persons) all.push_back(&p);
  const auto table = table_of(all, out.lists);
  out.victims_pattern_counts = table.counts;
  out.victims_detail = estimate::estimate_all(table, opt.estimate);
  out.victims.known = table.observed();
  out.victims.estimate = out.victims_detail.estimate;
  out.victims.interval = out.victims_detail.interval;
  out.victims.method = out.victims_detail.method;
  out.victims.weak_headline = out.victims_detail.weak_headline;
  out.victims.assumption =
      "Multiple systems estimation over the source types: a closed population over the period, records linked "
      "correctly, and list dependence captured by the model chosen.";
}

/// 2. Areas affected, from the victims' estimate and interval.
void answer_areas(FourAnswers& out, const std::vector<PersonRow>& persons, const AreaTable& areas) {
  const double n = static_cast<double>(out.victims.known);
  std::map<std::string, std::uint32_t> lists_by_area;  // area -> lists that recorded a victim there
  std::map<std::string, std::int64_t> known_by_area;
  for (const auto& p : persons) {
    if (p.lad_cd.empty()) continue;
    lists_by_area[p.lad_cd] |= p.pattern;
    ++known_by_area[p.lad_cd];
  }
  std::vector<estimate::District> districts;
  for (const auto& a : areas.all()) {
    auto it = known_by_area.find(a.code);
    districts.push_back({static_cast<double>(a.pop_0_17), it == known_by_area.end() ? 0 : it->second});
  }
  out.areas.known = static_cast<std::int64_t>(lists_by_area.size());
  auto at_total = [&](double total) {  // p0 from a total of victims
    return estimate::areas_affected(districts, out.areas.known, total > n ? (total - n) / total : 0.0);
  };
  const auto mid = at_total(out.victims.estimate), low = at_total(out.victims.interval.low),
             high = at_total(out.victims.interval.high);
  out.areas.estimate = mid.expected;
  out.areas.interval = {std::max(static_cast<double>(out.areas.known), low.expected - 1.96 * std::sqrt(low.variance)),
                        std::min(static_cast<double>(areas.size()), high.expected + 1.96 * std::sqrt(high.variance)),
                        0.95, "the victims' interval, widened by which districts happen to be affected"};
  out.areas.method =
      "expected districts with a victim: the known ones, plus for each district with none recorded the chance it "
      "has an unrecorded victim (district rates gamma-distributed)";
  out.areas.assumption =
      "Districts' victimisation rates vary as a gamma distribution fitted to the recorded counts; every victim is "
      "missed by every source with the estimated probability p0, wherever they live.";
  std::int64_t q1 = 0, q2 = 0;
  for (const auto& [code, mask] : lists_by_area) {
    const int k = std::popcount(mask);
    q1 += k == 1;
    q2 += k == 2;
  }
  out.areas_chao2 = std::min(estimate::chao2(out.areas.known, q1, q2, static_cast<int>(out.lists.size())),
                             static_cast<double>(areas.size()));
}

/// 3. Offences, from the victims' estimate and interval.
void answer_offences(FourAnswers& out, const std::vector<PersonRow>& persons) {
  const double n_hat = out.victims.estimate;
  std::int64_t known_offences = 0, police_known = 0;
  const auto police_bit = std::find(out.lists.begin(), out.lists.end(), "police");
  for (const auto& p : persons) {
    known_offences += p.offences;
    if (police_bit != out.lists.end() && (p.pattern >> (police_bit - out.lists.begin()) & 1u)) ++police_known;
  }
  const double per_victim =
      police_known ? static_cast<double>(known_offences) / static_cast<double>(police_known) : 0.0;
  out.offences.known = known_offences;
  out.offences.estimate = per_victim * n_hat;
  out.offences.interval = {per_victim * out.victims.interval.low, per_victim * out.victims.interval.high, 0.95,
                           "from the victims' interval (offences per victim held fixed)"};
  out.offences.method =
      fmt::format("known offences per victim known to the police ({:.2f}) x estimated victims", per_victim);
  out.offences.assumption =
      "Victims not known to the police suffer on average as many offences as those who are. Offences are "
      "under-recorded even for known victims, so this is a floor on the true tally.";
  if (std::isfinite(out.offences.estimate) && out.offences.estimate > 0)
    out.offences.caution =
        "A floor, not the tally: this counts the offences recorded on the victims the police know, scaled up to the "
        "estimated victims. Offences no agency recorded, of known children and of the rest, are not in it, so the "
        "true tally is higher by an amount these records cannot tell, and the interval carries only the victims' "
        "uncertainty. Quote it as \"at least\".";
}

/// 4. Still involved: the same estimation on the children under 18 whose latest record is in
/// the 12 months before the reference date. Returns how its table is refitted (for the
/// linkage draws), empty when it was not estimated.
TableEstimator answer_still_involved(FourAnswers& out, const std::vector<PersonRow>& persons,
                                     const QuestionsOptions& opt) {
  std::vector<const PersonRow*> recent;
  for (const auto& p : persons) {
    const auto involved = still_involved(p, out.reference_date);
    if (involved == Involvement::age_unknown) ++out.still_involved_age_unknown;
    if (involved == Involvement::yes) recent.push_back(&p);
  }
  out.still_involved.known = static_cast<std::int64_t>(recent.size());
  out.still_involved.assumption =
      fmt::format("Children under 18 on {} whose latest record is in the 12 months before it; the same estimation "
                  "on that group alone.", out.reference_date.str());
  const auto t = table_of(recent, out.lists);
  const auto why = sparse_reason(t, opt);
  if (!why.empty()) {
    out.still_involved.estimate = std::nan("");
    out.still_involved.method = why;
    return {};
  }
  const auto r = estimate::estimate_all(t, headline_options(opt.estimate));
  out.still_involved.estimate = r.estimate;
  out.still_involved.interval = r.interval;
  out.still_involved.method = r.method;
  out.still_involved.weak_headline = r.weak_headline;
  return refit_of(r, t.k());
}

/// Strata (--by), one by one. Returns, per stratum, how its table is refitted (empty when it
/// was not estimated).
std::vector<TableEstimator> answer_strata(FourAnswers& out, const std::vector<PersonRow>& persons,
                                          const AreaTable& areas, const estimate::EstimateOptions& stratum_options,
                                          const QuestionsOptions& opt) {
  std::vector<TableEstimator> refits;
  for (const auto& dim : opt.by) {
    std::map<std::string, std::vector<const PersonRow*>> groups;
    for (const auto& p : persons) groups[stratum_of(p, dim, areas)].push_back(&p);
    for (const auto& [value, members] : groups) {
      refits.emplace_back();
      out.strata.push_back(estimate_stratum(dim, value, members, out.lists, stratum_options, opt, &refits.back()));
    }
  }
  return refits;
}

/// The victims' linkage draws carried into the still-involved figure and the estimated
/// strata (linkage_subgroups.hpp): each figure becomes its corrected centre and combined
/// interval, and says so in its method.
void carry_linkage_into_groups(FourAnswers& out, const LinkageInput& input, const AreaTable& areas,
                               const TableEstimator& still_involved_refit,
                               const std::vector<TableEstimator>& stratum_refits, bool quiet) {
  std::vector<VictimGroup> groups;
  std::vector<std::pair<Answer*, StratumEstimate*>> targets;
  if (still_involved_refit) {
    const Date reference = out.reference_date;
    groups.push_back({[reference](const PersonRow& p) { return still_involved(p, reference) == Involvement::yes; },
                      out.still_involved.estimate, out.still_involved.interval, still_involved_refit});
    targets.emplace_back(&out.still_involved, nullptr);
  }
  for (std::size_t i = 0; i < out.strata.size(); ++i) {
    auto& s = out.strata[i];
    if (!s.estimate || !stratum_refits[i]) continue;
    groups.push_back({[dim = s.dimension, value = s.value, &areas](const PersonRow& p) {
                        return stratum_of(p, dim, areas) == value;
                      },
                      *s.estimate, s.interval, stratum_refits[i]});
    targets.emplace_back(nullptr, &s);
  }
  const auto carried = carry_draws_into_groups(input, *out.linkage, groups, quiet);
  for (std::size_t g = 0; g < carried.size(); ++g) {
    const auto& c = carried[g];
    if (c.draws == 0) continue;
    const std::string said = fmt::format(", corrected and widened for linkage error by the victims' {} draws", c.draws);
    if (auto* a = targets[g].first) {
      a->estimate = c.combined.estimate;
      a->interval = c.combined.interval;
      a->method += said;
      out.still_involved_linkage = c;
    } else {
      auto* s = targets[g].second;
      s->estimate = c.combined.estimate;
      s->interval = c.combined.interval;
      s->method += said;
      s->linkage = c;
    }
  }
}

}  // namespace

FourAnswers answer_four_questions(Store& store, const AreaTable& areas, const QuestionsOptions& opt) {
  for (const auto& d : opt.by) {
    if (std::find(stratum_dimensions().begin(), stratum_dimensions().end(), d) == stratum_dimensions().end())
      throw UsageError(fmt::format("--by: unknown stratum '{}' (valid: region, pfa, year, age_band, sex)", d));
  }
  FourAnswers out;
  const auto run = store.latest_link_run(Role::victim);
  if (!run) throw UsageError("the store has no link run of victims yet: run `joindots link --db ...` first");
  out.link_run = *run;
  set_reference_date(out, store, opt);
  auto linked = read_linked_persons(store, *run, Role::victim);
  out.lists = std::move(linked.lists);
  const auto& persons = linked.persons;

  answer_victims(out, persons, opt);
  const auto linkage_input = add_linkage_uncertainty(out, store, opt);
  answer_areas(out, persons, areas);
  answer_offences(out, persons);
  const auto still_involved_refit = answer_still_involved(out, persons, opt);
  auto stratum_options = headline_options(opt.estimate);
  stratum_options.bootstrap_replicates = std::min(stratum_options.bootstrap_replicates, 200);
  const auto stratum_refits = answer_strata(out, persons, areas, stratum_options, opt);
  if (out.linkage && linkage_input && !linkage_input->records.empty())  // none from an encoded store
    carry_linkage_into_groups(out, *linkage_input, areas, still_involved_refit, stratum_refits, opt.quiet);
  explain_empty(out.victims, "no victim is known");
  explain_empty(out.areas, "no victim has a recorded district");
  explain_empty(out.offences, "no offence is recorded on a victim known to the police");
  explain_empty(out.still_involved, fmt::format("no child under 18 on {} has a record in the 12 months before it",
                                                out.reference_date.str()));
  add_model_based(out, persons, areas, stratum_options, opt);
  out.cautions = headline_cautions(out, link_warning_codes(store, out.link_run, Role::victim));
  return out;
}

nlohmann::ordered_json truth_json(const SimulatedTruth& t) {
  return {{"victims", t.victims}, {"areas", t.areas}, {"offences", t.offences}, {"still_involved", t.still_involved}};
}

}  // namespace joindots::questions
