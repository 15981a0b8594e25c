// Clerical review through the API (issue 17, item 5; docs/hub.md): an analyst reads the
// review band of the latest link run a page at a time, both records' identifiers side by
// side with each field's agreement level and weight, and saves decisions, which the next
// `joindots link --db` applies. Both routes are the analyst's and audited.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "serve/review_routes.hpp"

#include "serve/access.hpp"
#include "store/review_store.hpp"

namespace joindots::serve {

namespace {

/// The server's connection to the store's clerical review, opened at first use (one user at a time).
class Reviews {
 public:
  explicit Reviews(std::string db) : db_(std::move(db)) {}
  template <typename Fn>
  void with(Fn fn) {
    std::lock_guard lock(mutex_);
    if (!store_) {
      store_ = ReviewStore::open(db_);
      store_->limit_cache(kServerCacheKib);
    }
    fn(*store_);
  }

 private:
  std::string db_;
  std::mutex mutex_;
  std::unique_ptr<ReviewStore> store_;
};

/// A decision's body is small: two record keys, a verdict and a note.
constexpr std::size_t kMaxDecisionBody = 8 * 1024;
constexpr std::size_t kMaxNote = 1000, kMaxKey = 200;
constexpr std::size_t kDefaultLimit = 50, kMaxLimit = 200;

void send(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

/// A refusal naming the field (or parameter) at fault.
struct Refusal {
  int status = 400;
  std::string message;
};

Role role_named(const std::string& name, const char* field) {
  const auto role = parse_enum<Role>(kRoleNames, name);
  if (!role) throw Refusal{400, fmt::format("{}: '{}' is not a role (valid: {})", field, name, list_names(kRoleNames))};
  return *role;
}

std::size_t count_param(const httplib::Request& req, const char* name, std::size_t fallback, std::size_t most) {
  if (!req.has_param(name)) return fallback;
  const auto text = req.get_param_value(name);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    throw Refusal{400, fmt::format("{}: '{}' is not a whole number", name, text.substr(0, 20))};
  const auto value = std::stoul(text);
  if (value > most) throw Refusal{400, fmt::format("{}: at most {}", name, most)};
  return value;
}

/// The latest finished link run of `role` with its diagnostics and parameters.
Store::LinkDiagnostics latest_run(Store& store, Role role) {
  std::string valid;
  for (const auto& d : store.latest_link_diagnostics()) {
    if (d.role == role) return d;
    valid += (valid.empty() ? "" : ", ") + std::string(to_string(d.role));
  }
  throw Refusal{400, fmt::format("role: no link run for '{}' (valid: {})", to_string(role),
                                 valid.empty() ? "none yet: run joindots link --db" : valid)};
}

/// Each compared field with the weight each of its agreement levels adds (the run's model).
nlohmann::json field_weights(const Store::LinkDiagnostics& d) {
  nlohmann::json out = nlohmann::json::array();
  const auto diag = nlohmann::json::parse(d.diagnostics_json);
  for (const auto& f : diag.value("model", nlohmann::json::object()).value("fields", nlohmann::json::array())) {
    nlohmann::json levels = nlohmann::json::object();
    for (const auto& l : f.value("levels", nlohmann::json::array())) {
      const double m = l.value("m", 0.0), u = l.value("u", 0.0);
      levels[l.value("level", "")] = m > 0 && u > 0 ? nlohmann::json(std::round(std::log2(m / u) * 100) / 100)
                                                    : nlohmann::json(nullptr);
    }
    out.push_back({{"field", f.value("field", "")}, {"levels", levels}});
  }
  return out;
}

nlohmann::json decision_json(const ClericalDecision& d) {
  return {{"decision_id", d.decision_id}, {"decision", to_string(d.verdict)}, {"actor", d.actor},
          {"decided_at", d.decided_at},   {"note", d.note}};
}

nlohmann::json record_json(const ReviewRecord& r, const std::vector<std::pair<std::string, std::string>>& ids) {
  nlohmann::json identifiers = nlohmann::json::object();
  for (const auto& [name, value] : ids) identifiers[name] = value;
  return {{"source_type", to_string(r.source_type)}, {"source_org", r.source_org}, {"record_id", r.record_id},
          {"event_date", r.event_date.str()},       {"person_id", r.person_id},   {"identifiers", identifiers}};
}

nlohmann::json page_json(const Store::LinkDiagnostics& d, const ReviewPage& page, std::size_t offset,
                         std::size_t limit) {
  const auto params = nlohmann::json::parse(d.params_json);
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& item : page.items) {
    const auto& p = item.pair;
    pairs.push_back({{"a", record_json(p.a, item.identifiers_a)},
                     {"b", record_json(p.b, item.identifiers_b)},
                     {"weight", std::round(p.weight * 100) / 100},
                     {"probability", std::round(p.probability * 10000) / 10000},
                     {"same_person", p.a.person_id != 0 && p.a.person_id == p.b.person_id},
                     {"levels", nlohmann::json::parse(p.levels_json)},
                     {"decision", item.decision ? decision_json(*item.decision) : nlohmann::json(nullptr)}});
  }
  return {{"role", to_string(d.role)},
          {"run_id", d.run_id},
          {"band", params.value("review", nlohmann::json(nullptr))},
          {"threshold", params.value("threshold", 0.5)},
          {"fields", field_weights(d)},
          {"pairs_in_band", page.total},
          {"decided", page.decided},
          {"offset", offset},
          {"limit", limit},
          {"pairs", pairs}};
}

/// A string member of `object` (at `path`), non-empty and at most `most` bytes unless `optional`.
std::string string_member(const nlohmann::json& object, const std::string& key, const std::string& path,
                          std::size_t most, bool optional = false) {
  if (!object.contains(key)) {
    if (optional) return "";
    throw Refusal{400, fmt::format("{}: missing", path)};
  }
  const auto& v = object.at(key);
  if (!v.is_string()) throw Refusal{400, fmt::format("{}: not a string", path)};
  const auto s = v.get<std::string>();
  if (s.empty() && !optional) throw Refusal{400, fmt::format("{}: empty", path)};
  if (s.size() > most) throw Refusal{400, fmt::format("{}: longer than {} bytes", path, most)};
  for (unsigned char c : s)
    if (c < 0x20 && !(optional && (c == '\n' || c == '\t')))
      throw Refusal{400, fmt::format("{}: holds a control character", path)};
  return s;
}

void check_keys(const nlohmann::json& object, std::initializer_list<const char*> keys, const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) throw Refusal{400, fmt::format("{}{}: not a field of a decision", where, key)};
  }
}

