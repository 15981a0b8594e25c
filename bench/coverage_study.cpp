// The simulation study of issue 4: how often each method's 95% interval covers the true
// population size, and its relative bias, over many simulated populations (METHODS.md
// section 3; SIMULATOR.md "Scenarios for the coverage study").
//
// Dense scenarios: N people (--size) on four lists with base capture probabilities 0.25,
// 0.20, 0.30, 0.15.
//   independent    every person has the base probabilities;
//   heterogeneous  30% of people are more visible: every probability x 1.58;
//   dependent      being on list 1 doubles the probability of list 2 (a referral);
//   both           the two together.
// Sparse scenarios (issue 13, item 3): 130-200 observed across 6 or 8 lists, most pairs of
// lists never overlapping (sparse_scenarios.hpp).
//   sparse6, sparse8            N 3,000 and 2,000, each list reaching 0.7-1.2%; being on a list
//                               makes the next one 4x as likely (a referral chain);
//   sparse6_het, sparse8_het    the same, with 30% of people 2.5x as visible;
//   sparse6_avoid, sparse8_avoid      mechanisms no rule was chosen on: a list makes the next
//   sparse6_classes, sparse8_classes  a quarter as likely; two latent groups, each seen by its
//                                     own half of the lists (sparse_scenarios.hpp).
//   sparse6_strong, sparse8_strong    the referral chain at 8x: a mean interaction as strong as
//                                     the published tables' (judges a narrower prior on it).
// By default every method runs on every table (estimate_all with Method::All, the `auto`
// headline among them); `--methods auto` runs the default's headline only (what `estimate
// --table` prints, no bootstrap), which is what a sparse study can afford. Output: a
// markdown table on stdout; progress on stderr.
//
//   joindots_coverage_study [--populations 200] [--size 2000] [--seed 1] [--bootstrap 200]
//                           [--heterogeneity Poisson2|Darroch|Gamma3.5|none] [--heterogeneity-charge 0]
//                           [--lcmcr-burn-in 5000] [--lcmcr-samples 2000] [--methods all|auto]
//                           [--scenarios independent,heterogeneous,dependent,both,sparse6,...]
//                           [--details FILE] [--search bounded|exhaustive] [--search-agreement 1]
//                           [--tau-scale 1] [--tau-prior half-normal|half-cauchy] [--interaction-mean-sd 0]
//                           [--interaction-df 0 (normal) | nu (Student-t)] [--interaction-mean-centre 0]
//                           [--sparse-default shrinkage|selection]
// The last five set loglinear_shrinkage's prior (shrinkage.hpp) when it runs, e.g. with
// --methods auto,loglinear_shrinkage.
// --search exhaustive searches sparse six-list tables exhaustively (the default bounds it:
// EstimateOptions::bound_sparse_search); --search-agreement 1 runs both on every population
// and counts how often the headline's model and estimate agree.
// --details writes one JSON line per population (scenario, population, truth, observed,
// the table's sparsity, the headline's estimate and interval, whether it covered, and the
// chosen model and top models of auto's tail-area average): to see *why* intervals miss.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "estimate/sparse_rule.hpp"
#include "candidate_headlines.hpp"
#include "sparse_scenarios.hpp"

