// The study across generating mechanisms (issue 11, item 3): for each scenario preset of the
// simulator (src/simulate/scenarios.cpp), many simulated countries, and for each the bias,
// RMSE and 95% coverage of `auto` and of every method against the true number of victims.
//
// Two kinds of run, as each preset says:
//   table level  simulate in-process, take the true capture table (perfect linkage) from
//                truth/summary.json and run estimate_all with every method: the mechanism's
//                effect on estimation alone;
//   end to end   simulate -> ingest -> link --role victim -> estimate --db --method all, by
//                running the joindots binary: the mechanism's effect through linkage (the
//                victims' linkage F1 is recorded too). `auto` is the headline with the linkage
//                draws (on by default), `auto_draws_off` the same on the link's own table; the
//                other methods run on the link's table. The headline's cautions go to
//                CSV.notes.jsonl. The same population's perfect-linkage table is estimated
//                beside it ("<scenario>/perfect linkage").
// Populations run on --threads workers (default 2), scenarios interleaved so that a study
// stopped early has about as many populations of each. Every estimate is appended to the
// --csv file as it comes (scenario, run, population, seed, truth, observed, method, estimate,
// low, high, f1, seconds): a stopped study keeps what it measured, and a rerun with the same
// --csv skips the populations already there. --summarise CSV rebuilds the tables from such
// a file. The Markdown tables go to stdout, progress to stderr.
//
//   joindots_mechanism_study [--populations 100] [--end-to-end 20] [--scenarios a,b,...]
//     [--scale 0.5] [--seed 1] [--threads 2] [--bootstrap 100] [--lcmcr-burn-in 1000]
//     [--lcmcr-samples 500] [--bayes-draws 1000] [--csv study-results/mechanisms.csv]
//     [--joindots build/bin/joindots] [--summarise FILE.csv] [--methods all|auto] [--quiet]
// --methods auto (table level only) runs what `estimate --table` prints, no LCMCR, stepwise
// or bayes_loglinear: the headline, the heterogeneity search's chosen model, its BIC-weighted
// average (with its bootstrap when --bootstrap > 0) and the tail-area average. Every table-level
// run also writes the row `auto_forms_interval`: auto's estimate with issue 11's candidate
// interval, the tail-area interval over the forms' best models that the dense headline averages
// (today's interval where the headline is not that average), so both rules are measured on the
// same populations.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/areas.hpp"
#include "core/data_dir.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "estimate/estimate.hpp"
#include "io/area_file.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/simulate.hpp"

#include "candidate_headlines.hpp"

