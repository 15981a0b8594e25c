// `joindots link`: resolve records to persons. CSV mode (--input A.csv [B.csv]) links plain
// files with a column mapping; the whole stage is link::link_records().
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/csv_writer.hpp"
#include "link/config.hpp"
#include "link/csv_input.hpp"
#include "link/evaluate.hpp"
#include "link/link.hpp"
#include "link/result_json.hpp"
#include "link/review.hpp"
#include "link/store_link.hpp"
#include "store/review_store.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct LinkArgs {
  CommonOptions common;
  std::vector<std::string> inputs;
  std::string config, truth_column, out, review, decisions;
  std::string db, role, truth_dir;
  std::string one_per_source = "auto";
  bool params = false;
  bool no_stored_decisions = false;
  double pair_floor = -1;  // --pair-floor (-1: the store link's default)
};

nlohmann::json evaluation_json(const link::Evaluation& ev) {
  return {{"precision", ev.precision},
          {"recall", ev.recall},
          {"f1", ev.f1},
          {"true_pairs", ev.true_pairs},
          {"found_pairs", ev.found_pairs},
          {"true_positive_pairs", ev.true_positive_pairs},
          {"bcubed_precision", ev.bcubed_precision},
          {"bcubed_recall", ev.bcubed_recall},
          {"bcubed_f1", ev.bcubed_f1},
          {"true_entities", ev.true_entities},
          {"found_entities", ev.found_entities},
          {"entity_count_error", ev.entity_count_error}};
}

nlohmann::json result_json(const link::LinkResult& r, std::size_t records) {
  auto j = link::result_json(r);
  j["records"] = records;
  return j;
}

/// The fields compared and, per file, the columns left unused (a likely name column among
/// them said so).
void print_columns(const link::CsvLinkInput& input, const link::LinkConfig& config) {
  fmt::print("fields compared:");
  for (const auto& c : config.comparisons) fmt::print(" {}", link::to_string(c.field));
  fmt::print("\n");
  for (std::size_t f = 0; f < input.unused_columns.size(); ++f) {
    if (input.unused_columns[f].empty()) continue;
    fmt::print("columns not used in {}:", input.source_names[f]);
    for (const auto& c : input.unused_columns[f]) {
      std::string lower = c;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      fmt::print(" {}{}", c, lower.find("name") != std::string::npos ? " (a name? map it in [columns])" : "");
    }
    fmt::print("\n");
  }
}

/// --one-per-source on|off|auto over the config: on, every source may put at most one
/// record in a cluster (cluster.max_per_source = 1); off, no such limit, neither imposed nor
/// learned from the data (max_per_source = 0, auto_one_per_source = 0); auto, the config's.
void apply_one_per_source(const std::string& choice, bool one_source, link::LinkConfig& config) {
  if (choice == "auto") return;
  if (choice == "on") {
    if (one_source)
      throw UsageError(
          "link: --one-per-source on needs two or more --input files (or --db): with one file every record is of the "
          "same source, so nothing could be linked");
    config.max_per_source = 1;
    config.auto_one_per_source = false;
  } else {
    config.max_per_source = 0;
    config.auto_one_per_source = false;
  }
}

std::string_view one_per_source_mode(const std::string& choice, const link::LinkConfig& config) {
  if (choice != "auto") return choice;
  if (config.max_per_source == 1) return "on (config: max_per_source = 1)";
  return config.auto_one_per_source ? "auto (learned per file from the data)" : "off (config)";
}

/// Self-diagnosis on stderr (even with --quiet or --json: it is not progress).
void print_warnings(const std::vector<link::LinkWarning>& warnings, std::string_view context) {
  for (const auto& w : warnings)
    fmt::print(stderr, "warning: {}{}{}: {}\n  likely cause: {}\n  config change: {}\n", context,
               context.empty() ? "" : ": ", w.code, w.message, w.cause, w.fix);
}

