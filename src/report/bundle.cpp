#include "report/bundle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "disclose/disclosure.hpp"
#include "io/text_file.hpp"

namespace joindots::report {

namespace {

nlohmann::json cell(const disclose::PublishedCell& c) {
  if (!c.suppressed()) return {{"value", c.value}};
  return {{"value", nullptr}, {"suppressed", c.status == disclose::CellStatus::Primary ? "primary" : "secondary"}};
}

/// An estimate and its interval as published: in the public tier rounded outward to two
/// significant figures of the interval's width (the estimate to the same step).
nlohmann::json published_estimate(const nlohmann::json& estimate, const nlohmann::json& interval, bool is_public) {
  nlohmann::json out = nlohmann::json::object();
  if (estimate.is_null()) return out;
  double e = estimate.get<double>();
  if (interval.is_array()) {
    double lo = interval[0].get<double>(), hi = interval[1].get<double>();
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

const char* method_label(const std::string& key) {
  static const std::map<std::string, const char*> labels = {
      {"loglinear", "Log-linear model, chosen by its criterion"},
      // Short: the labels name the rows of the methods chart too.
      {"loglinear_heterogeneity", "Log-linear, heterogeneity allowed, chosen"},
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

/// A model statistic copied when present (numbers, strings, booleans: not counts of people).
void copy_keys(nlohmann::json& out, const nlohmann::json& in, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (in.contains(k)) out[k] = in.at(k);
}

/// The methods compared for the victims' total (estimate::to_json of the victims' result):
/// each method's estimate and interval (rounded in the public tier, withheld when the known
/// count is), the log-linear model's fit and selection, the averaged weights and LCMCR's
/// convergence.
void add_models(nlohmann::json& b, const nlohmann::json& vm, const disclose::PublishedCell& known, bool is_public) {
  if (!vm.contains("methods")) return;
  const auto estimate_of = [&](const nlohmann::json& m) {
    return published_estimate(known.suppressed() ? nlohmann::json(nullptr) : m.value("estimate", nlohmann::json(nullptr)),
                              m.value("interval", nlohmann::json(nullptr)), is_public);
  };
  const std::string chosen = vm.value("method", "");
  const std::string headline = vm.value("headline_method", "");
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [key, m] : vm.at("methods").items()) {
    nlohmann::json row = estimate_of(m);
    row["method"] = key;
    row["label"] = method_label(key);
    row["interval_kind"] = m.value("interval_kind", "");
    row["source"] = m.value("source", "");
    row["chosen"] = key == headline;
    rows.push_back(row);
  }
  // The chosen log-linear model first, then its average, then the others.
  const auto rank = [](const nlohmann::json& r) {
    const auto m = r["method"].get<std::string>();
    return m == "loglinear_heterogeneity" ? 0 : m == "loglinear_mata" ? 1 : m == "loglinear_heterogeneity_averaged" ? 2
           : m == "loglinear"                                                                                ? 3
           : m == "loglinear_averaged"                                                                       ? 4
           : m == "lcmcr"                                                                                    ? 5
                                                                                                             : 6;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  nlohmann::json models = {{"known", cell(known)}, {"chosen_method", chosen}, {"interval_kind", vm.value("interval_kind", "")},
                           {"notes", vm.value("notes", nlohmann::json::array())}, {"methods", rows}};
  const auto& methods = vm.at("methods");
  // The details of the log-linear search behind the headline (with the heterogeneity term
  // when that is the headline), else of the plain search.
  const std::string ll_key = headline.starts_with("loglinear") && methods.contains(headline) ? headline : "loglinear";
  if (methods.contains(ll_key)) {
    const auto& ll = methods.at(ll_key);
    nlohmann::json d = nlohmann::json::object();
    copy_keys(d, ll, {"model", "interactions", "criterion", "criterion_value", "search", "max_order", "models_considered",
                      "models_valid", "models_excluded", "models_not_converged", "deviance", "df", "gof_p_value",
                      "parameters", "aic", "bic", "weight", "boundary_cells", "interval_kind", "excluded",
                      "excluded_total", "warning", "heterogeneity"});
    nlohmann::json top = nlohmann::json::array();
    for (const auto& t : ll.value("top_models", nlohmann::json::array())) {
      nlohmann::json row = estimate_of(t);
      copy_keys(row, t, {"model", "interactions", "criterion", "weight", "deviance", "df", "parameters"});
      top.push_back(row);
    }
    d["top_models"] = top;
    if (ll.contains("bootstrap")) {
      nlohmann::json bs = nlohmann::json::object();
      copy_keys(bs, ll.at("bootstrap"), {"kind", "replicates", "failed", "candidates", "models_chosen"});
      d["bootstrap"] = bs;
    }
    models["loglinear"] = d;
  }
  if (methods.contains(ll_key + "_averaged")) {
    const auto& av = methods.at(ll_key + "_averaged");
    nlohmann::json weights = nlohmann::json::array();
    for (const auto& w : av.value("weights", nlohmann::json::array())) {
      nlohmann::json row = estimate_of(w);
      row["model"] = w.value("model", "");
      row["weight"] = w.value("weight", 0.0);
      weights.push_back(row);
    }
    models["averaged"] = {{"criterion", av.value("criterion", "")}, {"models_averaged", av.value("models_averaged", 0)},
                          {"weights", weights}};
  }
  if (methods.contains("lcmcr")) {
    nlohmann::json d = nlohmann::json::object();
    copy_keys(d, methods.at("lcmcr"),
              {"rhat", "ess", "chains", "burn_in", "samples_per_chain", "thin", "max_classes",
               "multimodal"});
    models["lcmcr"] = d;
  }
  b["models"] = models;
}

/// A count standing alone (no relation to another published count): primary suppression and
/// rounding in the public tier, exact in the restricted tier.
nlohmann::json lone_count(std::int64_t value, bool is_public) {
  if (!is_public) return {{"value", value}};
  disclose::Release r;
  r.add(value);
  return cell(disclose::protect(r)[0]);
}

/// The linkage model of the latest link run per role: m and u probabilities and match
/// weights per comparison level, pairs per blocking rule, the model's estimated precision.
/// Model parameters are published as they are; counts of records, persons and pairs pass
/// lone_count. Blocking keys (identifiers, dates, postcodes) are never copied.
nlohmann::json linkage_json_impl(Store& store, bool is_public) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : store.latest_link_diagnostics()) {
    const auto diag = nlohmann::json::parse(d.diagnostics_json);
    const auto params = nlohmann::json::parse(d.params_json);
    nlohmann::json fields = nlohmann::json::array();
    const auto model = diag.value("model", nlohmann::json::object());
    for (const auto& f : model.value("fields", nlohmann::json::array())) {
      nlohmann::json levels = nlohmann::json::array();
      for (const auto& l : f.value("levels", nlohmann::json::array())) {
        const double m = l.value("m", 0.0), u = l.value("u", 0.0);
        levels.push_back({{"level", l.value("level", "")},
                          {"m", m},
                          {"u", u},
                          {"weight", m > 0 && u > 0 ? nlohmann::json(std::log2(m / u)) : nlohmann::json(nullptr)}});
      }
      fields.push_back({{"field", f.value("field", "")}, {"comparator", f.value("comparator", "")}, {"levels", levels}});
    }
    nlohmann::json blocking = nlohmann::json::array();
    for (const auto& r : diag.value("blocking", nlohmann::json::array()))
      blocking.push_back({{"rule", r.value("rule", "")},
                          {"pairs_implied", lone_count(r.value("pairs_implied", std::int64_t{0}), is_public)},
                          {"pairs_new", lone_count(r.value("pairs_new", std::int64_t{0}), is_public)}});
    const auto cluster = diag.value("cluster", nlohmann::json::object());
    nlohmann::json role = {
        {"role", d.role},
        {"run_id", d.run_id},
        {"threshold", params.value("threshold", 0.5)},
        {"records", lone_count(diag.value("records", std::int64_t{0}), is_public)},
        {"persons", lone_count(diag.value("persons", std::int64_t{0}), is_public)},
        {"candidate_pairs", lone_count(diag.value("candidate_pairs", std::int64_t{0}), is_public)},
        {"linked_pairs", lone_count(d.linked_pairs, is_public)},
        {"estimated_precision", d.linked_pairs > 0 ? nlohmann::json(d.mean_probability) : nlohmann::json(nullptr)},
        {"em_iterations", model.value("em_iterations", 0)},
        {"em_converged", model.value("em_converged", false)},
        {"prior", model.value("prior", 0.0)},
        {"fields", fields},
        {"blocking", blocking},
        {"refused_merges",
         {{"hard_rule", lone_count(cluster.value("refused_hard_rule", std::int64_t{0}), is_public)},
          {"cohesion", lone_count(cluster.value("refused_cohesion", std::int64_t{0}), is_public)},
          {"clerical", lone_count(cluster.value("refused_clerical", std::int64_t{0}), is_public)}}},
    };
    // The largest cluster is one child's number of records: restricted tier only.
    if (!is_public) role["largest_cluster"] = cluster.value("largest", 0);
    if (diag.contains("evaluation")) {
      const auto& ev = diag.at("evaluation");
      nlohmann::json e = nlohmann::json::object();
      copy_keys(e, ev, {"precision", "recall", "f1", "bcubed_precision", "bcubed_recall", "blocking_recall"});
      e["true_persons"] = lone_count(ev.value("true_persons", std::int64_t{0}), is_public);
      e["found_persons"] = lone_count(ev.value("found_persons", std::int64_t{0}), is_public);
      role["evaluation"] = e;
    }
    out.push_back(role);
  }
  return out;
}

/// The clerical-review band of the latest link run per role (restricted tier only): the
/// record pairs the model could not decide, most probable first, each record named by its
/// source and record id with the person it was resolved to, the pair's match weight and
/// probability, and every compared field's agreement level. Identifier values (names,
/// dates of birth, postcodes) stay in the store: the review CSV of `joindots link --review`
/// shows them side by side.
nlohmann::json review_json(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : store.latest_link_diagnostics()) {
    const auto role = parse_enum<Role>(kRoleNames, d.role);
    if (!role) continue;
    const auto diag = nlohmann::json::parse(d.diagnostics_json);
    const auto params = nlohmann::json::parse(d.params_json);
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : diag.value("model", nlohmann::json::object()).value("fields", nlohmann::json::array()))
      fields.push_back(f.value("field", ""));
    std::int64_t total = 0;
    const auto pairs = store.review_pairs(d.run_id, *role, kReviewPairsShown, total);
    const auto record = [](const ReviewRecord& r) {
      return nlohmann::json{{"source_type", r.source_type}, {"source_org", r.source_org}, {"record_id", r.record_id},
                            {"event_date", r.event_date}, {"person_id", r.person_id}};
    };
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : pairs)
      rows.push_back({{"a", record(p.a)},
                      {"b", record(p.b)},
                      {"weight", std::round(p.weight * 100) / 100},
                      {"probability", std::round(p.probability * 10000) / 10000},
                      {"same_person", p.a.person_id != 0 && p.a.person_id == p.b.person_id},
                      {"levels", nlohmann::json::parse(p.levels_json)}});
    out.push_back({{"role", d.role},
                   {"run_id", d.run_id},
                   {"band", params.value("review", nlohmann::json(nullptr))},
                   {"threshold", params.value("threshold", 0.5)},
                   {"fields", fields},
                   {"pairs_in_band", total},
                   {"pairs", rows}});
  }
  return out;
}

/// How much the victims' figure hangs on linkage: the linkage draws (the share of the
/// interval's width they add, the correction) and the threshold curve, estimates published
/// as the headline's are; the persons at each threshold only in the restricted tier.
void add_linkage_uncertainty(nlohmann::json& b, const nlohmann::json& answers, bool withheld, bool is_public) {
  const auto linkage = answers.value("linkage", nlohmann::json(nullptr));
  const auto curve = answers.value("threshold_curve", nlohmann::json::array());
  if (withheld || (linkage.is_null() && curve.empty())) return;
  nlohmann::json out = nlohmann::json::object();
  if (linkage.is_object()) {
    out["draws"] = linkage.at("draws");
    out["linkage_share_of_width"] = std::round(linkage.at("linkage_share_of_width").get<double>() * 100) / 100;
    out["correction"] = std::round(linkage.at("correction").get<double>() * 1000) / 1000;
    out["without_linkage_error"] = published_estimate(linkage.at("model_estimate"), linkage.at("model_interval"), is_public);
    out["with_linkage_error"] = published_estimate(linkage.at("estimate"), linkage.at("interval"), is_public);
    out["rule"] = linkage.at("rule");
  }
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : curve) {
    nlohmann::json point = published_estimate(p.at("estimate"), p.at("interval"), is_public);
    point["threshold"] = p.at("threshold");
    if (!is_public) point["persons"] = p.at("persons");
    points.push_back(std::move(point));
  }
  out["threshold_curve"] = std::move(points);
  b["linkage_uncertainty"] = std::move(out);
}