namespace {

using namespace joindots;
namespace fs = std::filesystem;

struct Options {
  int populations = 100, end_to_end = 20, threads = 2, bootstrap = 100, lcmcr_burn_in = 1000,
      lcmcr_samples = 500, bayes_draws = 1000;
  double scale = 0.5;
  std::uint64_t seed = 1;
  std::string scenarios, csv = "study-results/mechanisms.csv", joindots = "build/bin/joindots",
                         summarise, methods = "all";
  bool quiet = false;
};

struct Row {
  std::string scenario, run;
  int population = 0;
  std::uint64_t seed = 0;
  double truth = 0, observed = 0;
  std::string method;
  double estimate = NAN, low = NAN, high = NAN, f1 = NAN, seconds = 0;
};

constexpr const char* kCsvHeader =
    "scenario,run,population,seed,truth,observed,method,estimate,low,high,f1,seconds";

std::string csv_line(const Row& r) {
  return fmt::format("{},{},{},{},{},{},{},{:.2f},{:.2f},{:.2f},{:.4f},{:.2f}", r.scenario, r.run,
                     r.population, r.seed, r.truth, r.observed, r.method, r.estimate, r.low, r.high,
                     r.f1, r.seconds);
}

// The capture table over the five source types the simulator writes, from the truth's
// capture-history counts ("police|health": 12, ...; "none" is the unrecorded).
estimate::CaptureTable truth_table(const nlohmann::ordered_json& summary) {
  const std::vector<std::string> lists = {"police", "children_services", "health", "nrm",
                                          "charity"};
  std::vector<std::int64_t> counts(1u << lists.size(), 0);
  for (const auto& [history, n] : summary["counts"]["capture_histories"].items()) {
    if (history == "none") continue;
    std::uint32_t pattern = 0;
    std::stringstream parts(history);
    for (std::string part; std::getline(parts, part, '|');)
      for (std::size_t j = 0; j < lists.size(); ++j)
        if (lists[j] == part) pattern |= 1u << j;
    counts[pattern] += n.get<std::int64_t>();
  }
  return estimate::CaptureTable::from_counts(lists, counts);
}

estimate::EstimateOptions estimate_options(const Options& o, std::uint64_t seed) {
  estimate::EstimateOptions opt;
  opt.method = o.methods == "auto" ? estimate::Method::Auto : estimate::Method::All;
  opt.headline_only = o.methods == "auto";
  opt.bootstrap_replicates = o.bootstrap;
  opt.lcmcr.chains = 2;
  opt.lcmcr.burn_in = o.lcmcr_burn_in;
  opt.lcmcr.samples = o.lcmcr_samples;
  opt.lcmcr.thin = 5;
  opt.bayes.draws_per_model = o.bayes_draws;
  opt.threads = 1;  // the study parallelises over populations
  opt.seed = seed;
  return opt;
}

// Every method's answer on one table, as rows.
std::vector<Row> estimate_rows(const estimate::CaptureTable& table, const Options& o,
                               const Row& base) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = estimate::estimate_all(table, estimate_options(o, base.seed));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<Row> rows;
  auto add = [&](const std::string& method, double est, const estimate::Interval& iv) {
    Row r = base;
    r.observed = static_cast<double>(result.observed);
    r.method = method;
    r.estimate = est;
    r.low = iv.low;
    r.high = iv.high;
    r.seconds = secs;
    rows.push_back(r);
  };
  add("auto", result.estimate, result.interval);
  for (const auto& m : result.methods) add(m.method, m.estimate, m.interval);
  // Issue 11's candidate interval for the dense headline (bench/candidate_headlines.hpp).
  add("auto_forms_interval", result.estimate, bench::forms_interval(table, result));
  return rows;
}

