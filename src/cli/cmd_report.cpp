// joindots report: the self-contained HTML report of what the store holds.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "report/bundle.hpp"
#include "report/bundle_audit.hpp"
#include "report/html.hpp"
#include "io/text_file.hpp"

namespace joindots::cli {

namespace {

struct ReportOptions {
  CommonOptions common;
  std::string db, out, tier = "public", bundle_out;
};

int run_report(const ReportOptions& opt) {
  const auto tier = opt.tier == "restricted" ? report::Tier::Restricted : report::Tier::Public;
  const auto data = data_dir();
  const AreaTable areas = AreaTable::load(data);
  auto store = Store::open(opt.db, /*create=*/false);
  const auto bundle = report::build_bundle(*store, areas, tier);
  // A public bundle is written only when the exact (LP) disclosure audit finds every
  // suppressed cell protected, across all its tables.
  std::optional<report::BundleAudit> audit;
  double audit_seconds = 0;
  if (tier == report::Tier::Public) {
    const auto start = std::chrono::steady_clock::now();
    audit = report::audit_public_bundle(bundle);
    audit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!audit->safe()) {
      std::string lines;
      for (const auto& p : audit->problems()) lines += "\n  " + p;
      throw InternalError("the public bundle failed the exact disclosure audit, so no report was written:" + lines);
    }
  }
  std::size_t suppressed = 0;
  if (audit)
    for (const auto& c : audit->cells) suppressed += c.suppressed();
  report::write_report_html(opt.out, bundle, data / "geo" / "lad23_ew_super_generalised.geojson");
  if (!opt.bundle_out.empty()) {
    write_file_atomically(opt.bundle_out, bundle.dump(2) + '\n');
  }
  const auto bytes = std::filesystem::file_size(opt.out);
  if (opt.common.json) {
    std::cout << nlohmann::json{{"report", std::filesystem::absolute(opt.out).string()},
                                {"tier", opt.tier},
                                {"bytes", bytes},
                                {"schema", report::kBundleSchema},
                                {"disclosure_audit", audit ? nlohmann::json{{"cells", audit->cells.size()},
                                                                            {"suppressed", suppressed},
                                                                            {"relations", audit->relations.size()},
                                                                            {"safe", true},
                                                                            {"seconds", audit_seconds}}
                                                           : nlohmann::json(nullptr)}}
                     .dump(2)
              << '\n';
  } else {
    fmt::print("wrote the {} report: {} ({:.1f} MB)\n", opt.tier, std::filesystem::absolute(opt.out).string(),
               static_cast<double>(bytes) / 1e6);
    if (audit)
      fmt::print("disclosure audit (linear programming): {} cells in {} relations, {} suppressed, every one protected "
                 "({:.2f} s)\n",
                 audit->cells.size(), audit->relations.size(), suppressed, audit_seconds);
  }
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "Write the self-contained HTML report (opens from disk, no network)");
  cmd->add_option("--db", opt->db, "The store (an SQLite file)")->required();
  cmd->add_option("--out", opt->out, "The HTML file to write")->required();
  cmd->add_option("--tier", opt->tier, "public (disclosure-controlled) or restricted (exact; never for publication)")
      ->check(CLI::IsMember({"public", "restricted"}))
      ->capture_default_str();
  cmd->add_option("--bundle", opt->bundle_out, "Also write the results bundle (JSON) to this file");
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_report(*opt); }; });
}

}  // namespace joindots::cli