void print_summary(const link::LinkResult& r, std::size_t records, const std::vector<std::string>& names) {
  fmt::print("{} records -> {} clusters ({} candidate pairs, {} distinct patterns, {:.2f} s on {} threads)\n",
             with_commas(static_cast<std::int64_t>(records)), with_commas(static_cast<std::int64_t>(r.clusters)),
             with_commas(r.candidate_pairs), r.patterns.size(), r.seconds.total, r.threads);
  fmt::print("blocking rules (pairs implied / new):\n");
  for (const auto& rule : r.blocking.rules) {
    fmt::print("  {:<45} {:>12} {:>12}", rule.rule, with_commas(rule.pairs_implied), with_commas(rule.pairs_new));
    if (!rule.largest.empty())
      fmt::print("   largest block '{}' ({} records)", rule.largest.front().key, rule.largest.front().records);
    fmt::print("\n");
  }
  fmt::print("EM: {} iterations{}, matches among candidates {:.4f}, prior {:.3g}\n", r.model.em_iterations,
             r.model.em_converged ? "" : " (not converged)", r.model.lambda_candidates, r.model.prior);
  for (std::size_t k = 0; k < r.model.comparisons.size(); ++k) {
    const auto& c = r.model.comparisons[k];
    const auto names = link::level_names(c.comparator);
    fmt::print("  {} ({}):", link::to_string(c.field), link::to_string(c.comparator));
    for (std::size_t l = 1; l < names.size(); ++l)
      fmt::print(" {} {:+.1f}", names[l], r.model.level_weight(k, static_cast<int>(l)));
    fmt::print("\n");
  }
  for (const auto& c : r.correlated)
    fmt::print("correlated fields: {} counts only when {} does not agree exactly ({:.0f}% of random pairs agreeing "
               "on {} agree on {}; lift {:.0f})\n",
               link::to_string(c.absorbed), link::to_string(c.kept), 100 * c.p_absorbed_given_kept,
               link::to_string(c.kept), link::to_string(c.absorbed), c.lift);
  if (!r.duplication.sources.empty()) {
    fmt::print("within-file duplication (pairs within each file scored by the model fitted across files):\n");
    for (const auto& d : r.duplication.sources)
      fmt::print("  {:<30} {:>9} records, {:.4f} expected duplicate pairs per record{}\n",
                 d.source < names.size() ? names[d.source] : std::to_string(d.source), with_commas(d.records),
                 d.duplicate_rate,
                 d.source < r.source_limit.size() && r.source_limit[d.source] == 1 ? ": one record per person, "
                                                                                      "at most one per cluster"
                                                                                    : "");
  }
  if (r.estimated_blocking_recall >= 0)
    fmt::print("estimated blocking recall (high-agreement sample pairs made candidates): {:.3f} of {}\n",
               r.estimated_blocking_recall, with_commas(r.blocking_recall_sample));
  if (const auto& s = r.blocking_splits; s.estimated())
    fmt::print("true links blocking never compared, left apart: {:.4f} of {} high-agreement pairs (effective) in {} "
               "random pairs ({} never compared)\n",
               s.rate(), with_commas(s.sample), with_commas(s.pairs_drawn), with_commas(s.never_compared));
  if (const auto& m = r.missed_links; m.estimated())
    fmt::print("true links left apart that no draw re-links, by a latent-class model of the {} pairs within an area: "
               "{:.4f} ({} implied matches, {} poorly recorded; {} linked; {} scored and left apart, re-linked by "
               "the draws)\n",
               with_commas(m.area_pairs), m.rate(), with_commas(std::llround(m.implied_matches)),
               with_commas(std::llround(m.poor_matches)), with_commas(m.linked),
               with_commas(std::llround(m.relinkable)));
  const auto& cs = r.cluster_stats;
  fmt::print("clusters: largest {}, merges {}, refused: hard rule {}, per source {}, clerical {}, cohesion {}\n",
             cs.largest, cs.merges, cs.refused_hard, cs.refused_source, cs.refused_clerical, cs.refused_cohesion);
  if (r.usual_cluster_size > 0)
    fmt::print("usual cluster size {} (quantile of the sizes under the full cohesion guard): merges within it needed "
               "less cohesion\n",
               r.usual_cluster_size);
}

/// The clerical decisions a `link --db` run applies: the store's (made through the review
/// API: the latest per pair, `unsure` ones left out), then those of --decisions FILE, which
/// win over the store's on a pair both decide (the file is what this run was told).
struct DecisionsUsed {
  std::vector<link::ReviewDecision> decisions;
  std::int64_t stored = 0, stored_gone = 0, from_file = 0, overridden = 0;
};

