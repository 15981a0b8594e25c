// joindots status: what is in the store.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/progress.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct StatusOptions {
  CommonOptions common;
  std::string db;
};

int run_status(const StatusOptions& opt) {
  auto store = Store::open(opt.db, /*create=*/false);
  const StoreSummary s = store->summary();
  nlohmann::json abandoned = nlohmann::json::array();
  for (const auto& a : s.abandoned_runs)
    abandoned.push_back(
        {{"run_id", a.run_id}, {"stage", a.stage}, {"started_at", a.started_at}, {"abandoned_at", a.abandoned_at}});
  if (opt.common.json) {
    nlohmann::json out{{"db", Store::shown(opt.db)},
                       {"schema_version", s.schema_version},
                       {"files", s.files},
                       {"records", s.records},
                       {"sources", s.sources},
                       {"records_by_source_type", s.records_by_source_type},
                       {"organisations_by_source_type", s.sources_by_source_type},
                       {"records_by_role", s.records_by_role},
                       {"areas", s.areas},
                       {"areas_with_records", s.areas_with_records},
                       {"runs", s.runs},
                       {"runs_by_status", s.runs_by_status},
                       {"abandoned_runs", abandoned},
                       {"ingest_warnings", s.ingest_warnings}};
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  fmt::print("store {} (schema version {})\n", Store::shown(opt.db), s.schema_version);
  fmt::print("  files ingested     {:>10}\n", with_commas(s.files));
  fmt::print("  records            {:>10}\n", with_commas(s.records));
  for (const auto& [role, n] : s.records_by_role) fmt::print("    {:<16} {:>10}\n", role, with_commas(n));
  fmt::print("  ingest warnings    {:>10}{}\n", with_commas(s.ingest_warnings),
             s.ingest_warnings ? "  (plausible-but-odd values accepted; docs/schema.md)" : "");
  fmt::print("  {:<18} {:>10} {:>14}\n", "by source type", "records", "organisations");
  for (const auto& [type, n] : s.records_by_source_type) {
    auto it = s.sources_by_source_type.find(type);
    fmt::print("    {:<16} {:>10} {:>14}\n", type, with_commas(n),
               with_commas(it == s.sources_by_source_type.end() ? 0 : it->second));
  }
  fmt::print("  areas with records {:>10} of {}\n", with_commas(s.areas_with_records), s.areas);
  // Only finished runs are results; the others are shown apart.
  fmt::print("  runs of later stages {:>8} finished\n", s.runs);
  for (const auto& [status, n] : s.runs_by_status)
    if (status != "done") fmt::print("    {:<16} {:>10}\n", status, n);
  for (const auto& a : s.abandoned_runs)
    fmt::print("    abandoned: run {} ({}) started {}, its process gone (found {})\n", a.run_id, a.stage, a.started_at,
               a.abandoned_at);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "What the store holds: files, records per source type and role, areas");
  cmd->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_status(*opt); }; });
}

}  // namespace joindots::cli
