// joindots estimate: how many people in all, including those no list recorded, from a
// capture-history table (--table, calls estimate::estimate_all) or from the store's latest
// link run (--db, calls questions::answer_four_questions); this file only parses options
// and prints.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/data_dir.hpp"
#include "estimate/estimate.hpp"
#include "io/area_file.hpp"
#include "questions/estimate_run.hpp"
#include "questions/four_questions.hpp"
#include "questions/method_details.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct EstimateCliOptions {
  CommonOptions common;
  std::string table;
  std::vector<std::string> covariates;
  int bayes_draws = 4000;
  std::string censored_list;
  std::string db;
  std::vector<std::string> by;
  std::int64_t min_observed = 50;
  std::string reference_date;
  std::string truth;
  std::string method = "auto";
  std::string criterion = "bic";
  std::string model;
  std::vector<std::string> heterogeneity = {"Poisson2", "Darroch", "Gamma3.5"};
  double heterogeneity_charge = estimate::EstimateOptions{}.heterogeneity_charge;
  std::string sparse_default = "shrinkage";
  std::uint64_t seed = 1;
  int bootstrap = 1000;
  int chains = 4;
  int burn_in = 20000;
  int samples = 10000;
  int thin = 10;
  int max_order = 0;
  int max_classes = 10;
  int threads = 2;
  int linkage_draws = questions::QuestionsOptions{}.linkage_draws;
  std::string unseen_links = "on";
  std::vector<std::string> thresholds = {"0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"};
  double stepwise_p = estimate::EstimateOptions{}.stepwise_p;
  bool lcmcr_settings_given = false;  // any of --chains, --burn-in, --samples, --thin
  bool bootstrap_given = false;
};

std::string number(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.0f}", v);
}

estimate::EstimateOptions estimate_options(const EstimateCliOptions& opt) {
  estimate::EstimateOptions eo;
  eo.method = estimate::parse_method(opt.method);
  eo.criterion = estimate::parse_criterion(opt.criterion);
  eo.max_order = opt.max_order;
  // The plain models always compete; "none" adds no term (no heterogeneity search).
  eo.heterogeneity.clear();
  eo.heterogeneity_charge = opt.heterogeneity_charge;
  eo.sparse_shrinkage = opt.sparse_default == "shrinkage";
  for (const auto& h : opt.heterogeneity)
    if (h != "none") eo.heterogeneity.push_back(estimate::LogLinearModel::parse("[1]+" + h, 1).heterogeneity());
  eo.seed = opt.seed;
  eo.bootstrap_replicates = opt.bootstrap;
  eo.threads = opt.threads;
  eo.stepwise_p = opt.stepwise_p;
  eo.lcmcr.chains = opt.chains;
  eo.lcmcr.burn_in = opt.burn_in;
  eo.lcmcr.samples = opt.samples;
  eo.lcmcr.thin = opt.thin;
  eo.lcmcr.max_classes = opt.max_classes;
  if (opt.lcmcr_settings_given) eo.lcmcr_side_budget = 0;  // the sampler as asked
  if (opt.bootstrap_given) eo.side_bootstrap_budget = 0;    // the replicates as asked
  eo.bayes.draws_per_model = opt.bayes_draws;
  return eo;
}

std::string interval_text(const estimate::Interval& i) {
  return std::isnan(i.low) ? "-" : fmt::format("{}-{}", number(i.low), number(i.high));
}

/// --thresholds: each a probability strictly between 0 and 1; "none" for no curve.
std::vector<double> match_thresholds(const std::vector<std::string>& given) {
  std::vector<double> out;
  for (const auto& t : given) {
    if (t == "none") continue;
    std::size_t used = 0;
    double v = -1;
    try {
      v = std::stod(t, &used);
    } catch (const std::exception&) {
    }
    if (used != t.size() || !(v > 0 && v < 1))
      throw UsageError(fmt::format("--thresholds: '{}' is not a probability strictly between 0 and 1 (or none)", t));
    out.push_back(v);
  }
  return out;
}

