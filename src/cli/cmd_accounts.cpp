// joindots accounts add|revoke|list: the hub's accounts (docs/hub.md). `add` prints the new
// API token once, on stdout; the store keeps only its public id and argon2id hash. Adding and
// revoking append a row to the audit trail (store/audit_trail.hpp), naming the user who ran
// the command.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "accounts/authenticator.hpp"
#include "accounts/token.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "store/audit_trail.hpp"
#include "store/store.hpp"

namespace joindots::cli {

namespace {

struct AccountsOptions {
  CommonOptions common;
  std::string db, org, role;
  std::int64_t id = 0;
};

/// Who ran the command, as the audit trail names them: "cli:USER".
std::string cli_actor() {
  if (const auto* pw = getpwuid(getuid())) return std::string("cli:") + pw->pw_name;
  return "cli:uid-" + std::to_string(getuid());
}

/// An organisation code as the records carry it (source_org): 1 to 64 printable ASCII
/// characters without spaces.
void check_org(const std::string& org) {
  const bool ok = !org.empty() && org.size() <= 64 &&
                  std::all_of(org.begin(), org.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!ok)
    throw UsageError(fmt::format("--org '{}': an organisation code is 1 to 64 printable characters without spaces "
                                 "(the source_org of its records, e.g. E23000013)",
                                 org));
}

int run_add(const AccountsOptions& opt) {
  check_org(opt.org);
  const auto role = account_role_from_string(opt.role);
  if (!role) throw UsageError(fmt::format("--role '{}' is not a role (valid: agency, analyst, admin)", opt.role));
  // A new hub's first command may be this one: the store is made if missing.
  auto store = Store::open(opt.db, /*create=*/true);
  const auto token = accounts::issue_token();
  Account account;
  account.token_id = token.token_id;
  account.token_hash = token.hash;
  account.org = opt.org;
  account.role = *role;
  const auto id = store->add_account(account);
  const auto action =
      fmt::format("accounts add --org {} --role {}: account {}, token id {}", opt.org, opt.role, id, token.token_id);
  AuditTrail::open(opt.db)->append({cli_actor(), action, 0});
  if (opt.common.json) {
    std::cout << nlohmann::json{{"account_id", id}, {"token_id", token.token_id}, {"org", opt.org},
                                {"role", opt.role}, {"token", token.token}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << token.token << '\n';
  }
  if (!opt.common.quiet)
    fmt::print(stderr,
               "account {} ({} of {}, token id {}) added to {}; its token is on stdout, shown this once: the store "
               "keeps only its hash\n",
               id, opt.role, opt.org, token.token_id, Store::shown(opt.db));
  return 0;
}

int run_revoke(const AccountsOptions& opt) {
  auto store = Store::open(opt.db, /*create=*/false);
  const auto account = store->revoke_account(opt.id);
  if (!account) throw UsageError(fmt::format("--id {}: no such account (joindots accounts list)", opt.id));
  AuditTrail::open(opt.db)->append({cli_actor(), fmt::format("accounts revoke --id {}", opt.id), 0});
  if (opt.common.json)
    std::cout << accounts::account_json(*account).dump(2) << '\n';
  else if (!opt.common.quiet)
    fmt::print(stderr, "account {} ({} of {}) revoked at {}\n", account->account_id, to_string(account->role),
               account->org, account->revoked_at);
  return 0;
}

int run_list(const AccountsOptions& opt) {
  auto store = Store::open(opt.db, /*create=*/false);
  const auto all = store->accounts();
  if (opt.common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : all) out.push_back(accounts::account_json(a));
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  fmt::print("{:>4}  {:<12}  {:<8}  {:<16}  {:<20}  {}\n", "id", "token id", "role", "org", "created", "revoked");
  for (const auto& a : all)
    fmt::print("{:>4}  {:<12}  {:<8}  {:<16}  {:<20}  {}\n", a.account_id, a.token_id, to_string(a.role), a.org,
               a.created_at, a.revoked_at.empty() ? "-" : a.revoked_at);
  return 0;
}

}  // namespace

void add_accounts_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<AccountsOptions>();
  auto* cmd = app.add_subcommand("accounts", "The hub's accounts: API tokens by organisation and role");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "Add an account; prints its new API token once (the store keeps its hash)");
  add->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  add->add_option("--org", opt->org, "The organisation code it acts for (an agency's source_org)")->required();
  add->add_option("--role", opt->role, "agency (its own deliveries), analyst (restricted tier), admin (accounts)")
      ->required();
  add_common_options(add, opt->common);
  add->callback([opt, &run] { run = [opt] { return run_add(*opt); }; });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke an account: its token is refused from the next request");
  revoke->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  revoke->add_option("--id", opt->id, "The account's id (joindots accounts list)")->required();
  add_common_options(revoke, opt->common);
  revoke->callback([opt, &run] { run = [opt] { return run_revoke(*opt); }; });
  auto* list = cmd->add_subcommand("list", "The accounts: id, token id, role, organisation, dates (no secrets)");
  list->add_option("--db", opt->db, "The store: an SQLite file or a postgresql:// URI")->required();
  add_common_options(list, opt->common);
  list->callback([opt, &run] { run = [opt] { return run_list(*opt); }; });
}

}  // namespace joindots::cli