namespace {

using namespace joindots;

struct Scenario {
  const char* name;
  bool heterogeneous;
  bool dependent;
  int sparse_lists = 0;  // 0: a dense four-list scenario; else sparse_scenarios.hpp's
  SparseMechanism mechanism = SparseMechanism::ReferralChain;
};

estimate::CaptureTable simulate_dense(const Scenario& s, int size, Rng& rng) {
  static constexpr double kBase[4] = {0.25, 0.20, 0.30, 0.15};
  std::vector<std::int64_t> counts(16, 0);
  for (int i = 0; i < size; ++i) {
    const double visibility = s.heterogeneous && rng.bernoulli(0.3) ? 1.58 : 1.0;
    std::uint32_t pattern = 0;
    for (int j = 0; j < 4; ++j) {
      double p = std::min(0.95, kBase[j] * visibility);
      if (j == 1 && s.dependent && (pattern & 1u)) p = std::min(0.95, 2 * p);
      if (rng.bernoulli(p)) pattern |= 1u << j;
    }
    ++counts[pattern];
  }
  counts[0] = 0;
  return estimate::CaptureTable::from_counts({"A", "B", "C", "D"}, counts);
}

// Comma-separated names; empty: every scenario.
bool selected(const std::string& list, const std::string& name) {
  if (list.empty()) return true;
  for (std::size_t p = 0; p <= list.size();) {
    const auto q = std::min(list.find(',', p), list.size());
    if (list.compare(p, q - p, name) == 0) return true;
    p = q + 1;
  }
  return false;
}

std::string heterogeneity_names(const std::vector<estimate::Heterogeneity>& hs) {
  std::string s;
  for (auto h : hs) s += (s.empty() ? "" : ", ") + std::string(estimate::to_string(h));
  return s.empty() ? "none" : s;
}

struct Tally {
  int runs = 0, covered = 0, true_size = 0;
  double bias_sum = 0;
  std::vector<double> widths;
};

// One population's line for --details.
nlohmann::ordered_json population_details(const std::string& scenario, int rep, int truth,
                                          const estimate::CaptureTable& table, const estimate::EstimateResult& r) {
  const auto sparsity = estimate::table_sparsity(table);
  nlohmann::ordered_json j{{"scenario", scenario},
                           {"population", rep},
                           {"truth", truth},
                           {"observed", r.observed},
                           {"empty_cell_share", sparsity.empty_cell_share()},
                           {"pairs_never_overlapping", sparsity.pairs_never_overlapping},
                           {"estimate", r.estimate},
                           {"interval", {r.interval.low, r.interval.high}},
                           {"covered", r.interval.low <= truth && truth <= r.interval.high},
                           {"headline", r.headline}};
  for (const auto& m : r.methods) {
    nlohmann::ordered_json e{{"estimate", m.estimate}, {"interval", {m.interval.low, m.interval.high}}};
    if (m.details.contains("model")) e["model"] = m.details["model"];
    if (m.method == "loglinear_mata")
      for (const char* key : {"chosen_model", "chosen_model_weight", "weight_with_heterogeneity", "models_averaged", "top_models"})
        if (m.details.contains(key)) e[key] = m.details[key];
    j["methods"][m.method] = e;
  }
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  int populations = 200, size = 2000, bootstrap = 200, lcmcr_burn_in = 5000;
  std::vector<estimate::Heterogeneity> heterogeneity = estimate::EstimateOptions{}.heterogeneity;
  std::string only;
  std::string methods = "all";
  // Experiment (issue 13): "table" sets the heterogeneity charge per table by
  // heterogeneity_charge_for (sparse_rule.hpp) instead of --heterogeneity-charge alone.
  std::string charge_rule = "fixed";
  std::string details_path, dump_dir;
  bool exhaustive_search = false, search_agreement = false;
  bool sparse_shrinkage = true;  // --sparse-default shrinkage|selection (EstimateOptions::sparse_shrinkage)
  int lcmcr_samples = 2000;
  double charge = estimate::EstimateOptions{}.heterogeneity_charge;
  estimate::ShrinkageOptions shrinkage;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--populations") populations = std::atoi(argv[i + 1]);
    else if (a == "--size") size = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--bootstrap") bootstrap = std::atoi(argv[i + 1]);
    else if (a == "--heterogeneity") {
      // Comma-separated terms, or none.
      heterogeneity.clear();
      const std::string list = argv[i + 1];
      for (std::size_t p = 0; p < list.size();) {
        const auto q = std::min(list.find(',', p), list.size());
        const std::string h = list.substr(p, q - p);
        if (h != "none") heterogeneity.push_back(estimate::LogLinearModel::parse("[1]+" + h, 1).heterogeneity());
        p = q + 1;
      }
    } else if (a == "--lcmcr-burn-in") lcmcr_burn_in = std::atoi(argv[i + 1]);
    else if (a == "--scenarios") only = argv[i + 1];
    else if (a == "--heterogeneity-charge") charge = std::atof(argv[i + 1]);
    else if (a == "--lcmcr-samples") lcmcr_samples = std::atoi(argv[i + 1]);
    else if (a == "--methods") methods = argv[i + 1];
    else if (a == "--charge-rule") charge_rule = argv[i + 1];
    else if (a == "--details") details_path = argv[i + 1];
    else if (a == "--dump-tables") dump_dir = argv[i + 1];  // each population's table as SCENARIO_POP.csv
    else if (a == "--search") exhaustive_search = std::string(argv[i + 1]) == "exhaustive";
    else if (a == "--sparse-default") sparse_shrinkage = std::string(argv[i + 1]) != "selection";
    else if (a == "--search-agreement") search_agreement = std::atoi(argv[i + 1]) != 0;
    else if (a == "--tau-scale") shrinkage.tau_scale = std::atof(argv[i + 1]);  // loglinear_shrinkage's prior
    else if (a == "--tau-prior") shrinkage.tau_prior = std::string(argv[i + 1]) == "half-cauchy"
                                                           ? estimate::TauPrior::HalfCauchy
                                                           : estimate::TauPrior::HalfNormal;
    else if (a == "--interaction-mean-sd") shrinkage.interaction_mean_sd = std::atof(argv[i + 1]);
    else if (a == "--interaction-df") shrinkage.interaction_df = std::atof(argv[i + 1]);
    else if (a == "--interaction-mean-centre") shrinkage.interaction_mean_centre = std::atof(argv[i + 1]);
    else {
      fmt::print(stderr, "unknown option {}\n", a);
      return 1;
    }
  }
  // --methods auto,lcmcr,...: auto's headline, then each other method run alone on the
  // same table (its own headline), e.g. to compare LCMCR with auto on sparse tables.
  std::vector<estimate::Method> extra_methods;
  {
    const std::string list = methods;
    methods.clear();
    for (std::size_t p = 0; p <= list.size();) {
      const auto q = std::min(list.find(',', p), list.size());
      const std::string name = list.substr(p, q - p);
      if (methods.empty()) methods = name;
      else extra_methods.push_back(estimate::parse_method(name));
      p = q + 1;
    }
  }
  if (methods != "all" && methods != "auto") {
    fmt::print(stderr, "--methods: `{}`; valid: all, auto, then other methods to run alone\n", methods);
    return 1;
  }
  const Scenario scenarios[] = {{"independent", false, false},      {"heterogeneous", true, false},
                                {"dependent", false, true},         {"both", true, true},
                                {"sparse6", false, true, 6},        {"sparse6_het", true, true, 6},
                                {"sparse8", false, true, 8},        {"sparse8_het", true, true, 8},
                                {"sparse8_avoid", false, true, 8, SparseMechanism::AvoidanceChain},
                                {"sparse8_classes", false, true, 8, SparseMechanism::LatentClasses},
                                {"sparse6_avoid", false, true, 6, SparseMechanism::AvoidanceChain},
                                {"sparse6_classes", false, true, 6, SparseMechanism::LatentClasses},
                                {"sparse8_strong", false, true, 8, SparseMechanism::StrongReferralChain},
                                {"sparse6_strong", false, true, 6, SparseMechanism::StrongReferralChain}};
  estimate::EstimateOptions opt;
  opt.method = methods == "auto" ? estimate::Method::Auto : estimate::Method::All;
  opt.headline_only = methods == "auto";
  opt.bootstrap_replicates = bootstrap;
  opt.lcmcr.chains = 2;
  opt.lcmcr.burn_in = lcmcr_burn_in;
  opt.heterogeneity = heterogeneity;
  opt.heterogeneity_charge = charge;
  opt.lcmcr.samples = lcmcr_samples;
  opt.lcmcr.thin = 5;
  opt.bound_sparse_search = !exhaustive_search;
  opt.shrinkage = shrinkage;
  opt.sparse_shrinkage = sparse_shrinkage;
  std::map<std::string, std::pair<int, int>> agreement;  // scenario -> (same model, populations)

