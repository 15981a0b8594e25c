// The routes served to accounts (docs/hub.md): an agency's deliveries, the accounts.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "serve/access.hpp"
#include "serve/server.hpp"

namespace joindots::serve {

namespace {

void send(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

nlohmann::json delivery_json(const Delivery& d) {
  // The file's name only: where the hub keeps it is the hub's business.
  return {{"file_id", d.file.file_id},
          {"name", std::filesystem::path(d.file.path).filename().string()},
          {"sha256", d.file.sha256},
          {"bytes", d.file.bytes},
          {"rows", d.file.rows},
          {"warnings", d.warnings},
          {"encoded", d.encoded},
          {"orgs", d.orgs},
          {"ingested_at", d.file.ingested_at},
          {"status", "ingested"}};
}

}  // namespace

void DashboardServer::hub_routes() {
  auto& s = *server_;
  const auto access = access_;
  // An agency sees its own organisation's deliveries; an analyst every organisation's, or
  // one's with ?org=.
  s.Get("/api/v1/deliveries", access->audited([access](const httplib::Request& req, httplib::Response& res,
                                                        std::string& actor) {
    for (const auto& [name, value] : req.params)
      if (name != "org") return send(res, {{"error", fmt::format("unknown parameter '{}' (valid: org)", name)}}, 400);
    const auto who = access->authorize(req, res, {AccountRole::agency, AccountRole::analyst}, actor);
    if (!who) return;
    std::optional<std::string> org;
    if (req.has_param("org")) org = req.get_param_value("org");
    if (who->role == AccountRole::agency) {
      if (org && *org != who->org)
        return send(res, {{"error", fmt::format("an agency account sees its own organisation's deliveries ({})",
                                                who->org)}},
                    403);
      org = who->org;
    }
    nlohmann::json out = nlohmann::json::array();
    access->with_store([&](Store& store) {
      for (const auto& d : store.deliveries(org)) out.push_back(delivery_json(d));
    });
    send(res, {{"org", org ? nlohmann::json(*org) : nlohmann::json(nullptr)}, {"deliveries", out}});
  }));
  s.Get("/api/v1/accounts", access->audited([access](const httplib::Request& req, httplib::Response& res,
                                                      std::string& actor) {
    if (!req.params.empty()) return send(res, {{"error", "this endpoint takes no parameters"}}, 400);
    if (!access->authorize(req, res, {AccountRole::admin}, actor)) return;
    nlohmann::json out = nlohmann::json::array();
    access->with_store([&](Store& store) {
      for (const auto& a : store.accounts()) out.push_back(accounts::account_json(a));
    });
    send(res, {{"accounts", out}});
  }));
}

}  // namespace joindots::serve