int run_command(const std::string& command) {
  const int rc = std::system(command.c_str());
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

// Finds the victims' estimate of `estimate --db --json` on the link's own table (every
// link decision taken as certain): "victims_methods" (estimate, interval, observed and every
// method keyed by name), else the first object named "victims" with an estimate.
const nlohmann::json* find_victims(const nlohmann::json& doc) {
  if (doc.is_object()) {
    for (const char* key : {"victims_methods", "victims"})
      if (doc.contains(key) && doc[key].is_object() && doc[key].contains("estimate"))
        return &doc[key];
    for (const auto& [k, v] : doc.items())
      if (const auto* found = find_victims(v)) return found;
  }
  return nullptr;
}

// What the report would say beside an end-to-end headline (its cautions, whether the linkage draws re-create the
// link's persons, their correction for links blocking never compared), one JSON line per population in
// CSV.notes.jsonl: the study's tables give figures, this says whether the report warned where they are bad.
void append_headline_notes(const std::string& scenario, const Row& base, const nlohmann::json& doc,
                           const Options& o) {
  nlohmann::json line{{"scenario", scenario}, {"population", base.population}, {"seed", base.seed}};
  if (doc.contains("victims") && doc["victims"].contains("cautions"))
    line["cautions"] = doc["victims"]["cautions"];
  if (doc.contains("linkage") && doc["linkage"].is_object()) {
    const auto& u = doc["linkage"];
    for (const char* key : {"reproduces_link", "correction", "linkage_share_of_width", "seconds"})
      if (u.contains(key)) line["linkage"][key] = u[key];
    if (u.contains("unseen_links") && u["unseen_links"].is_object())
      for (const char* k : {"applied", "recall", "recall_sample", "effect"})
        line["linkage"]["unseen_links"][k] = u["unseen_links"].value(k, nlohmann::json());
  }
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ofstream(o.csv + ".notes.jsonl", std::ios::app) << line.dump() << "\n";
}

// simulate -> ingest -> link -> estimate through the binary; rows for the pipeline and for
// the same population with perfect linkage.
std::vector<Row> end_to_end_rows(const std::string& scenario, const Row& base, const Options& o,
                                 const fs::path& work) {
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  const std::string q = " --quiet";
  const fs::path country = work / "country", db = work / "hub.db";
  const std::string exe = o.joindots;
  auto sh = [&](const std::string& cmd) {
    if (run_command(cmd) != 0) throw std::runtime_error("end to end: failed: " + cmd);
  };
  sh(fmt::format("{} simulate{} --scenario {} --seed {} --scale {} --out {} > /dev/null", exe, q,
                 scenario, base.seed, o.scale, country.string()));
  sh(fmt::format("{} ingest{} --db {} {} > /dev/null", exe, q, db.string(),
                 (country / "agencies").string()));
  sh(fmt::format("{} link{} --json --db {} --role victim --truth {} > {}", exe, q, db.string(),
                 country.string(), (work / "link.json").string()));
  const auto t0 = std::chrono::steady_clock::now();
  sh(
      fmt::format("{} estimate{} --json --method all --threads 1 --bootstrap {} --burn-in {} "
                  "--samples {} --bayes-draws {} --db {} > {}",
                  exe, q, o.bootstrap, o.lcmcr_burn_in, o.lcmcr_samples, o.bayes_draws, db.string(),
                  (work / "estimate.json").string()));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Truth and perfect linkage from the simulator's summary.
  const auto truth_summary =
      nlohmann::ordered_json::parse(std::ifstream(country / "truth" / "summary.json"));
  Row row = base;
  row.truth = truth_summary["counts"]["victims"].get<double>();
  const auto link = read_json(work / "link.json");
  double f1 = NAN;
  auto find_f1 = [&](auto&& self, const nlohmann::json& j) -> void {
    if (!std::isnan(f1)) return;
    if (j.is_object()) {
      if (j.contains("role") && j["role"] == "victim" && j.contains("evaluation") &&
          j["evaluation"].contains("f1")) {
        f1 = j["evaluation"]["f1"].get<double>();
        return;
      }
      if (j.contains("f1") && j["f1"].is_number()) f1 = j["f1"].get<double>();
      for (const auto& [k, v] : j.items()) self(self, v);
    } else if (j.is_array()) {
      for (const auto& v : j) self(self, v);
    }
  };
  find_f1(find_f1, link);
  row.f1 = f1;
  std::vector<Row> rows;
  const auto doc = read_json(work / "estimate.json");
  const nlohmann::json* victims = find_victims(doc);
  if (!victims)
    throw std::runtime_error("end to end: no victims' estimate in " +
                             (work / "estimate.json").string());
  // A figure or an interval end the run could not give is null in the JSON (e.g. no interval
  // with --bootstrap 0): NaN here, never a type error that ends the study.
  auto num = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; };
  auto add = [&](const std::string& method, const nlohmann::json& m) {
    const nlohmann::json none;
    Row r = row;
    r.method = method;
    r.observed = num(m.contains("observed") ? m["observed"] : victims->value("observed", none));
    r.estimate = num(m.value("estimate", none));
    const auto i = m.value("interval", none);
    if (i.is_object()) r.low = num(i.value("low", none)), r.high = num(i.value("high", none));
    if (i.is_array() && i.size() == 2) r.low = num(i[0]), r.high = num(i[1]);
    r.seconds = secs;
    rows.push_back(r);
  };
  // The headline as the report gives it: with the linkage draws (on by default), when the
  // run has them; "auto_draws_off" is the same method on the link's own table.
  if (doc.contains("linkage") && doc["linkage"].is_object() && doc.contains("estimate")) {
    add("auto", doc);
    add("auto_draws_off", *victims);
  } else {
    add("auto", *victims);
  }
  if (victims->contains("methods"))
    for (const auto& [key, m] : (*victims)["methods"].items()) add(m.value("method", key), m);
  append_headline_notes(scenario, base, doc, o);
  Row perfect = row;
  perfect.run = "perfect linkage";
  perfect.f1 = 1.0;
  for (auto& r : estimate_rows(truth_table(truth_summary), o, perfect))
    rows.push_back(std::move(r));
  return rows;
}