/// The four answers and the strata of an estimate run, through disclosure control: known
/// counts in one release (strata of a dimension add up to the known total), estimates
/// rounded, and an estimate withheld wherever its known count is suppressed.
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

void add_estimates(nlohmann::json& b, const nlohmann::json& answers, bool is_public) {
  static const char* kQuestions[] = {"victims", "areas", "offences", "still_involved"};
  disclose::Release release;
  std::map<std::string, std::size_t> question_cell;
  for (const char* q : kQuestions) question_cell[q] = release.add(answers.at(q).at("known").get<std::int64_t>());
  std::map<std::string, std::vector<std::size_t>> by_dimension;
  std::vector<std::size_t> stratum_cell;
  for (const auto& s : answers.value("strata", nlohmann::json::array())) {
    stratum_cell.push_back(release.add(s.at("observed").get<std::int64_t>()));
    by_dimension[s.at("dimension").get<std::string>()].push_back(stratum_cell.back());
  }
  for (const auto& [dim, parts] : by_dimension) release.relations.push_back({question_cell["victims"], parts});
  // The overlap of the lists: the count of each capture pattern (adding up to the known
  // victims) and each list's total (adding up its patterns), in the same release so that
  // secondary suppression sees every relation.
  const auto lists = answers.value("lists", nlohmann::json::array());
  const auto capture = answers.value("capture_table", nlohmann::json::array());
  std::vector<std::size_t> pattern_cell, list_cell;
  std::int64_t capture_sum = 0;
  for (const auto& p : capture) {
    pattern_cell.push_back(release.add(p.at("count").get<std::int64_t>()));
    capture_sum += release.values.back();
  }
  const bool has_overlap = !capture.empty();
  if (has_overlap) {
    if (capture_sum != release.values[question_cell["victims"]])
      throw InternalError(fmt::format("the capture table adds up to {} but the known victims are {}", capture_sum,
                                      release.values[question_cell["victims"]]));
    release.relations.push_back({question_cell["victims"], pattern_cell});
    for (std::size_t k = 0; k < lists.size(); ++k) {
      std::vector<std::size_t> parts;
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < capture.size(); ++i) {
        const auto pattern = capture[i].at("pattern").get<std::string>();
        if (k < pattern.size() && pattern[k] == '1') {
          parts.push_back(pattern_cell[i]);
          sum += release.values[pattern_cell[i]];
        }
      }
      list_cell.push_back(release.add(sum));
      if (!parts.empty()) release.relations.push_back({list_cell.back(), parts});
    }
  }
  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(release);
  } else {
    for (auto v : release.values) published.push_back({disclose::CellStatus::Published, v});
  }
  for (const char* q : kQuestions) {
    const auto& a = answers.at(q);
    const auto& known = published[question_cell[q]];
    nlohmann::json h = published_estimate(known.suppressed() ? nlohmann::json(nullptr) : a.at("estimate"), a.at("interval"),
                                          is_public);
    h["known"] = cell(known);
    h["method"] = a.value("method", "");
    h["note"] = a.value("assumption", "");
    // Cautions said at the headline (figures in them at two significant figures).
    if (a.contains("cautions")) h["cautions"] = a.at("cautions");
    // Why there is no estimate (or an empty one). The detailed reason can hold exact small
    // counts ("too sparse: 3 known persons"), so the public tier says it without them.
    const std::string why = a.value("why", "");
    h["why"] = why;
    if (is_public && !why.empty()) {
      h["why"] = "not estimated: too few known, or the data do not identify an estimate (the restricted report "
                 "says which)";
      if (a.at("estimate").is_null()) h["method"] = "";
    }
    b["headline"][q] = h;
  }
  add_linkage_uncertainty(b, answers, published[question_cell["victims"]].suppressed(), is_public);
  b["lists"] = lists;
  if (has_overlap) {
    nlohmann::json patterns = nlohmann::json::array(), totals = nlohmann::json::array();
    for (std::size_t i = 0; i < capture.size(); ++i) {
      const auto pattern = capture[i].at("pattern").get<std::string>();
      nlohmann::json in = nlohmann::json::array();
      for (std::size_t k = 0; k < lists.size() && k < pattern.size(); ++k)
        if (pattern[k] == '1') in.push_back(lists[k]);
      patterns.push_back({{"pattern", pattern}, {"lists", in}, {"count", cell(published[pattern_cell[i]])}});
    }
    for (std::size_t k = 0; k < lists.size(); ++k)
      totals.push_back({{"list", lists[k]}, {"count", cell(published[list_cell[k]])}});
    b["overlap"] = {{"lists", lists},
                    {"total", cell(published[question_cell["victims"]])},
                    {"list_totals", totals},
                    {"patterns", patterns}};
  }
  add_models(b, answers.value("victims_methods", nlohmann::json::object()), published[question_cell["victims"]], is_public);
  b["reference_date"] = answers.value("reference_date", "");
  b["diagnostics"] = answers.value(is_public ? "diagnostics_public" : "diagnostics", nlohmann::json::array());
  std::size_t i = 0;
  for (const auto& s : answers.value("strata", nlohmann::json::array())) {
    const auto& known = published[stratum_cell[i++]];
    nlohmann::json row = published_estimate(known.suppressed() ? nlohmann::json(nullptr) : s.at("estimate"),
                                            s.at("interval"), is_public);
    row["dimension"] = s.at("dimension");
    row["value"] = s.at("value");
    row["known"] = cell(known);
    row["flag"] = is_public ? public_flag(s.value("flag", "")) : s.value("flag", "");
    // The model-based figure (where MSE is not reliable). Public tier: computed from the
    // published (rounded) known count, so it tells nothing the table does not; none when
    // the known count is withheld.
    const auto mb = s.value("model_based", nlohmann::json(nullptr));
    if (mb.is_object() && !known.suppressed()) {
      const double k = is_public ? static_cast<double>(known.value) : s.at("observed").get<double>();
      const double ratio = mb.at("ratio").get<double>();
      const auto& ri = mb.at("ratio_interval");
      nlohmann::json m = published_estimate(k * ratio, {k * ri[0].get<double>(), k * ri[1].get<double>()}, is_public);
      m["parent"] = mb.at("parent");
      m["basis"] = mb.at("basis");
      row["model_based"] = m;
    }
    b["strata"].push_back(row);
  }
}

}  // namespace

