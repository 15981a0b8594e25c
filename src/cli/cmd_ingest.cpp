// joindots ingest: agency CSV files into the store, all-or-nothing per file.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "io/area_file.hpp"

namespace joindots::cli {

namespace {

struct IngestOptions {
  CommonOptions common;
  std::string db;
  std::vector<std::string> inputs;
};

/// The files named on the command line (a folder stands for the *.csv files in it, sorted),
/// and the paths that cannot be read as one (a symbolic link loop, a folder that cannot be
/// listed): each of those is a problem of its own, and the other files go on.
struct Inputs {
  std::vector<std::filesystem::path> files;
  std::vector<InputIssue> unreadable;
};

Inputs expand_inputs(const std::vector<std::string>& inputs) {
  Inputs out;
  auto unreadable = [&](const std::filesystem::path& path, const std::error_code& ec) {
    out.unreadable.push_back({path.string(), 0, "",
                              fmt::format("cannot be read: {}", ec == std::errc::too_many_symbolic_link_levels
                                                                    ? "a symbolic link loop"
                                                                    : ec.message())});
  };
  for (const auto& input : inputs) {
    std::error_code ec;
    const bool is_dir = std::filesystem::is_directory(input, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      unreadable(input, ec);
      continue;
    }
    if (!is_dir) {
      out.files.emplace_back(input);  // ingest_file says what is wrong with it, if anything
      continue;
    }
    std::vector<std::filesystem::path> in_dir;
    std::filesystem::directory_iterator it(input, ec), end;
    if (ec) unreadable(input, ec);
    for (; !ec && it != end; it.increment(ec)) {
      const auto& path = it->path();
      if (path.extension() != ".csv") continue;
      std::error_code entry_ec;
      const bool regular = it->is_regular_file(entry_ec);  // follows links
      if (entry_ec) unreadable(path, entry_ec);
      else if (regular) in_dir.push_back(path);
    }
    if (ec) unreadable(input, ec);
    std::sort(in_dir.begin(), in_dir.end());
    if (in_dir.empty() && out.unreadable.empty())
      throw UsageError(fmt::format("{}: folder holds no .csv files", input));
    out.files.insert(out.files.end(), in_dir.begin(), in_dir.end());
  }
  return out;
}

nlohmann::json issues_json(const std::vector<InputIssue>& issues) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& issue : issues)
    out.push_back({{"file", issue.file}, {"line", issue.line}, {"field", issue.field}, {"message", issue.message}});
  return out;
}

int run_ingest(const IngestOptions& opt) {
  const auto [files, unreadable] = expand_inputs(opt.inputs);
  const AreaTable areas = load_area_table(data_dir());
  // A store file this command creates is removed again if no file goes in: a rejected file
  // leaves nothing behind. (A PostgreSQL database is the administrator's: its tables stay.)
  std::error_code exists_ec;
  const bool new_store = !Store::is_postgres(opt.db) && !std::filesystem::exists(opt.db, exists_ec) && !exists_ec;
  auto store = Store::open(opt.db, /*create=*/true);
  store->ensure_areas(areas);

  std::int64_t total_bytes = 0;
  for (const auto& f : files) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec))
      total_bytes += static_cast<std::int64_t>(std::filesystem::file_size(f, ec));
  }
  Progress progress("ingest", "bytes", total_bytes, opt.common.quiet);
  progress.set_secondary("rows");

  nlohmann::json report = nlohmann::json::array();
  std::int64_t ingested = 0, present = 0, rejected = 0, added = 0, warnings = 0;
  std::map<std::string, std::int64_t> by_role;
  for (const auto& problem : unreadable) {
    ++rejected;
    report.push_back(
        {{"path", problem.file}, {"status", "rejected"}, {"problems", 1}, {"issues", issues_json({problem})}});
    fmt::print(stderr, "{}\n{}: rejected; nothing from it was written\n", problem.to_string(), problem.file);
  }
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
        entry["warnings"] = r.warnings;
        entry["warnings_shown"] = issues_json(r.warnings_kept);
        warnings += r.warnings;
        if (r.warnings) {
          for (const auto& w : r.warnings_kept) fmt::print(stderr, "warning: {}\n", w.to_string());
          fmt::print(stderr, "{}: {} plausible-but-odd value{} accepted with a warning{}\n", f.string(), r.warnings,
                     r.warnings == 1 ? "" : "s",
                     r.warnings > static_cast<std::int64_t>(r.warnings_kept.size())
                         ? fmt::format(" (the first {} shown)", r.warnings_kept.size())
                         : "");
        }
      }
    } catch (const BadInputError& e) {
      ++rejected;
      entry["status"] = "rejected";
      entry["problems"] = e.total();
      entry["issues"] = issues_json(e.issues());
      fmt::print(stderr, "{}\n{}: rejected; nothing from it was written\n", e.what(), f.string());
    }
    report.push_back(entry);
  }
  progress.finish();
  if (new_store && ingested == 0) {
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(opt.db + suffix, exists_ec);
    if (!opt.common.quiet) fmt::print(stderr, "{}: no file went in, so the new store was not kept\n", opt.db);
  }

  if (opt.common.json) {
    nlohmann::json out{{"db", Store::shown(opt.db)},    {"files", report},      {"ingested", ingested},
                       {"already_present", present}, {"rejected", rejected}, {"records_added", added},
                       {"records_added_by_role", by_role}, {"warnings", warnings}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::string roles;
    for (const auto& [role, n] : by_role)
      roles += fmt::format("{}{} {}", roles.empty() ? "" : ", ", with_commas(n), role);
    fmt::print("ingested {} file{} into {}: {} records{}", ingested, ingested == 1 ? "" : "s", Store::shown(opt.db),
               with_commas(added), roles.empty() ? "" : " (" + roles + ")");
    if (present) fmt::print("; {} already present", present);
    if (rejected) fmt::print("; {} rejected", rejected);
    if (warnings) fmt::print("; {} warning{} (see stderr)", warnings, warnings == 1 ? "" : "s");
    fmt::print("\n");
  }
  return rejected ? static_cast<int>(ErrorKind::BadInput) : 0;
}

}  // namespace

void add_ingest_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<IngestOptions>();
  auto* cmd = app.add_subcommand("ingest", "Load agency CSV files into the store (all-or-nothing per file)");
  cmd->add_option("--db", opt->db, "The store: an SQLite file (created if missing) or a postgresql:// URI")->required();
  cmd->add_option("files", opt->inputs, "CSV files, or folders of them (docs/schema.md)")->required();
  add_common_options(cmd, opt->common);
  cmd->footer(
      "Exit codes: 0 all files in (or already present), 1 usage, 2 some file rejected (nothing\n"
      "from a rejected file is written), 3 internal error. Re-ingesting a file changes nothing.\n");
  cmd->callback([opt, &run] { run = [opt] { return run_ingest(*opt); }; });
}

}  // namespace joindots::cli