/// The decision a POST body asks for (the pair's records, role, verdict, note), or a Refusal.
ClericalDecision decision_of(const httplib::Request& req) {
  if (req.body.size() > kMaxDecisionBody)
    throw Refusal{413, fmt::format("the body has {} bytes; a decision takes at most {}", req.body.size(),
                                   kMaxDecisionBody)};
  const auto type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0)
    throw Refusal{415, "the body must be JSON, sent with Content-Type: application/json"};
  const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) throw Refusal{400, "body: not a JSON object"};
  check_keys(body, {"role", "a", "b", "decision", "note"}, "");
  ClericalDecision d;
  d.role = role_named(string_member(body, "role", "role", 32), "role");
  for (const char* side : {"a", "b"}) {
    if (!body.contains(side) || !body[side].is_object())
      throw Refusal{400, fmt::format("{}: not an object with source_org and record_id", side)};
    check_keys(body[side], {"source_org", "record_id"}, std::string(side) + ".");
    const auto org = string_member(body[side], "source_org", std::string(side) + ".source_org", kMaxKey);
    const auto id = string_member(body[side], "record_id", std::string(side) + ".record_id", kMaxKey);
    (side[0] == 'a' ? d.org_a : d.org_b) = org;
    (side[0] == 'a' ? d.record_id_a : d.record_id_b) = id;
  }
  const auto verdict = string_member(body, "decision", "decision", 32);
  const auto v = clerical_verdict_from_string(verdict);
  if (!v) throw Refusal{400, fmt::format("decision: '{}' is not match, non_match or unsure", verdict)};
  d.verdict = *v;
  d.note = string_member(body, "note", "note", kMaxNote, /*optional=*/true);
  return d;
}

/// Whether `d`'s pair (either way round) has a stored decision among `latest`.
bool has_decision(const std::vector<ClericalDecision>& latest, const ClericalDecision& d) {
  const auto key = [](const std::string& org, const std::string& id) { return std::make_pair(org, id); };
  const auto a = key(d.org_a, d.record_id_a), b = key(d.org_b, d.record_id_b);
  for (const auto& x : latest) {
    const auto xa = key(x.org_a, x.record_id_a), xb = key(x.org_b, x.record_id_b);
    if ((xa == a && xb == b) || (xa == b && xb == a)) return true;
  }
  return false;
}