/// --db: the four questions from the latest link run, saved as an estimate run.
int run_questions(const EstimateCliOptions& opt) {
  if (!opt.model.empty()) throw UsageError("estimate: --model applies to --table only");
  if (!opt.covariates.empty()) throw UsageError("estimate: --covariates applies to --table only");
  questions::QuestionsOptions qo;
  qo.estimate = estimate_options(opt);
  qo.by = opt.by;
  qo.min_observed = opt.min_observed;
  qo.quiet = opt.common.quiet;
  qo.linkage_draws = opt.linkage_draws;
  qo.unseen_links = questions::parse_unseen_links_mode(opt.unseen_links);
  qo.thresholds = match_thresholds(opt.thresholds);
  if (!opt.reference_date.empty()) {
    std::string why;
    qo.reference_date = Date::parse_full(opt.reference_date, &why);
    if (!qo.reference_date) throw UsageError("--reference-date: " + why);
  }
  const AreaTable areas = load_area_table(data_dir());
  auto store = Store::open(opt.db, /*create=*/false);
  nlohmann::json params{{"method", opt.method},
                        {"criterion", opt.criterion},
                        {"by", opt.by},
                        {"min_observed", opt.min_observed},
                        {"seed", opt.seed},
                        {"bootstrap", opt.bootstrap},
                        {"reference_date", opt.reference_date},
                        {"linkage_draws", opt.linkage_draws},
                        {"unseen_links", opt.unseen_links},
                        {"thresholds", opt.thresholds}};
  if (!opt.common.quiet && !opt.common.json)
    fmt::print(stderr, "estimate: the four questions from {}\n", Store::shown(opt.db));
  const auto [run_id, answers] = questions::answer_and_save(*store, areas, qo, params);
  std::optional<SimulatedTruth> truth;
  if (!opt.truth.empty()) truth = read_simulated_truth(opt.truth);

  if (opt.common.json) {
    nlohmann::ordered_json out;
    out["observed"] = answers.victims.known;
    out["estimate"] = answers.victims.estimate;
    out["interval"] = {answers.victims.interval.low, answers.victims.interval.high};
    out["method"] = answers.victims.method;
    out["run_id"] = run_id;
    const auto j = answers.to_json();
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value();
    if (truth) out["truth"] = questions::truth_json(*truth);
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  fmt::print("estimate run {} from link run {}; reference date {}; lists: {}\n\n", run_id, answers.link_run,
             answers.reference_date.str(), fmt::join(answers.lists, ", "));
  fmt::print("{:<16} {:>9} {:>10} {:>17}{}\n", "question", "known", "estimate", "95% interval",
             truth ? "      truth" : "");
  auto row = [&](const char* name, const questions::Answer& a, std::optional<std::int64_t> t) {
    fmt::print("{:<16} {:>9} {:>10} {:>17}{}\n", name, a.known, number(a.estimate), interval_text(a.interval),
               t ? fmt::format(" {:>10}", *t) : std::string());
  };
  row("victims", answers.victims, truth ? std::optional(truth->victims) : std::nullopt);
  row("areas affected", answers.areas, truth ? std::optional(truth->areas) : std::nullopt);
  row("offences (floor)", answers.offences, truth ? std::optional(truth->offences) : std::nullopt);
  row("still involved", answers.still_involved, truth ? std::optional(truth->still_involved) : std::nullopt);
  for (const auto& c : answers.cautions) fmt::print("caution: {}\n", c);
  if (!answers.offences.caution.empty()) fmt::print("caution (offences): {}\n", answers.offences.caution);
  if (answers.linkage) {
    const auto& u = *answers.linkage;
    fmt::print("\nlinkage: {} draws from the link's pair probabilities: {} ({}) taking every link as certain, {} ({}) "
               "with linkage error; {:.0f}% of the width from linkage; {:.1f} s\n",
               u.draws, number(u.model_estimate), interval_text(u.model_interval), number(u.combined.estimate),
               interval_text(u.combined.interval), 100 * u.combined.linkage_share, u.seconds);
    if (const auto text = questions::unseen_links_text(u.unseen_links); !text.empty()) fmt::print("{}\n", text);
  }
  if (!answers.threshold_curve.empty()) {
    fmt::print("threshold curve (persons, victims):");
    for (const auto& p : answers.threshold_curve)
      fmt::print(" {:.2g}: {} {}", p.threshold, p.persons, number(p.estimate));
    fmt::print("\n");
  }
  fmt::print("\nvictims: {}\nareas: Chao2 cross-check {:.0f}\noffences: {}\nstill involved: {}", answers.victims.method,
             answers.areas_chao2, answers.offences.method, answers.still_involved.method);
  if (answers.still_involved_age_unknown)
    fmt::print(" ({} recent persons of unknown age left out)", answers.still_involved_age_unknown);
  fmt::print("\n");
  for (const auto& [name, a] :
       {std::pair{"victims", &answers.victims}, std::pair{"areas", &answers.areas},
        std::pair{"offences", &answers.offences}, std::pair{"still involved", &answers.still_involved}})
    if (!a->why.empty()) fmt::print("{}: {}\n", name, a->why);
  // The victims' weak flag is among the notes printed last; the children still involved's here.
  if (!answers.still_involved.weak_headline.empty())
    fmt::print("still involved: weak headline: {}\n", answers.still_involved.weak_headline);
  for (const auto& d : answers.diagnostics) fmt::print("warning: {}\n", d.text);
  if (!answers.strata.empty()) {
    fmt::print("\n{:<10} {:<26} {:>8} {:>10} {:>17}  {}\n", "stratum", "value", "known", "estimate", "95% interval",
               "note");
    for (const auto& s : answers.strata) {
      std::string note = s.flag;
      if (s.model_based)
        note += fmt::format("{}model-based {} ({}), {} ratio", note.empty() ? "" : "; ", number(*s.model_based),
                            interval_text(s.model_based_interval), s.model_based_parent);
      if (!s.weak_headline.empty())
        note += fmt::format("{}weak: quote the interval, not the figure (why: --json)", note.empty() ? "" : "; ");
      fmt::print("{:<10} {:<26} {:>8} {:>10} {:>17}  {}\n", s.dimension, s.value, s.observed,
                 s.estimate ? number(*s.estimate) : "-", s.estimate ? interval_text(s.interval) : "-", note);
    }
  }
  for (const auto& n : answers.victims_detail.notes) fmt::print("note: {}\n", n);
  return 0;
}

/// The last column of a method's row: its model, interval and diagnostics in a few words.
std::string method_note(const estimate::MethodEstimate& m) {
  if (m.method == "loglinear" || m.method == "loglinear_heterogeneity") {
    const auto d = questions::LogLinearDetails::from_json(m.details);
    if (!d.fitted) return m.method == "loglinear" ? "no valid model" : "";
    std::string note =
        fmt::format("{} {}, deviance {:.2f} on {} df; {}", d.model, d.criterion, d.deviance, d.df, d.interval_kind);
    if (d.bootstrap && std::isfinite(d.bootstrap->interval.low))
      note += fmt::format("; bootstrap with selection {}-{}", number(d.bootstrap->interval.low),
                          number(d.bootstrap->interval.high));
    return note;
  }
  if (m.method == "loglinear_averaged" || m.method == "loglinear_heterogeneity_averaged") {
    const auto d = questions::AveragedDetails::from_json(m.details);
    return fmt::format("{} models, {} weights; {}", d.models_averaged, d.criterion, m.interval.kind);
  }
  if (m.method == "loglinear_forms_averaged" && m.details.contains("forms"))
    return fmt::format("the best model of each of {} heterogeneity forms, averaged; {}", m.details["forms"].size(),
                       m.interval.kind);
  if (m.method == "loglinear_mata") {
    const auto d = questions::MataDetails::from_json(m.details);
    return fmt::format("median and tail-area interval over {} models, {:.0f}% of the weight on heterogeneity",
                       d.models_averaged, 100 * d.weight_with_heterogeneity);
  }
  if (m.method == "stepwise") {
    const auto d = questions::StepwiseDetails::from_json(m.details);
    return d.model.empty() ? "" : fmt::format("{} ({}); {}", d.model, d.rule, m.interval.kind);
  }
  if (m.method == "lcmcr") {
    const auto d = questions::LcmcrDetails::from_json(m.details);
    return fmt::format("posterior median; R-hat {:.3f}, ESS {:.0f}, {} chains{}", d.rhat, d.ess, d.chains,
                       d.multimodal ? "; the chains disagree: more than one mode (see note)" : "");
  }
  if (m.method == "loglinear_shrinkage" && m.details.contains("rhat"))
    return fmt::format("posterior median, every two-way interaction shrunk; {}; R-hat {:.3f}, {} divergent",
                       m.interval.kind, m.details["rhat"].get<double>(), m.details["divergences"].get<int>());
  if (m.method == "bayes_loglinear") {
    const auto d = questions::BayesLogLinearDetails::from_json(m.details);
    return fmt::format("posterior mean, HPD; {} models, best {} (p = {:.2f}); ESS of N {:.0f}", d.models_in_space,
                       d.top_models.empty() ? std::string("-") : d.top_models[0].model,
                       d.top_models.empty() ? 0.0 : d.top_models[0].probability, d.ess);
  }
  if (m.method == "chapman") {
    const auto d = questions::ChapmanDetails::from_json(m.details);
    return fmt::format("n1 {}, n2 {}, both {}; {}", d.n1, d.n2, d.both, d.interval_kind);
  }
  return "";
}

/// bayes_loglinear's count per stratum of the covariates, then per level of each.
void print_bayes_strata(const questions::BayesLogLinearDetails& d) {
  if (d.strata.empty()) return;
  auto rows = d.strata;
  rows.insert(rows.end(), d.margins.begin(), d.margins.end());
  std::size_t width = 7;
  for (const auto& s : rows) width = std::max(width, s.stratum.size());
  fmt::print("\nbayes_loglinear by stratum{}:\n{:<{}} {:>8} {:>10} {:>10} {:>10}  {}\n",
             d.margins.empty() ? "" : " (then each level, over the other covariates)", "stratum", width, "observed",
             "mean", "hpd low", "hpd high", "equal-tailed");
  for (const auto& s : rows)
    fmt::print("{:<{}} {:>8} {:>10} {:>10} {:>10}  {}-{}\n", s.stratum, width, s.observed, number(s.posterior_mean),
               number(s.hpd.low), number(s.hpd.high), number(s.equal_tailed.low), number(s.equal_tailed.high));
}

/// The log-linear models the existence check left out (the first ten).
void print_excluded(const questions::LogLinearDetails& d) {
  const auto total = d.excluded_total;
  if (total == 0) return;
  fmt::print("\n{} model{} excluded (MLE check):\n", total, total == 1 ? "" : "s");
  std::size_t shown = 0;
  for (const auto& e : d.excluded) {
    if (++shown > 10) break;
    fmt::print("  {:<24} {}\n", e.model, e.status);
  }
  if (total > 10) fmt::print("  ... and {} more (see --json)\n", total - 10);
}

int run_estimate(const EstimateCliOptions& opt) {
  if (!opt.db.empty() && !opt.table.empty()) throw UsageError("estimate: give --table or --db, not both");
  if (!opt.db.empty()) return run_questions(opt);
  if (!opt.by.empty() || !opt.truth.empty() || !opt.reference_date.empty())
    throw UsageError("estimate: --by, --truth and --reference-date apply to --db only");
  if (opt.table.empty()) throw UsageError("estimate: give --table FILE.csv (a capture-history table) or --db hub.db");
  estimate::EstimateOptions eo = estimate_options(opt);  // usage errors before reading the table
  eo.progress = !opt.common.quiet;
  // Covariates: the columns named by --covariates, or word-valued columns before `count`.
  // A table without them is read (and its errors reported) as always.
  const auto covariates = opt.covariates.empty() ? estimate::detect_covariate_columns(opt.table) : opt.covariates;
  const auto table = covariates.empty()
                         ? estimate::CovariateCaptureTable::from_table(estimate::read_capture_table(opt.table))
                         : estimate::read_covariate_capture_table(opt.table, covariates);
  if (!opt.model.empty()) eo.model = estimate::LogLinearModel::parse(opt.model, table.k());
  if (!opt.censored_list.empty()) {
    const auto it = std::find(table.lists.begin(), table.lists.end(), opt.censored_list);
    if (it == table.lists.end())
      throw UsageError(fmt::format("--censored-list: `{}` is not a list of {} (lists: {})", opt.censored_list,
                                   opt.table, fmt::join(table.lists, ", ")));
    eo.bayes.censored_list = static_cast<int>(it - table.lists.begin());
  }
  if (!opt.common.quiet && !opt.common.json) {
    std::string covs;
    for (const auto& c : table.covariates)
      covs += fmt::format("{}{} ({} levels)", covs.empty() ? "; covariates " : ", ", c.name, c.levels.size());
    fmt::print(stderr, "estimate: {} lists{}, {} people observed; method {}\n", table.k(), covs, table.observed(),
               opt.method);
  }
  const auto result = estimate::estimate_all(table, eo);
  if (opt.common.json) {
    std::cout << estimate::to_json(result).dump(2) << '\n';
    return 0;
  }
  fmt::print("observed   {}\n", result.observed);
  if (std::isnan(result.interval.low))
    fmt::print("estimate   {}  (no interval)\n", number(result.estimate));
  else
    fmt::print("estimate   {}  ({:.0f}% interval {} to {})\n", number(result.estimate), 100 * result.interval.level,
               number(result.interval.low), number(result.interval.high));
  fmt::print("method     {}\n", result.method);
  if (result.weak_headline.starts_with("sparse table") && result.headline == "loglinear_shrinkage")
    fmt::print("weak       the table supports an interval, not a point estimate (see the note)\n");
  else if (result.weak_headline.starts_with("sparse table"))
    fmt::print("weak       a sparse table: this method's interval missed often on tables like it; quote auto's "
               "(see the note)\n");
  else if (!result.weak_headline.empty())
    fmt::print("weak       not a figure to quote alone (see the note)\n");
  if (!result.interval.kind.empty()) fmt::print("interval   {}\n", result.interval.kind);
  fmt::print("\n");
  fmt::print("{:<33} {:>10} {:>10} {:>10}  {}\n", "method", "estimate", "low", "high",
             "model / interval / diagnostics");
  for (const auto& m : result.methods) {
    const std::string note = method_note(m);
    if (std::isnan(m.interval.low))  // the method gives no interval: say so, not "-"
      fmt::print("{:<33} {:>10} {:>21}  {}\n", m.method, number(m.estimate), "no interval", note);
    else
      fmt::print("{:<33} {:>10} {:>10} {:>10}  {}\n", m.method, number(m.estimate), number(m.interval.low),
                 number(m.interval.high), note);
  }
  for (const auto& m : result.methods)
    if (m.method == "bayes_loglinear") print_bayes_strata(questions::BayesLogLinearDetails::from_json(m.details));
  for (const auto& m : result.methods)
    if (m.method == "loglinear") print_excluded(questions::LogLinearDetails::from_json(m.details));
  for (const auto& n : result.notes) fmt::print("note: {}\n", n);
  return 0;
}

}  // namespace

