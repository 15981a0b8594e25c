#include "report/bundle_estimates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "estimate/sparse_rule.hpp"
#include "questions/method_details.hpp"

namespace joindots::report {

namespace {

using questions::FourAnswers;

bool bounded(const estimate::Interval& i) { return std::isfinite(i.low) && std::isfinite(i.high); }

/// An estimate and its interval as published: in the public tier rounded outward to two
/// significant figures of the interval's width (the estimate to the same step). Nothing
/// without a finite estimate; no interval without finite bounds.
nlohmann::json published_estimate(double estimate, const estimate::Interval& interval, bool is_public) {
  nlohmann::json out = nlohmann::json::object();
  if (!std::isfinite(estimate)) return out;
  double e = estimate;
  if (bounded(interval)) {
    double lo = interval.low, hi = interval.high;
    if (is_public) {
      const auto [rlo, rhi] = disclose::round_interval(lo, hi);
      const double step = std::max(1.0, std::pow(10.0, std::floor(std::log10(std::max(hi - lo, 1.0))) - 1));
      e = std::round(e / step) * step;
      lo = rlo;
      hi = rhi;
    }
    out["interval"] = {lo, hi};
  }
  out["estimate"] = is_public ? std::round(e) : e;
  return out;
}

estimate::Interval interval_of(const std::optional<questions::Bounds>& b) {
  estimate::Interval i;
  if (b) i.low = b->low, i.high = b->high;
  return i;
}

const char* method_label(const std::string& key) {
  static const std::map<std::string, const char*> labels = {
      {"loglinear", "Log-linear model, chosen by its criterion"},
      // Short: the labels name the rows of the methods chart too.
      {"loglinear_heterogeneity", "Log-linear, heterogeneity allowed, chosen"},
      {"loglinear_forms_averaged", "Log-linear, each heterogeneity form's best, averaged"},
      {"loglinear_heterogeneity_averaged", "Log-linear, heterogeneity allowed, averaged"},
      {"loglinear_mata", "Log-linear, heterogeneity allowed, tail-area average"},
      {"loglinear_averaged", "Log-linear models, averaged by their weights"},
      {"lcmcr", "Bayesian latent-class model (LCMCR)"},
      {"chapman", "Chapman (two lists)"},
      {"lincoln_petersen", "Lincoln-Petersen (two lists)"},
      {"independence", "Log-linear model of independence"},
  };
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

/// The chosen log-linear model first, then its average, then the others.
int method_rank(const std::string& m) {
  static const std::map<std::string, int> ranks = {{"loglinear_forms_averaged", 0}, {"loglinear_heterogeneity", 0},
                                                   {"loglinear_mata", 1}, {"loglinear_heterogeneity_averaged", 2},
                                                   {"loglinear", 3}, {"loglinear_averaged", 4}, {"lcmcr", 5}};
  const auto it = ranks.find(m);
  return it == ranks.end() ? 6 : it->second;
}

/// The search behind the headline's log-linear figure (its statistics, top models and
/// bootstrap): the heterogeneity search when the headline is its model or its tail-area
/// average, else the plain search.
nlohmann::json loglinear_json(const estimate::MethodEstimate& m, const disclose::PublishedCell& known, bool is_public) {
  const auto ll = questions::LogLinearDetails::from_json(m.details);
  nlohmann::json d = ll.to_json();
  d.erase("top_models");
  d.erase("bootstrap");
  d["interval_kind"] = m.interval.kind;
  if (!ll.fitted) {
    d["top_models"] = nlohmann::json::array();
    return d;
  }
  nlohmann::json top = nlohmann::json::array();
  for (const auto& t : ll.top_models) {
    nlohmann::json row = published_estimate(known.suppressed() ? NAN : t.estimate, interval_of(t.interval), is_public);
    row["model"] = t.model;
    row["interactions"] = t.interactions;
    for (const auto& [key, v] : std::initializer_list<std::pair<const char*, double>>{
             {"criterion", t.criterion}, {"weight", t.weight}, {"deviance", t.deviance}})
      row[key] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    row["df"] = t.df;
    row["parameters"] = t.parameters;
    top.push_back(row);
  }
  d["top_models"] = top;
  nlohmann::json bs = nlohmann::json::object();
  if (const auto& boot = ll.bootstrap) {
    bs = {{"kind", boot->kind}, {"replicates", boot->replicates}, {"failed", boot->failed},
          {"candidates", boot->candidates}, {"models_chosen", nlohmann::json::object()}};
    for (const auto& [model, count] : boot->models_chosen) bs["models_chosen"][model] = count;
  }
  d["bootstrap"] = bs;
  return d;
}

/// The methods compared for the victims' total: each method's estimate and interval (rounded
/// in the public tier, withheld when the known count is), the log-linear model's fit and
/// selection, the averaged weights and LCMCR's convergence.
void add_models(nlohmann::json& b, const estimate::EstimateResult& vm, const disclose::PublishedCell& known,
                bool is_public) {
  const auto estimate_of = [&](double estimate, const estimate::Interval& interval) {
    return published_estimate(known.suppressed() ? NAN : estimate, interval, is_public);
  };
  std::map<std::string, const estimate::MethodEstimate*> methods;  // by name, a later one kept
  for (const auto& m : vm.methods) methods[m.method] = &m;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [key, m] : methods) {
    nlohmann::json row = estimate_of(m->estimate, m->interval);
    row["method"] = key;
    row["label"] = method_label(key);
    row["interval_kind"] = m->interval.kind;
    row["source"] = questions::method_source(*m);
    row["chosen"] = key == vm.headline;
    rows.push_back(row);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& c) {
    return method_rank(a["method"].template get<std::string>()) < method_rank(c["method"].template get<std::string>());
  });
  nlohmann::json models = {{"known", cell(known)}, {"chosen_method", vm.method}, {"interval_kind", vm.interval.kind},
                           {"notes", vm.notes},    {"methods", rows}};
  const bool heterogeneity_headline = vm.headline == "loglinear_heterogeneity" || vm.headline == "loglinear_mata" ||
                                      vm.headline == "loglinear_forms_averaged";
  const std::string ll_key =
      heterogeneity_headline && methods.contains("loglinear_heterogeneity") ? "loglinear_heterogeneity" : "loglinear";
  if (methods.contains(ll_key)) models["loglinear"] = loglinear_json(*methods.at(ll_key), known, is_public);
  if (methods.contains(ll_key + "_averaged")) {
    const auto av = questions::AveragedDetails::from_json(methods.at(ll_key + "_averaged")->details);
    nlohmann::json weights = nlohmann::json::array();
    for (const auto& w : av.weights) {
      nlohmann::json row = estimate_of(w.estimate, {});
      row["model"] = w.model;
      row["weight"] = w.weight;
      weights.push_back(row);
    }
    models["averaged"] = {{"criterion", av.criterion}, {"models_averaged", av.models_averaged}, {"weights", weights}};
  }
  if (methods.contains("lcmcr"))
    models["lcmcr"] = questions::LcmcrDetails::from_json(methods.at("lcmcr")->details).to_json();
  b["models"] = models;
}

/// How much the victims' figure hangs on linkage: the linkage draws (the share of the
/// interval's width they add, the correction) and the threshold curve, estimates published
/// as the headline's are; the persons at each threshold only in the restricted tier.
void add_linkage_uncertainty(nlohmann::json& b, const FourAnswers& a, bool withheld, bool is_public) {
  if (withheld || (!a.linkage && a.threshold_curve.empty())) return;
  nlohmann::json out = nlohmann::json::object();
  if (const auto& u = a.linkage) {
    const double correction = u->model_estimate > 0 ? u->combined.estimate / u->model_estimate - 1 : 0.0;
    out["draws"] = u->draws;
    out["linkage_share_of_width"] = std::round(u->combined.linkage_share * 100) / 100;
    out["correction"] = std::round(correction * 1000) / 1000;
    out["without_linkage_error"] = published_estimate(u->model_estimate, u->model_interval, is_public);
    out["with_linkage_error"] = published_estimate(u->combined.estimate, u->combined.interval, is_public);
    out["rule"] = questions::kLinkageDrawsRule;
    // The correction for links blocking never compared: the public tier without the persons.
    const auto& unseen = u->unseen_links;
    const auto rounded = [](double v, bool known) {
      return known ? nlohmann::json(std::round(v * 1000) / 1000) : nlohmann::json(nullptr);
    };
    nlohmann::json unseen_json = {{"mode", unseen.mode},
                                  {"applied", unseen.applied},
                                  {"reason", unseen.reason},
                                  {"recall", rounded(unseen.recall, unseen.recall >= 0)},
                                  {"recall_sample", unseen.sample},
                                  {"split_sample", unseen.split_sample},
                                  {"split_apart", unseen.split_apart},
                                  {"source", unseen.source},
                                  {"missed_rate", rounded(unseen.missed_rate, unseen.missed_rate >= 0)},
                                  {"effect", rounded(unseen.effect, std::isfinite(unseen.effect))}};
    if (!is_public) unseen_json["persons_merged"] = unseen.persons_merged();
    out["unseen_links"] = std::move(unseen_json);
  }
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : a.threshold_curve) {
    nlohmann::json point = published_estimate(p.estimate, p.interval, is_public);
    point["threshold"] = p.threshold;
    if (!is_public) point["persons"] = p.persons;
    points.push_back(std::move(point));
  }
  out["threshold_curve"] = std::move(points);
  b["linkage_uncertainty"] = std::move(out);
}