struct Job {
  std::string scenario;
  bool end_to_end;
  int population;
};

struct Tally {
  int runs = 0, covered = 0, failed = 0;
  double bias = 0, squared = 0, f1 = 0;
  int f1_runs = 0;
  std::vector<double> widths;
};

using Tallies = std::map<std::string, std::map<std::string, Tally>>;  // "scenario|run" -> method

// Tallies per scenario, run and method, with the scenarios in order of first appearance.
Tallies tally(const std::vector<Row>& rows, std::vector<std::string>& order) {
  Tallies tallies;
  for (const auto& r : rows) {
    const std::string key = r.scenario + "|" + r.run;
    if (!tallies.contains(key)) order.push_back(key);
    auto& t = tallies[key][r.method];
    if (std::isnan(r.estimate) || std::isnan(r.low) || std::isnan(r.high) ||
        !std::isfinite(r.high)) {
      ++t.failed;
      continue;
    }
    ++t.runs;
    t.covered += r.low <= r.truth && r.truth <= r.high;
    const double rel = (r.estimate - r.truth) / r.truth;
    t.bias += rel;
    t.squared += rel * rel;
    t.widths.push_back((r.high - r.low) / r.truth);
    if (!std::isnan(r.f1)) {
      t.f1 += r.f1;
      ++t.f1_runs;
    }
  }
  for (auto& [key, methods] : tallies)
    for (auto& [method, t] : methods) std::sort(t.widths.begin(), t.widths.end());
  // Scenarios in the presets' order (end to end before its perfect-linkage twin).
  auto rank = [](const std::string& key) {
    const auto presets = simulate::scenario_presets();
    const std::string name = key.substr(0, key.find('|'));
    for (std::size_t k = 0; k < presets.size(); ++k)
      if (presets[k].name == name) return std::pair(k, key.ends_with("perfect linkage"));
    return std::pair(presets.size(), false);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return tallies;
}

double coverage(const Tally& t) { return static_cast<double>(t.covered) / t.runs; }
double mean_bias(const Tally& t) { return t.bias / t.runs; }
bool meets_target(const Tally& t) {
  return coverage(t) >= 0.90 && coverage(t) <= 0.98 && std::fabs(mean_bias(t)) <= 0.05;
}

// `auto` per scenario: populations, coverage, bias, RMSE, width, F1, the target.
void print_auto_table(const Tallies& tallies, const std::vector<std::string>& order) {
  fmt::print(
      "| scenario | run | populations | auto coverage (± MC s.e.) | mean bias | RMSE | median "
      "width | victim F1 | meets target |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& key : order) {
    const auto bar = key.find('|');
    const auto it = tallies.at(key).find("auto");
    if (it == tallies.at(key).end() || it->second.runs == 0) continue;
    const Tally& t = it->second;
    const double cov = coverage(t);
    fmt::print("| {} | {} | {}{} | {:.2f} ± {:.2f} | {:+.1f}% | {:.1f}% | {:.0f}% | {} | {} |\n",
               key.substr(0, bar), key.substr(bar + 1), t.runs,
               t.failed ? fmt::format(" ({} failed)", t.failed) : "", cov,
               std::sqrt(cov * (1 - cov) / t.runs), 100 * mean_bias(t),
               100 * std::sqrt(t.squared / t.runs), 100 * t.widths[t.widths.size() / 2],
               t.f1_runs ? fmt::format("{:.3f}", t.f1 / t.f1_runs) : "",
               meets_target(t) ? "yes" : "**no**");
  }
}

// Every method: one row per scenario and run, "coverage / bias / RMSE" per method.
void print_method_grid(const Tallies& tallies, const std::vector<std::string>& order) {
  std::vector<std::string> methods = {"auto"};
  for (const auto& key : order)
    for (const auto& [method, t] : tallies.at(key))
      if (std::find(methods.begin(), methods.end(), method) == methods.end())
        methods.push_back(method);
  fmt::print("| scenario | run |");
  for (const auto& m : methods) fmt::print(" {} |", m);
  fmt::print("\n|---|---|{}\n", [&] {
    std::string dashes;
    for (std::size_t k = 0; k < methods.size(); ++k) dashes += "---|";
    return dashes;
  }());
  for (const auto& key : order) {
    const auto bar = key.find('|');
    fmt::print("| {} | {} |", key.substr(0, bar), key.substr(bar + 1));
    for (const auto& m : methods) {
      const auto it = tallies.at(key).find(m);
      if (it == tallies.at(key).end() || it->second.runs == 0) {
        fmt::print(" |");
        continue;
      }
      const Tally& t = it->second;
      fmt::print(" {:.2f} / {:+.1f}% / {:.1f}% |", coverage(t), 100 * mean_bias(t),
                 100 * std::sqrt(t.squared / t.runs));
    }
    fmt::print("\n");
  }
}

// The Markdown tables: `auto` against the target, then every method's coverage, mean
// relative bias and relative RMSE.
void summarise(const std::vector<Row>& rows) {
  std::vector<std::string> order;
  const Tallies tallies = tally(rows, order);
  print_auto_table(tallies, order);
  fmt::print(
      "\nEvery method, coverage of the 95% interval / mean relative bias / relative RMSE:\n\n");
  print_method_grid(tallies, order);
}

std::vector<Row> read_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() != 12) continue;
    Row r;
    r.scenario = f[0];
    r.run = f[1];
    r.population = std::stoi(f[2]);
    r.seed = std::stoull(f[3]);
    r.truth = std::stod(f[4]);
    r.observed = std::stod(f[5]);
    r.method = f[6];
    r.estimate = std::strtod(f[7].c_str(), nullptr);
    r.low = std::strtod(f[8].c_str(), nullptr);
    r.high = std::strtod(f[9].c_str(), nullptr);
    r.f1 = std::strtod(f[10].c_str(), nullptr);
    r.seconds = std::strtod(f[11].c_str(), nullptr);
    rows.push_back(r);
  }
  return rows;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) throw std::runtime_error("option " + a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--populations")
      o.populations = std::stoi(v);
    else if (a == "--end-to-end")
      o.end_to_end = std::stoi(v);
    else if (a == "--scenarios")
      o.scenarios = v;
    else if (a == "--scale")
      o.scale = std::stod(v);
    else if (a == "--seed")
      o.seed = std::stoull(v);
    else if (a == "--threads")
      o.threads = std::max(1, std::stoi(v));
    else if (a == "--bootstrap")
      o.bootstrap = std::stoi(v);
    else if (a == "--lcmcr-burn-in")
      o.lcmcr_burn_in = std::stoi(v);
    else if (a == "--lcmcr-samples")
      o.lcmcr_samples = std::stoi(v);
    else if (a == "--bayes-draws")
      o.bayes_draws = std::stoi(v);
    else if (a == "--csv")
      o.csv = v;
    else if (a == "--joindots")
      o.joindots = v;
    else if (a == "--summarise")
      o.summarise = v;
    else if (a == "--methods") {
      if (v != "all" && v != "auto") throw std::runtime_error("--methods: `" + v + "`; valid: all, auto");
      o.methods = v;
    }
    else
      throw std::runtime_error("unknown option " + a);
  }
  return o;
}