DecisionsUsed decisions_to_apply(const std::vector<Role>& roles, const LinkArgs& args) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  const auto key = [](const link::ReviewDecision& d) {
    Key k{d.source_a, d.id_a, d.source_b, d.id_b};
    if (std::tie(d.source_b, d.id_b) < std::tie(d.source_a, d.id_a)) k = {d.source_b, d.id_b, d.source_a, d.id_a};
    return k;
  };
  std::map<Key, std::pair<link::ReviewDecision, bool>> chosen;  // pair -> (decision, from the store)
  DecisionsUsed used;
  if (!args.no_stored_decisions) {
    const std::optional<Role> role = roles.size() == 1 ? std::optional<Role>(roles[0]) : std::nullopt;
    for (const auto& d : ReviewStore::open(args.db)->decisions(role, /*history=*/false)) {
      if (d.verdict == ClericalVerdict::unsure) continue;
      link::ReviewDecision rd{d.org_a, d.record_id_a, d.org_b, d.record_id_b, d.verdict == ClericalVerdict::match};
      chosen[key(rd)] = {rd, true};
      ++used.stored;
      if (!d.records_stored) ++used.stored_gone;
    }
  }
  if (!args.decisions.empty())
    for (auto& rd : link::read_review_decisions(args.decisions)) {
      auto [it, fresh] = chosen.try_emplace(key(rd), rd, false);
      if (!fresh && it->second.second) ++used.overridden;
      if (fresh || it->second.second) ++used.from_file;
      it->second = {rd, false};
    }
  for (auto& [k, d] : chosen) used.decisions.push_back(d.first);
  return used;
}

/// What the run made of the decisions: applied (both records found in the role linked) and
/// no longer matching a pair (a record of the stored decision is no longer stored).
nlohmann::json decisions_json(const DecisionsUsed& used, const link::StoreLinkRun& run) {
  std::int64_t applied = 0;
  for (const auto& rr : run.roles) applied += rr.result.decisions_applied;
  const std::int64_t stored_used = used.stored - used.overridden;
  return {{"applied", applied},
          {"stored", stored_used},
          {"stored_applied", stored_used - used.stored_gone},
          {"stored_no_longer_a_pair", used.stored_gone},
          {"from_file", used.from_file},
          {"from_file_applied", applied - (stored_used - used.stored_gone)},
          {"stored_overridden_by_file", used.overridden}};
}

void print_decisions(const nlohmann::json& j, const LinkArgs& args) {
  if (j["stored"] == 0 && args.decisions.empty()) return;
  fmt::print("clerical decisions: {} applied ({} stored, {} from {}); {} stored no longer match a pair (a record is "
             "no longer stored){}\n",
             j["applied"].get<std::int64_t>(), j["stored_applied"].get<std::int64_t>(),
             j["from_file_applied"].get<std::int64_t>(), args.decisions.empty() ? "--decisions" : args.decisions,
             j["stored_no_longer_a_pair"].get<std::int64_t>(),
             j["stored_overridden_by_file"] == 0
                 ? ""
                 : fmt::format("; {} stored overridden by {}", j["stored_overridden_by_file"].get<std::int64_t>(),
                               args.decisions));
}