/// A stratum's flag as the public tier may say it. The detailed flags carry exact small
/// counts ("too sparse: 3 known persons (fewer than 50)", "too sparse: police recorded only
/// 2") or a method's message; the public tier keeps the kind and drops the rest (an
/// allow-list: a flag of a kind not named here says only that it was not estimated).
std::string public_flag(const std::string& flag) {
  if (flag.empty()) return flag;
  if (flag.starts_with("not recorded")) return "not recorded: shown so the unrecorded share is visible, not estimated";
  if (flag.starts_with("too sparse")) return "too sparse for an estimate (the restricted report gives the counts)";
  if (flag.starts_with("not estimable: no finite estimate"))
    return "not estimated: the lists cannot bound the number unseen";
  return "not estimated (the restricted report says why)";
}

/// The known counts of one release: the four answers, the strata of each dimension adding up
/// to the known victims, the capture patterns adding up to them and each list's total adding
/// up its patterns, so that secondary suppression sees every relation.
struct EstimateCells {
  disclose::Release release;
  std::size_t question[4] = {};  // victims, areas, offences, still involved
  std::vector<std::size_t> stratum, pattern, list_total;
  std::vector<std::uint32_t> patterns;  // the observed capture patterns, in order
};

EstimateCells estimate_cells(const FourAnswers& a) {
  EstimateCells c;
  auto& release = c.release;
  const questions::Answer* answers[] = {&a.victims, &a.areas, &a.offences, &a.still_involved};
  for (int q = 0; q < 4; ++q) c.question[q] = release.add(answers[q]->known);
  std::map<std::string, std::vector<std::size_t>> by_dimension;
  for (const auto& s : a.strata) {
    c.stratum.push_back(release.add(s.observed));
    by_dimension[s.dimension].push_back(c.stratum.back());
  }
  for (const auto& [dim, parts] : by_dimension) release.relations.push_back({c.question[0], parts});
  std::int64_t capture_sum = 0;
  for (std::uint32_t p = 1; p < a.victims_pattern_counts.size(); ++p)
    if (a.victims_pattern_counts[p] > 0) {
      c.patterns.push_back(p);
      c.pattern.push_back(release.add(a.victims_pattern_counts[p]));
      capture_sum += a.victims_pattern_counts[p];
    }
  if (c.patterns.empty()) return c;
  if (capture_sum != a.victims.known)
    throw InternalError(
        fmt::format("the capture table adds up to {} but the known victims are {}", capture_sum, a.victims.known));
  release.relations.push_back({c.question[0], c.pattern});
  for (std::size_t k = 0; k < a.lists.size(); ++k) {
    std::vector<std::size_t> parts;
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < c.patterns.size(); ++i)
      if (c.patterns[i] >> k & 1u) {
        parts.push_back(c.pattern[i]);
        sum += release.values[c.pattern[i]];
      }
    c.list_total.push_back(release.add(sum));
    if (!parts.empty()) release.relations.push_back({c.list_total.back(), parts});
  }
  return c;
}