nlohmann::json count_cell(std::int64_t value) { return {{"value", value}}; }

nlohmann::json linkage_json(Store& store, bool is_public) { return linkage_json_impl(store, is_public); }

nlohmann::json build_bundle(Store& store, const AreaTable& areas, Tier tier) {
  const bool is_public = tier == Tier::Public;
  const StoreSummary summary = store.summary();
  nlohmann::json b;
  b["schema"] = kBundleSchema;
  b["tier"] = is_public ? "public" : "restricted";
  b["generated_at"] = utc_timestamp();
  b["attribution"] =
      "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data "
      "\u00a9 Crown copyright and database right [2016].";
  b["disclosure"] = is_public ? nlohmann::json{{"suppress_below", 10}, {"round_to", 5}}
                              : nlohmann::json{{"note", "restricted tier: exact counts, not for publication"}};

  // The four questions: from the latest estimate run; null until one has run.
  b["headline"] = {{"victims", nullptr}, {"areas", nullptr}, {"offences", nullptr}, {"still_involved", nullptr}};
  b["strata"] = nlohmann::json::array();
  b["diagnostics"] = nlohmann::json::array();
  b["overlap"] = nullptr;
  b["models"] = nullptr;
  if (auto run = store.latest_run_summary("estimate")) {
    const auto answers = nlohmann::json::parse(run->second);
    add_estimates(b, answers, is_public);
    b["estimate_run"] = run->first;
    b["estimate_link_run"] = answers.value("link_run", nlohmann::json(nullptr));
  }

  // What the map counts: known victims (persons linked across agencies) once a link run
  // exists, victim records before that.
  std::map<std::string, std::int64_t> by_area;
  const auto link_run = store.latest_link_run(Role::victim);
  if (link_run) {
    store.for_each_linked_person(*link_run, Role::victim,
                                 [&](const LinkedPerson& p, const std::optional<Date>&) { ++by_area[p.lad_cd]; });
  } else {
    by_area = store.records_by_area(Role::victim);
  }

  // One release holds every count the page shows that adds up to another, so disclosure
  // control sees the relations between tables (districts, regions, nation; source types).
  disclose::Release release;
  std::map<std::string, std::vector<std::size_t>> region_parts;
  std::vector<std::size_t> area_cell(areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    auto it = by_area.find(areas[i].code);
    area_cell[i] = release.add(it == by_area.end() ? 0 : it->second);
    region_parts[areas[i].region_name].push_back(area_cell[i]);
  }
  const auto unknown_area = by_area.find("");
  const std::size_t unknown_cell = release.add(unknown_area == by_area.end() ? 0 : unknown_area->second);
  std::map<std::string, std::size_t> region_cell;
  std::vector<std::size_t> national_parts = {unknown_cell};
  for (const auto& [region, parts] : region_parts) {
    std::int64_t sum = 0;
    for (auto p : parts) sum += release.values[p];
    region_cell[region] = release.add(sum);
    release.relations.push_back({region_cell[region], parts});
    national_parts.push_back(region_cell[region]);
  }
  std::int64_t national = 0;
  for (auto p : national_parts) national += release.values[p];
  const std::size_t national_cell = release.add(national);
  release.relations.push_back({national_cell, national_parts});

  // Victim records by source type, summing to the records total (which equals the map's
  // total when the map counts records).
  const auto completeness = store.field_completeness(Role::victim);
  std::vector<std::size_t> source_cells;
  std::int64_t records_total = 0;
  for (const auto& c : completeness) {
    source_cells.push_back(release.add(c.records));
    records_total += c.records;
  }
  const std::size_t records_cell = link_run ? release.add(records_total) : national_cell;
  if (!source_cells.empty()) release.relations.push_back({records_cell, source_cells});

  std::vector<disclose::PublishedCell> published;
  if (is_public) {
    published = disclose::protect(release);
  } else {
    for (auto v : release.values) published.push_back({disclose::CellStatus::Published, v});
  }

  nlohmann::json area_rows = nlohmann::json::array();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const Area& a = areas[i];
    area_rows.push_back({{"lad_cd", a.code},
                         {"name", a.name},
                         {"region", a.region_name},
                         {"pfa", a.pfa_name},
                         {"pop_0_17", a.pop_0_17},
                         {"lon", std::round(a.lon * 1000) / 1000},
                         {"lat", std::round(a.lat * 1000) / 1000},
                         {"count", cell(published[area_cell[i]])}});
  }
  nlohmann::json region_rows = nlohmann::json::array();
  for (const auto& [region, c] : region_cell) region_rows.push_back({{"region", region}, {"count", cell(published[c])}});
  b["areas"] = area_rows;
  b["regions"] = region_rows;
  b["area_counts"] = {{"measure", link_run ? "victims" : "victim_records"},
                      {"label", link_run ? "known victims (children linked across agencies)" : "victim records"},
                      {"link_run", link_run ? nlohmann::json(*link_run) : nlohmann::json(nullptr)},
                      {"total", cell(published[national_cell])},
                      {"no_area", cell(published[unknown_cell])}};
  b["victim_records_total"] = cell(published[records_cell]);

  // Offender networks: the networks stage stores its public-tier aggregates (already through
  // disclosure control). Figures measured against a simulator's truth stay out of the page.
  b["networks"] = nullptr;
  if (auto run = store.latest_run_summary("networks")) {
    auto n = nlohmann::json::parse(run->second);
    for (const char* key : {"ari", "pairwise_precision", "pairwise_recall", "pairwise_f1", "suspects_compared",
                            "suspects_not_offenders", "found_networks", "found_cross_force_networks", "true_networks",
                            "true_cross_force_networks", "true_cross_force_groups", "seconds"})
      n.erase(key);
    b["networks"] = n;
  }

  nlohmann::json sources = nlohmann::json::array();
  for (std::size_t k = 0; k < completeness.size(); ++k) {
    const auto& c = completeness[k];
    const auto orgs = summary.sources_by_source_type.count(c.source_type) ? summary.sources_by_source_type.at(c.source_type) : 0;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [field, n] : c.with_value) {
      // Shares in whole percent; hidden when the source's own count is suppressed.
      const double share = c.records ? 100.0 * static_cast<double>(n) / static_cast<double>(c.records) : 0.0;
      fields[field] = published[source_cells[k]].suppressed() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(is_public ? std::round(share) : share);
    }
    sources.push_back({{"source_type", c.source_type},
                       {"organisations", orgs},
                       {"victim_records", cell(published[source_cells[k]])},
                       {"percent_with_value", fields}});
  }
  b["sources"] = sources;
  b["linkage"] = linkage_json_impl(store, is_public);
  // Record-level linkage review: the restricted tier only, never in a public bundle.
  if (!is_public) b["review"] = review_json(store);
  b["store"] = {{"schema_version", summary.schema_version}, {"files", summary.files}, {"runs", summary.runs}};
  return b;
}

}  // namespace joindots::report