bool selected(const Options& o, std::string_view name) {
  if (o.scenarios.empty()) return true;
  std::stringstream ss(o.scenarios);
  for (std::string s; std::getline(ss, s, ',');)
    if (s == name) return true;
  return false;
}

int run_study(const Options& o) {
  std::vector<Job> jobs;
  for (const auto& p : simulate::scenario_presets()) {
    if (!selected(o, p.name)) continue;
    const int n = p.linkage_is_the_point ? o.end_to_end : o.populations;
    for (int k = 0; k < n; ++k) jobs.push_back({std::string(p.name), p.linkage_is_the_point, k});
  }
  // Resume: populations already in the CSV (from a run that was stopped) are not run again.
  if (fs::exists(o.csv)) {
    std::set<std::pair<std::string, int>> done;
    for (const auto& r : read_rows(o.csv)) done.emplace(r.scenario, r.population);
    std::erase_if(jobs, [&](const Job& j) { return done.contains({j.scenario, j.population}); });
  }
  // Interleave scenarios so that a study stopped early has every scenario's first populations.
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.population < b.population; });
  if (jobs.empty())
    throw std::runtime_error("no scenario selected; presets: " + simulate::scenario_names());

  fs::create_directories(fs::path(o.csv).parent_path().empty() ? fs::path(".")
                                                               : fs::path(o.csv).parent_path());
  const bool fresh = !fs::exists(o.csv);
  std::ofstream csv(o.csv, std::ios::app);
  if (!csv) throw std::runtime_error(o.csv + ": cannot write");
  if (fresh) csv << kCsvHeader << "\n";

  const AreaTable areas = load_area_table(data_dir());
  const fs::path work =
      fs::temp_directory_path() / fmt::format("joindots-mechanisms-{}", ::getpid());
  std::vector<Row> all;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  Progress progress("mechanism study", "populations", static_cast<std::int64_t>(jobs.size()),
                    o.quiet);
  auto worker = [&](int id) {
    const fs::path dir = work / fmt::format("w{}", id);
    for (std::size_t j; (j = next++) < jobs.size();) {
      const Job& job = jobs[j];
      Row base;
      base.scenario = job.scenario;
      base.run = job.end_to_end ? "end to end" : "table level";
      base.population = job.population;
      base.seed =
          o.seed * 100003 + static_cast<std::uint64_t>(job.population);  // common across scenarios
      std::vector<Row> rows;
      try {
        if (job.end_to_end) {
          rows = end_to_end_rows(job.scenario, base, o, dir);
        } else {
          simulate::SimConfig config = simulate::scenario_config(job.scenario);
          config.scale = o.scale;
          simulate::SimulateOptions so;
          so.seed = base.seed;
          so.out_dir = dir;
          const auto summary = simulate::simulate(config, so, areas);
          base.truth = static_cast<double>(summary.victims);
          rows = estimate_rows(truth_table(summary.truth_summary), o, base);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        fmt::print(stderr, "\n{} population {}: {}\n", job.scenario, job.population, e.what());
        base.method = "auto";
        rows = {base};  // counted as failed
      }
      std::lock_guard lock(mutex);
      for (const auto& r : rows) csv << csv_line(r) << "\n";
      csv.flush();
      all.insert(all.end(), rows.begin(), rows.end());
      progress.advance();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  progress.finish();
  std::error_code ec;
  fs::remove_all(work, ec);
  summarise(all);
  fmt::print(
      "\n{} table-level populations per scenario at --scale {} (true capture table, 5 lists), {} "
      "end to end; "
      "seed {}, methods {}, {} bootstrap replicates, LCMCR 2 chains of {} + {} x 5, bayes_loglinear {} draws "
      "per "
      "model. Raw rows: {}\n",
      o.populations, o.scale, o.end_to_end, o.seed, o.methods, o.bootstrap, o.lcmcr_burn_in, o.lcmcr_samples,
      o.bayes_draws, o.csv);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    if (!o.summarise.empty()) {
      summarise(read_rows(o.summarise));
      return 0;
    }
    return run_study(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "joindots_mechanism_study: {}\n", e.what());
    return 1;
  }
}
