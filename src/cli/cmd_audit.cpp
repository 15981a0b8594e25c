// joindots audit verify: checks the audit trail's hash chain (store/audit_chain.hpp).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "store/audit_chain.hpp"
#include "store/audit_trail.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct AuditOptions {
  CommonOptions common;
  std::string db, anchor;
};

/// --anchor SEQ:HASH, as `audit verify` printed it earlier.
AuditAnchor parse_anchor(const std::string& text) {
  const auto colon = text.find(':');
  AuditAnchor a;
  try {
    std::size_t used = 0;
    a.seq = std::stoll(text.substr(0, colon), &used);
    if (used != colon) a.seq = 0;
  } catch (const std::exception&) {
    a.seq = 0;
  }
  if (colon != std::string::npos) a.hash = text.substr(colon + 1);
  const bool hex = a.hash.size() == 64 && a.hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (a.seq < 1 || !hex)
    throw UsageError(fmt::format("--anchor '{}': expected SEQ:HASH as audit verify printed it (a row number from "
                                 "1, a colon, 64 lowercase hex digits)",
                                 text));
  return a;
}

int run_verify(const AuditOptions& opt) {
  std::optional<AuditAnchor> anchor;
  if (!opt.anchor.empty()) anchor = parse_anchor(opt.anchor);
  // Store::open first: a missing store is "no such store" (exit 1), as for every command.
  Store::open(opt.db, /*create=*/false);
  const auto v = verify_audit_chain(*AuditTrail::open(opt.db), anchor);
  if (opt.common.json) {
    nlohmann::json out{{"db", Store::shown(opt.db)}, {"rows", v.rows}, {"intact", v.intact}};
    if (v.intact) {
      out["head"] = {{"seq", v.head.seq}, {"hash", v.head.hash}, {"at", v.head.at}};
    } else {
      out["first_bad_row"] = v.first_bad_seq;
      out["problem"] = v.problem;
    }
    std::cout << out.dump(2) << '\n';
  } else if (v.intact) {
    fmt::print("{} row{}, chain intact{}\n", v.rows, v.rows == 1 ? "" : "s",
               v.head.seq ? fmt::format("; head {}:{} (keep it: --anchor {}:{} later proves nothing before it was "
                                        "rewritten or cut)",
                                        v.head.seq, v.head.hash, v.head.seq, v.head.hash)
                          : "");
  }
  if (v.intact) return 0;
  fmt::print(stderr, "joindots: the audit trail of {} is broken at row {}: {}\n", Store::shown(opt.db),
             v.first_bad_seq, v.problem);
  return static_cast<int>(ErrorKind::BadInput);
}

}  // namespace

void add_audit_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "The hub's audit trail: who read restricted data or changed state");
  cmd->require_subcommand(1);
  auto* verify = cmd->add_subcommand(
      "verify", "Check the audit trail's hash chain: exit 0 when intact, 2 naming the first row edited, deleted or "
                "reordered");
  verify->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  verify->add_option("--anchor", opt->anchor,
                     "SEQ:HASH, a head printed by an earlier verify and kept elsewhere: that row must still be there "
                     "with that hash");
  add_common_options(verify, opt->common);
  verify->callback([opt, &run] { run = [opt] { return run_verify(*opt); }; });
}

}  // namespace joindots::cli
