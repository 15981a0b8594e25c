// joindots ingest: agency CSV files into the store, all-or-nothing per file.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"

namespace joindots::cli {

namespace {

struct IngestOptions {
  CommonOptions common;
  std::string db;
  std::vector<std::string> inputs;
};

/// Files named on the command line; a folder stands for the *.csv files in it, sorted.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    if (std::filesystem::is_directory(input)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& entry : std::filesystem::directory_iterator(input))
        if (entry.is_regular_file() && entry.path().extension() == ".csv") in_dir.push_back(entry.path());
      std::sort(in_dir.begin(), in_dir.end());
      if (in_dir.empty()) throw UsageError(fmt::format("{}: folder holds no .csv files", input));
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.emplace_back(input);
    }
  }
  return files;
}

int run_ingest(const IngestOptions& opt) {
  const auto files = expand_inputs(opt.inputs);
  const AreaTable areas = AreaTable::load(data_dir());
  auto store = Store::open(opt.db, /*create=*/true);
  store->ensure_areas(areas);

  std::int64_t total_bytes = 0;
  for (const auto& f : files)
    if (std::filesystem::is_regular_file(f)) total_bytes += static_cast<std::int64_t>(std::filesystem::file_size(f));
  Progress progress("ingest", "bytes", total_bytes, opt.common.quiet);
  progress.set_secondary("rows");

  nlohmann::json report = nlohmann::json::array();
  std::int64_t ingested = 0, present = 0, rejected = 0, added = 0;
  std::map<std::string, std::int64_t> by_role;
  for (const auto& f : files) {
    nlohmann::json entry{{"path", f.string()}};
    try {
      const IngestResult r = ingest_file(*store, areas, f, &progress);
      entry["file_id"] = r.file.file_id;
      entry["sha256"] = r.file.sha256;
      if (r.already_present) {
        ++present;
        entry["status"] = "already_present";
        entry["rows"] = r.file.rows;
        if (!opt.common.quiet)
          fmt::print(stderr, "{}: already ingested as {} on {}; nothing changed\n", f.string(), r.file.path,
                     r.file.ingested_at);
      } else {
        ++ingested;
        added += r.rows;
        entry["status"] = "ingested";
        entry["rows"] = r.rows;
        entry["rows_by_role"] = r.rows_by_role;
        for (const auto& [role, n] : r.rows_by_role) by_role[role] += n;
      }
    } catch (const BadInputError& e) {
      ++rejected;
      entry["status"] = "rejected";
      entry["problems"] = e.total();
      nlohmann::json issues = nlohmann::json::array();
      for (const auto& issue : e.issues())
        issues.push_back({{"file", issue.file}, {"line", issue.line}, {"field", issue.field}, {"message", issue.message}});
      entry["issues"] = issues;
      fmt::print(stderr, "{}\n{}: rejected; nothing from it was written\n", e.what(), f.string());
    }
    report.push_back(entry);
  }
  progress.finish();

  if (opt.common.json) {
    nlohmann::json out{{"db", opt.db},          {"files", report},      {"ingested", ingested},
                       {"already_present", present}, {"rejected", rejected}, {"records_added", added},
                       {"records_added_by_role", by_role}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::string roles;
    for (const auto& [role, n] : by_role) roles += fmt::format("{}{} {}", roles.empty() ? "" : ", ", with_commas(n), role);
    fmt::print("ingested {} file{} into {}: {} records{}", ingested, ingested == 1 ? "" : "s", opt.db, with_commas(added),
               roles.empty() ? "" : " (" + roles + ")");
    if (present) fmt::print("; {} already present", present);
    if (rejected) fmt::print("; {} rejected", rejected);
    fmt::print("\n");
  }
  return rejected ? static_cast<int>(ErrorKind::BadInput) : 0;
}

}  // namespace

void add_ingest_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<IngestOptions>();
  auto* cmd = app.add_subcommand("ingest", "Load agency CSV files into the store (all-or-nothing per file)");
  cmd->add_option("--db", opt->db, "The store (an SQLite file; created if missing)")->required();
  cmd->add_option("files", opt->inputs, "CSV files, or folders of them (docs/schema.md)")->required();
  add_common_options(cmd, opt->common);
  cmd->footer(
      "Exit codes: 0 all files in (or already present), 1 usage, 2 some file rejected (nothing\n"
      "from a rejected file is written), 3 internal error. Re-ingesting a file changes nothing.\n");
  cmd->callback([opt, &run] { run = [opt] { return run_ingest(*opt); }; });
}

}  // namespace joindots::cli