/// A weak figure's reason (auto's headline on a sparse table, Chapman's on a small overlap):
/// the restricted tier says it in full; the public one without the table's counts (its
/// empty cells, its overlap), which that tier does not publish.
std::string weak_text(const std::string& weak, bool is_public) {
  if (weak.empty() || !is_public) return weak;
  if (estimate::reason_prefers_autos_interval(weak))  // a method chosen by name on a sparse table
    return "the figure is weak: on a table this sparse this method's interval often missed the true size; the "
           "default's interval is the one to quote (the restricted report says why)";
  return "the figure is weak: the table supports an interval, not a point estimate; quote the interval (the "
         "restricted report says why)";
}

nlohmann::json headline_json(const questions::Answer& a, const disclose::PublishedCell& known, bool is_public) {
  nlohmann::json h = published_estimate(known.suppressed() ? NAN : a.estimate, a.interval, is_public);
  h["known"] = cell(known);
  h["method"] = a.method;
  h["note"] = a.assumption;
  if (!a.caution.empty()) h["cautions"] = {a.caution};
  // Why there is no estimate (or an empty one). The detailed reason can hold exact small
  // counts ("too sparse: 3 known persons"), so the public tier says it without them.
  h["why"] = a.why;
  if (!a.weak_headline.empty() && std::isfinite(a.estimate) && !known.suppressed())
    h["weak"] = weak_text(a.weak_headline, is_public);
  if (is_public && !a.why.empty()) {
    h["why"] = "not estimated: too few known, or the data do not identify an estimate (the restricted report "
               "says which)";
    if (!std::isfinite(a.estimate)) h["method"] = "";
  }
  return h;
}