  std::map<std::string, std::map<std::string, Tally>> tallies;  // scenario -> method -> tally
  long long wanted = 0;
  for (const auto& s : scenarios) wanted += selected(only, s.name) ? populations : 0;
  if (wanted == 0) {
    fmt::print(stderr, "--scenarios: no scenario named in `{}`\n", only);
    return 1;
  }
  std::ofstream details;
  if (!details_path.empty()) {
    details.open(details_path);
    if (!details) {
      fmt::print(stderr, "--details: cannot write `{}`\n", details_path);
      return 1;
    }
  }
  Progress progress("coverage study", "populations", wanted, false);
  for (const auto& s : scenarios) {
    if (!selected(only, s.name)) continue;
    for (int rep = 0; rep < populations; ++rep) {
      Rng rng(seed, s.name, static_cast<std::uint64_t>(rep));
      const int truth = s.sparse_lists ? sparse_scenario_size(s.sparse_lists) : size;
      const auto table = s.sparse_lists ? simulate_sparse(s.sparse_lists, s.heterogeneous, rng, s.mechanism)
                                        : simulate_dense(s, size, rng);
      opt.seed = seed * 1000003 + static_cast<std::uint64_t>(rep);
      if (!dump_dir.empty()) {
        std::ofstream out(fmt::format("{}/{}_{}.csv", dump_dir, s.name, rep));
        for (const auto& name : table.lists) out << name << ',';
        out << "count\n";
        for (std::uint32_t c = 1; c < table.cells(); ++c) {
          for (int j = 0; j < table.k(); ++j) out << (c >> j & 1u) << ',';
          out << table.counts[c] << '\n';
        }
      }
      opt.heterogeneity_charge = charge_rule == "table" ? estimate::heterogeneity_charge_for(table, charge) : charge;
      const auto result = estimate::estimate_all(table, opt);
      auto record = [&](const std::string& method, double est, const estimate::Interval& iv) {
        if (std::isnan(est) || std::isnan(iv.low) || std::isnan(iv.high)) return;
        auto& t = tallies[s.name][method];
        ++t.runs;
        t.true_size = truth;
        t.covered += iv.low <= truth && truth <= iv.high;
        t.bias_sum += (est - truth) / truth;
        t.widths.push_back(iv.high - iv.low);
      };
      record("auto (headline)", result.estimate, result.interval);
      // "loglinear" carries the BIC model's profile interval; the headline widens it.
      for (const auto& m : result.methods) record(m.method, m.estimate, m.interval);
      // Issue 11's candidate interval (bench/mechanism_study.cpp measures it too).
      record("auto, forms' interval", result.estimate, bench::forms_interval(table, result));
      record("auto, forms' interval, term not charged", result.estimate, bench::forms_interval(table, result, 0.0));
      nlohmann::ordered_json alone_json = nlohmann::ordered_json::object();
      for (const auto extra : extra_methods) {
        auto alone = opt;
        alone.method = extra;
        alone.headline_only = false;
        const auto r = estimate::estimate_all(table, alone);
        record(std::string(estimate::to_string(extra)) + " (alone)", r.estimate, r.interval);
        auto& aj = alone_json[estimate::to_string(extra)];
        aj = {{"estimate", r.estimate}, {"interval", {r.interval.low, r.interval.high}}};
        for (const auto& m : r.methods)
          for (const char* key : {"rhat", "ess", "divergences", "tau_median", "interaction_mean_median", "posterior_mean",
                                 "seconds"})
            if (m.method == r.headline && m.details.contains(key)) aj[key] = m.details[key];
      }
      if (search_agreement) {
        auto other = opt;
        other.bound_sparse_search = !opt.bound_sparse_search;
        const auto alt = estimate::estimate_all(table, other);
        auto model_of = [](const estimate::EstimateResult& r) {
          for (const auto& m : r.methods)
            if (m.method == r.headline && m.details.contains("model")) return m.details["model"].get<std::string>();
          return std::string();
        };
        auto& [same, total] = agreement[s.name];
        same += model_of(result) == model_of(alt) && !model_of(result).empty();
        ++total;
        alone_json[opt.bound_sparse_search ? "exhaustive_search" : "bounded_search"] = {
            {"model", model_of(alt)}, {"estimate", alt.estimate}, {"interval", {alt.interval.low, alt.interval.high}}};
        alone_json["headline_model"] = model_of(result);
        record(opt.bound_sparse_search ? "auto, exhaustive search" : "auto, bounded search", alt.estimate, alt.interval);
      }
      if (details.is_open()) {
        auto line = population_details(s.name, rep, truth, table, result);
        if (!alone_json.empty()) line["alone"] = alone_json;
        details << line.dump() << '\n' << std::flush;
      }
      progress.advance();
    }
  }
  progress.finish();

