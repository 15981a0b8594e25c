// joindots report: the self-contained HTML report of what the store holds.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "io/area_file.hpp"
#include "report/bundle.hpp"
#include "report/html.hpp"
#include "report/publish.hpp"
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
  const AreaTable areas = load_area_table(data);
  auto store = Store::open(opt.db, /*create=*/false);
  // Built, protected and (public tier) audited, or refused with the cells named: nothing is
  // written then.
  const auto published = report::publishable_bundle(*store, areas, tier);
  const auto& bundle = published.bundle;
  const auto& audit = published.audit;
  const double audit_seconds = published.audit_seconds;
  const std::size_t suppressed = published.suppressed_cells();
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
  cmd->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  cmd->add_option("--out", opt->out, "The HTML file to write")->required();
  cmd->add_option("--tier", opt->tier, "public (disclosure-controlled) or restricted (exact; never for publication)")
      ->check(CLI::IsMember({"public", "restricted"}))
      ->capture_default_str();
  cmd->add_option("--bundle", opt->bundle_out, "Also write the results bundle (JSON) to this file");
  add_common_options(cmd, opt->common);
  cmd->callback([opt, &run] { run = [opt] { return run_report(*opt); }; });
}

}  // namespace joindots::cli