int run_link_db(const LinkArgs& args) {
  link::LinkSettings settings;
  if (!args.config.empty()) settings = link::load_link_settings(args.config);
  apply_one_per_source(args.one_per_source, false, settings.config);
  link::StoreLinkOptions options;
  options.quiet = args.common.quiet;
  if (args.pair_floor >= 0) options.pair_floor = args.pair_floor;
  if (!args.role.empty()) {
    auto role = parse_enum<Role>(kRoleNames, args.role);
    if (!role) throw UsageError(fmt::format("--role {}: expected {}", args.role, list_names(kRoleNames)));
    options.roles = {*role};
  }
  if (!args.truth_dir.empty()) options.truth = read_simulated_truth(args.truth_dir);
  auto store = Store::open(args.db, /*create=*/false);
  const DecisionsUsed used = decisions_to_apply(options.roles, args);
  options.decisions = used.decisions;
  const link::StoreLinkRun run = link::link_store(*store, settings, options);
  const nlohmann::json decisions = decisions_json(used, run);
  for (const auto& rr : run.roles) {
    const auto choice = link::describe_blocking_choice(rr.result.blocking_choice);
    if (!choice.empty() && !args.common.quiet) fmt::print(stderr, "{}: {}\n", to_string(rr.role), choice);
    print_warnings(rr.result.warnings, to_string(rr.role));
  }
  if (args.common.json) {
    auto out = link::run_summary_json(run);
    out["decisions"] = decisions;
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  fmt::print("link run {} in {:.1f} s\n", run.run_id, run.seconds);
  print_decisions(decisions, args);
  for (const auto& rr : run.roles) {
    fmt::print("  {:<10} {:>9} records -> {:>9} persons", to_string(rr.role),
               with_commas(static_cast<std::int64_t>(rr.records)),
               with_commas(static_cast<std::int64_t>(rr.persons.size())));
    if (rr.records) fmt::print(" ({} candidate pairs)", with_commas(rr.result.candidate_pairs));
    fmt::print("\n");
    if (rr.evaluation)
      fmt::print("             against truth: precision {:.4f}, recall {:.4f}, F1 {:.4f}; persons {} true, {} found "
                 "({:+.2f}%)\n",
                 rr.evaluation->precision, rr.evaluation->recall, rr.evaluation->f1,
                 with_commas(rr.evaluation->true_entities), with_commas(rr.evaluation->found_entities),
                 100 * rr.evaluation->entity_count_error);
  }
  return 0;
}

int run_link(const LinkArgs& args) {
  if (args.params) {
    fmt::print("{}", link::describe_link_params());
    return 0;
  }
  if (!args.db.empty() && !args.inputs.empty()) throw UsageError("link: give either --db or --input, not both");
  if (!args.db.empty()) {
    // These write files from an --input run; with --db they would be silently ignored.
    if (!args.review.empty() || !args.out.empty() || !args.truth_column.empty())
      throw UsageError(
          "link: --review, --out and --truth-column go with --input; with --db the pairs in the review band are saved "
          "in the store and listed in the restricted report (joindots report --tier restricted), and --truth DIR "
          "evaluates against the simulator's truth");
    return run_link_db(args);
  }
  if (!args.role.empty() || !args.truth_dir.empty() || args.no_stored_decisions || args.pair_floor >= 0)
    throw UsageError("link: --role, --truth, --pair-floor and --no-stored-decisions go with --db");
  if (args.inputs.empty()) throw UsageError("link: give --db STORE or --input FILE [FILE]");
  link::LinkSettings settings;
  if (!args.config.empty()) settings = link::load_link_settings(args.config);
  std::vector<std::filesystem::path> files(args.inputs.begin(), args.inputs.end());
  apply_one_per_source(args.one_per_source, files.size() == 1, settings.config);
  link::CsvLinkInput input = link::read_link_csv(files, settings.mapping, args.truth_column, args.common.quiet);
  const link::LinkConfig config = link::resolve_link_config(settings, input.available);

  link::LinkOptions options;
  options.quiet = args.common.quiet;
  options.cross_source_only = files.size() > 1;
  options.source_names = input.source_names;
  if (!args.decisions.empty()) options.decisions = link::read_review_decisions(args.decisions);
  const link::LinkResult result = link::link_records(input.records, config, options);

  if (!args.out.empty()) {
    std::filesystem::create_directories(args.out);
    CsvWriter clusters(std::filesystem::path(args.out) / "clusters.csv",
                       std::vector<std::string>{"source", "id", "cluster"});
    for (std::size_t i = 0; i < input.records.size(); ++i)
      clusters.write_row({input.source_names[input.records[i].source], input.records[i].id,
                          std::to_string(result.cluster[i])});
    clusters.close();
    CsvWriter pairs(std::filesystem::path(args.out) / "pairs.csv",
                    std::vector<std::string>{"source_a", "id_a", "source_b", "id_b", "weight", "probability"});
    for (const auto& p : result.pairs) {
      const auto& a = input.records[p.a];
      const auto& b = input.records[p.b];
      pairs.write_row({input.source_names[a.source], a.id, input.source_names[b.source], b.id,
                       fmt::format("{:.3f}", p.weight), fmt::format("{:.5f}", p.probability)});
    }
    pairs.close();
  }
  std::size_t reviewed = 0;
  if (!args.review.empty())
    reviewed = link::write_review_file(args.review, result.pairs, input.records, input.source_names, result.model,
                                       config.review_low, config.review_high);

  std::optional<link::Evaluation> ev;
  link::BlockingRecall br;
  if (!input.truth.empty()) {
    std::vector<std::uint32_t> source;
    for (const auto& r : input.records) source.push_back(r.source);
    ev = link::evaluate(result.cluster, input.truth, options.cross_source_only ? &source : nullptr);
    br = link::blocking_recall(input.records, input.truth, link::config_as_run(config, result),
                               options.cross_source_only);
  }
  const auto choice = link::describe_blocking_choice(result.blocking_choice);
  if (!choice.empty() && !args.common.quiet) fmt::print(stderr, "{}\n", choice);
  print_warnings(result.warnings, "");
  if (args.common.json) {
    nlohmann::json out = result_json(result, input.records.size());
    out["inputs"] = args.inputs;
    out["source_labels"] = input.source_names;
    out["unused_columns"] = input.unused_columns;
    if (files.size() > 1) out["structure"]["one_per_source"] = one_per_source_mode(args.one_per_source, config);
    if (!args.review.empty()) out["review_pairs"] = reviewed;
    if (ev) {
      out["evaluation"] = evaluation_json(*ev);
      out["evaluation"]["blocking_recall"] = br.recall;
      out["precision"] = ev->precision;
      out["recall"] = ev->recall;
      out["f1"] = ev->f1;
    }
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  print_columns(input, config);
  if (files.size() > 1) fmt::print("one record per source: {}\n", one_per_source_mode(args.one_per_source, config));
  print_summary(result, input.records.size(), input.source_names);
  if (!args.review.empty()) fmt::print("{} pairs for clerical review in {}\n", reviewed, args.review);
  if (ev)
    fmt::print("against truth: precision {:.4f}, recall {:.4f}, F1 {:.4f}; B-cubed precision {:.4f}, recall {:.4f}; "
               "entities {} true, {} found\n",
               ev->precision, ev->recall, ev->f1, ev->bcubed_precision, ev->bcubed_recall,
               with_commas(ev->true_entities), with_commas(ev->found_entities));
  if (ev) fmt::print("blocking recall (true pairs made candidates): {:.4f}\n", br.recall);
  return 0;
}

}  // namespace

void add_link_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<LinkArgs>();
  CLI::App* cmd = app.add_subcommand("link", "Resolve records to persons: block, compare, Fellegi-Sunter, cluster");
  cmd->add_option("--input", args->inputs, "CSV file(s): one to de-duplicate, two or more to link across")
      ->expected(1, 16)
      ->check(CLI::ExistingFile);
  cmd->add_option("--config", args->config, "TOML config: column mapping, comparators, blocking, thresholds "
                                            "(docs/linkage.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--db", args->db, "The store: link its records, each role on its own, and save the run");
  cmd->add_option("--role", args->role, "With --db: link only this role (victim, suspect or associate)");
  cmd->add_option("--truth", args->truth_dir, "With --db: the folder `simulate` wrote, to evaluate against")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--truth-column", args->truth_column, "Column holding the true entity id, to evaluate against");
  cmd->add_option("--out", args->out, "Folder for clusters.csv and pairs.csv");
  cmd->add_option("--review", args->review, "Write the pairs in the uncertain band to this CSV for clerical review");
  cmd->add_option("--decisions", args->decisions,
                  "A reviewed CSV whose decisions override the model (with --db: and the store's, on a pair both "
                  "decide)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--pair-floor", args->pair_floor,
                  "With --db: save the compared pairs at least this probable (default 0.05), which the linkage "
                  "draws of `estimate --db` re-cluster")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_flag("--no-stored-decisions", args->no_stored_decisions,
                "With --db: leave out the clerical decisions saved in the store (the review API's)");
  cmd->add_option("--one-per-source", args->one_per_source,
                  "on: a cluster holds at most one record of each input file (or organisation with --db); off: no "
                  "such limit, not even one learned from the data; auto (default): the config's, and files found "
                  "to hold one record per person get it")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_flag("--params", args->params, "Print the parameter table and exit");
  add_common_options(cmd, args->common);
  cmd->callback([&run, args] { run = [args] { return run_link(*args); }; });
}

}  // namespace joindots::cli