  fmt::print("| scenario | method | populations | coverage of 95% interval (± MC s.e.) | mean relative bias | median "
             "interval width | median width / N |\n");
  fmt::print("|---|---|---|---|---|---|---|\n");
  for (const auto& s : scenarios) {
    if (!tallies.contains(s.name)) continue;
    for (auto& [method, t] : tallies[s.name]) {
      const double cov = static_cast<double>(t.covered) / t.runs;
      std::sort(t.widths.begin(), t.widths.end());
      const double width = t.widths[t.widths.size() / 2];
      fmt::print("| {} | {} | {} | {:.3f} ± {:.3f} | {:+.1f}% | {:.0f} | {:.2f} |\n", s.name, method, t.runs, cov,
                 std::sqrt(cov * (1 - cov) / t.runs), 100 * t.bias_sum / t.runs, width, width / t.true_size);
    }
  }
  for (const auto& [name, counts] : agreement)
    fmt::print("\n{}: bounded and exhaustive searches chose the same headline model in {} of {} populations.\n", name,
               counts.first, counts.second);
  fmt::print("\nDense: N = {} per population, four lists; sparse: N as in sparse_scenarios.hpp; methods {}; seed {}, "
             "{} bootstrap replicates, heterogeneity terms {} (charged "
             "{} of BIC's log n in auto's interval, charge rule {}), LCMCR 2 chains of {} + {} x 5.\n",
             size, methods, seed, bootstrap, heterogeneity_names(heterogeneity), charge, charge_rule, lcmcr_burn_in, lcmcr_samples);
  return 0;
}