void add_estimate_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<EstimateCliOptions>();
  auto* cmd = app.add_subcommand(
      "estimate",
      "Estimate the total number of people, including those no list recorded (multiple systems estimation)");
  cmd->add_option("--table", opt->table, "A capture-history CSV: one 0/1 column per list, then count");
  cmd->add_option("--covariates", opt->covariates,
                  "With --table: the covariate columns (between the list columns and count), comma-separated; "
                  "word-valued columns there are found without it")
      ->delimiter(',');
  cmd->add_option("--bayes-draws", opt->bayes_draws, "bayes_loglinear: importance draws per model")
      ->check(CLI::Range(20, 10000000))
      ->capture_default_str();
  cmd->add_option("--censored-list", opt->censored_list,
                  "bayes_loglinear: the cells recorded by this list alone are upper bounds (it also records people "
                  "outside the population); their true counts are between 1 and the count given (conting's cens)");
  cmd->add_option("--db", opt->db, "The store: answer the four questions from its latest link run (saved as a run)");
  cmd->add_option("--by", opt->by, "With --db: strata, comma-separated: region, pfa, year, age_band, sex")
      ->delimiter(',');
  cmd->add_option("--min-observed", opt->min_observed,
                  "With --by: a stratum with fewer known persons is flagged (too sparse) and not estimated")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}))
      ->capture_default_str();
  cmd->add_option("--reference-date", opt->reference_date,
                  "With --db: the date 'now' for children still involved (default: the latest victim record)");
  cmd->add_option("--truth", opt->truth, "With --db: the folder `simulate` wrote, to compare with the truth");
  cmd->add_option("--linkage-draws", opt->linkage_draws,
                  "With --db: partitions drawn from the link's pair probabilities, to correct the victims' estimate "
                  "for linkage error and widen its interval by it (0: off)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--unseen-links", opt->unseen_links,
                  "With --db and linkage draws: correct each draw's victims' table for true links blocking never "
                  "compared, by the link's estimated blocking recall (auto: only where that recall is below 0.9)")
      ->check(CLI::IsMember({"on", "auto", "off"}))
      ->capture_default_str();
  cmd->add_option("--thresholds", opt->thresholds,
                  "With --db: match thresholds at which the victims are re-estimated (the threshold curve), "
                  "comma-separated; none for no curve")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--method", opt->method,
                  "auto, chapman, loglinear, stepwise, lcmcr, bayes_loglinear, loglinear_shrinkage or all")
      ->capture_default_str();
  cmd->add_option("--stepwise-p", opt->stepwise_p,
                  "stepwise: add the interaction whose overlap is least likely under the current model while its "
                  "Poisson p-value is below this (SparseMSE's pthresh; the UK 2013 analysis used 0.05)")
      ->check(CLI::Range(1e-12, 1.0))
      ->capture_default_str();
  cmd->add_option("--criterion", opt->criterion, "Model choice for log-linear models: bic or aic")
      ->capture_default_str();
  cmd->add_option("--max-order", opt->max_order,
                  "Interactions searched: 2 two-way models; 3 all hierarchical models up to three-way terms (up "
                  "to 5 lists); 0 picks 3 for up to 5 lists, else 2")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  cmd->add_option("--heterogeneity", opt->heterogeneity,
                  "auto/all with 3+ lists: the heterogeneity terms whose models compete with the plain ones for "
                  "the headline, comma-separated (Poisson2, Darroch, Gamma3.5), or none")
      ->delimiter(',')
      ->check(CLI::IsMember({"Poisson2", "Darroch", "Gamma3.5", "none"}))
      ->capture_default_str();
  cmd->add_option("--heterogeneity-charge", opt->heterogeneity_charge,
                  "auto's model-averaged interval: the share of BIC's log(n) charged for a heterogeneity term "
                  "(1: plain BIC weights; 0: the term is free)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--sparse-default", opt->sparse_default,
                  "auto/all on a sparse table (half its cells empty or more): shrinkage (loglinear_shrinkage's "
                  "interval, its median flagged weak) or selection (the dense tables' rule, flagged weak: its "
                  "interval is too narrow there)")
      ->check(CLI::IsMember({"shrinkage", "selection"}))
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "Fit this log-linear model instead of searching, e.g. [123,14,34]");
  cmd->add_option("--seed", opt->seed, "Seed for the bootstrap and the sampler")->capture_default_str();
  auto* bootstrap = cmd->add_option("--bootstrap", opt->bootstrap,
                                    "Bootstrap replicates (0: none; auto lowers them on a large table unless given)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  auto* chains =
      cmd->add_option("--chains", opt->chains, "LCMCR chains")->check(CLI::Range(1, 64))->capture_default_str();
  auto* burn_in = cmd->add_option("--burn-in", opt->burn_in, "LCMCR burn-in iterations per chain")
                      ->check(CLI::Range(0, 100000000))
                      ->capture_default_str();
  auto* samples = cmd->add_option("--samples", opt->samples,
                                  "LCMCR kept draws per chain (auto lowers them for a large table unless given)")
                      ->check(CLI::Range(2, 100000000))
                      ->capture_default_str();
  auto* thin =
      cmd->add_option("--thin", opt->thin, "LCMCR thinning")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--classes", opt->max_classes, "LCMCR latent classes K*")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads, "Threads for the bootstrap and the chains")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run, chains, burn_in, samples, thin, bootstrap] {
    opt->lcmcr_settings_given = chains->count() + burn_in->count() + samples->count() + thin->count() > 0;
    opt->bootstrap_given = bootstrap->count() > 0;
    run = [opt] { return run_estimate(*opt); };
  });
}

}  // namespace joindots::cli