/// The decided pairs of `role` (GET /api/v1/review/decided): each pair's latest decision,
/// the most recent first, a page at a time.
nlohmann::json decided_json(Role role, std::vector<ClericalDecision> latest, std::size_t offset, std::size_t limit) {
  std::sort(latest.begin(), latest.end(), [](const auto& x, const auto& y) { return x.decision_id > y.decision_id; });
  nlohmann::json pairs = nlohmann::json::array();
  for (std::size_t i = offset; i < latest.size() && i < offset + limit; ++i) {
    const auto& d = latest[i];
    pairs.push_back({{"a", {{"source_org", d.org_a}, {"record_id", d.record_id_a}}},
                     {"b", {{"source_org", d.org_b}, {"record_id", d.record_id_b}}},
                     {"records_stored", d.records_stored},
                     {"decision", decision_json(d)}});
  }
  return {{"role", to_string(role)},
          {"decided_pairs", latest.size()},
          {"offset", offset},
          {"limit", limit},
          {"pairs", pairs}};
}

/// A page of pairs asked for: the role's latest run, from `offset`, at most `limit`.
struct PageQuery {
  Role role;
  std::size_t offset;
  std::size_t limit;
};

/// Checked before the token, so a typo is a 400 whoever asks.
void refuse_unknown_page_params(const httplib::Request& req) {
  for (const auto& [name, value] : req.params)
    if (name != "role" && name != "offset" && name != "limit")
      throw Refusal{400, fmt::format("unknown parameter '{}' (valid: limit, offset, role)", name)};
}

PageQuery page_query(const httplib::Request& req) {
  return {role_named(req.has_param("role") ? req.get_param_value("role") : "victim", "role"),
          count_param(req, "offset", 0, 1'000'000'000), count_param(req, "limit", kDefaultLimit, kMaxLimit)};
}

}  // namespace

void add_review_routes(httplib::Server& s, const std::shared_ptr<Access>& access, const std::string& db) {
  const auto reviews = std::make_shared<Reviews>(db);
  s.Get("/api/v1/review", access->audited([access, reviews](const httplib::Request& req, httplib::Response& res,
                                                             std::string& actor) {
    try {
      refuse_unknown_page_params(req);
      if (!access->authorize(req, res, {AccountRole::analyst}, actor)) return;
      const auto [role, offset, limit] = page_query(req);
      Store::LinkDiagnostics run;
      access->with_store([&](Store& store) { run = latest_run(store, role); });
      nlohmann::json out;
      reviews->with(
          [&](ReviewStore& r) { out = page_json(run, r.page(run.run_id, role, offset, limit), offset, limit); });
      send(res, out);
    } catch (const Refusal& r) {
      send(res, {{"error", r.message}}, r.status);
    }
  }));
  // The pairs already decided, to revise one (a decided pair leaves the next run's band).
  s.Get("/api/v1/review/decided", access->audited([access, reviews](const httplib::Request& req,
                                                                     httplib::Response& res, std::string& actor) {
    try {
      refuse_unknown_page_params(req);
      if (!access->authorize(req, res, {AccountRole::analyst}, actor)) return;
      const auto [role, offset, limit] = page_query(req);
      nlohmann::json out;
      reviews->with([&](ReviewStore& r) { out = decided_json(role, r.decisions(role, false), offset, limit); });
      send(res, out);
    } catch (const Refusal& r) {
      send(res, {{"error", r.message}}, r.status);
    }
  }));
  s.Post("/api/v1/review/decisions", access->audited([access, reviews](const httplib::Request& req,
                                                                       httplib::Response& res, std::string& actor) {
    try {
      if (!req.params.empty()) throw Refusal{400, "this endpoint takes no parameters"};
      // The token comes from the Authorization header only (never a cookie): a page on
      // another site cannot make a browser send it, so no cross-site request decides.
      const auto who = access->authorize(req, res, {AccountRole::analyst}, actor);
      if (!who) return;
      ClericalDecision d = decision_of(req);
      if (who->account_id != 0) d.account_id = who->account_id;
      d.actor = who->actor;
      Store::LinkDiagnostics run;
      access->with_store([&](Store& store) { run = latest_run(store, d.role); });
      nlohmann::json out;
      reviews->with([&](ReviewStore& r) {
        // A pair of the band, or one decided before (revised: the latest decision wins).
        const bool revising = has_decision(r.decisions(d.role, /*history=*/false), d);
        d.decision_id = r.add_decision(d, revising ? std::nullopt : std::optional<std::int64_t>(run.run_id));
        for (const auto& stored : r.decisions(d.role, /*history=*/true))
          if (stored.decision_id == d.decision_id) d = stored;
        const auto progress = r.page(run.run_id, d.role, 0, 0);
        out = {{"decision", decision_json(d)},
               {"run_id", run.run_id},
               {"pairs_in_band", progress.total},
               {"decided", progress.decided}};
      });
      send(res, out, 201);
    } catch (const Refusal& r) {
      send(res, {{"error", r.message}}, r.status);
    }
  }));
}

}  // namespace joindots::serve