nlohmann::json overlap_json(const FourAnswers& a, const EstimateCells& c,
                            const std::vector<disclose::PublishedCell>& published) {
  const int k = static_cast<int>(a.lists.size());
  nlohmann::json patterns = nlohmann::json::array(), totals = nlohmann::json::array();
  for (std::size_t i = 0; i < c.patterns.size(); ++i) {
    nlohmann::json in = nlohmann::json::array();
    for (int j = 0; j < k; ++j)
      if (c.patterns[i] >> j & 1u) in.push_back(a.lists[static_cast<std::size_t>(j)]);
    patterns.push_back({{"pattern", estimate::pattern_string(c.patterns[i], k)},
                        {"lists", in},
                        {"count", cell(published[c.pattern[i]])}});
  }
  for (std::size_t j = 0; j < a.lists.size(); ++j)
    totals.push_back({{"list", a.lists[j]}, {"count", cell(published[c.list_total[j]])}});
  return {
      {"lists", a.lists}, {"total", cell(published[c.question[0]])}, {"list_totals", totals}, {"patterns", patterns}};
}

nlohmann::json stratum_json(const questions::StratumEstimate& s, const disclose::PublishedCell& known, bool is_public) {
  nlohmann::json row = published_estimate(known.suppressed() || !s.estimate ? NAN : *s.estimate, s.interval, is_public);
  row["dimension"] = s.dimension;
  row["value"] = s.value;
  row["known"] = cell(known);
  row["flag"] = is_public ? public_flag(s.flag) : s.flag;
  if (!s.weak_headline.empty() && s.estimate && !known.suppressed())
    row["weak"] = weak_text(s.weak_headline, is_public);
  // The model-based figure (where MSE is not reliable). Public tier: computed from the
  // published (rounded) known count, so it tells nothing the table does not; none when the
  // known count is withheld.
  if (s.model_based && !known.suppressed()) {
    const double k = is_public ? static_cast<double>(known.value) : static_cast<double>(s.observed);
    estimate::Interval ratio_interval;
    ratio_interval.low = k * s.ratio_low;
    ratio_interval.high = k * s.ratio_high;
    nlohmann::json m = published_estimate(k * s.ratio, ratio_interval, is_public);
    m["parent"] = s.model_based_parent;
    m["basis"] = questions::model_based_basis(s);
    row["model_based"] = m;
  }
  return row;
}

}  // namespace

nlohmann::json cell(const disclose::PublishedCell& c) {
  if (!c.suppressed()) return {{"value", c.value}};
  return {{"value", nullptr}, {"suppressed", c.status == disclose::CellStatus::Primary ? "primary" : "secondary"}};
}

void add_estimates(nlohmann::json& b, const FourAnswers& a, bool is_public) {
  const EstimateCells c = estimate_cells(a);
  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(c.release);
  } else {
    for (auto v : c.release.values) published.push_back({disclose::CellStatus::Published, v});
  }
  const std::pair<const char*, const questions::Answer*> questions[] = {
      {"victims", &a.victims}, {"areas", &a.areas}, {"offences", &a.offences}, {"still_involved", &a.still_involved}};
  for (int q = 0; q < 4; ++q)
    b["headline"][questions[q].first] = headline_json(*questions[q].second, published[c.question[q]], is_public);
  // Cautions said at the headline (figures in them at two significant figures).
  b["headline"]["victims"]["cautions"] = a.cautions;
  const auto& known_victims = published[c.question[0]];
  add_linkage_uncertainty(b, a, known_victims.suppressed(), is_public);
  b["lists"] = a.lists;
  if (!c.patterns.empty()) b["overlap"] = overlap_json(a, c, published);
  add_models(b, a.victims_detail, known_victims, is_public);
  b["reference_date"] = a.reference_date.str();
  b["diagnostics"] = nlohmann::json::array();
  for (const auto& d : a.diagnostics) b["diagnostics"].push_back(is_public ? d.public_text : d.text);
  for (std::size_t i = 0; i < a.strata.size(); ++i)
    b["strata"].push_back(stratum_json(a.strata[i], published[c.stratum[i]], is_public));
}

}  // namespace joindots::report
