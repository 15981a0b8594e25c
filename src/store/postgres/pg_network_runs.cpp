// The PostgreSQL store's networks (as store/sqlite/network_runs.cpp): the one networks run
// it holds, its networks and their members, replaced whole in one transaction.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "io/text_file.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

void PostgresStore::save_network_run(std::int64_t run_id, const NetworkRunOutput& out) {
  pg::Transaction tx(c_);
  c_.exec("DELETE FROM network_members; DELETE FROM networks; DELETE FROM network_run");
  c_.query("INSERT INTO network_run (run_id, saved_at) VALUES ($1, $2)",
           pg::Params().integer(run_id).text(utc_timestamp()));
  pg::CopyRows rows;
  for (const auto& n : out.networks) {
    rows.integer(run_id)
        .integer(n.network_id)
        .integer(n.suspects)
        .integer(n.victims)
        .integer(n.cases);
    rows.integer(n.records).text(nlohmann::json(n.lads).dump()).text(nlohmann::json(n.pfas).dump());
    rows.integer(std::int64_t{n.pfas.size() > 1})
        .text(n.first_date.str())
        .text(n.last_date.str())
        .end_row();
  }
  rows.send(c_,
            "COPY networks (run_id, network_id, suspects, victims, cases, records, lads, pfas, "
            "cross_force, "
            "first_date, last_date) FROM STDIN");
  for (const auto& m : out.members)
    rows.integer(run_id)
        .integer(m.network_id)
        .text(to_string(m.role))
        .integer(m.link_run_id)
        .integer(m.person_id)
        .end_row();
  rows.send(c_,
            "COPY network_members (run_id, network_id, role, link_run_id, person_id) FROM STDIN");
  tx.commit();
}

std::optional<std::int64_t> PostgresStore::latest_network_run() {
  auto r = c_.query("SELECT max(run_id) FROM network_run");
  if (r.null(0, 0)) return std::nullopt;
  return r.integer(0, 0);
}

std::vector<StoredNetwork> PostgresStore::networks() {
  auto r = c_.query(
      "SELECT network_id, suspects, victims, cases, records, lads, pfas, first_date, last_date "
      "FROM networks "
      "ORDER BY network_id");
  std::vector<StoredNetwork> out;
  for (int i = 0; i < r.rows(); ++i) {
    StoredNetwork n;
    n.network_id = r.integer(i, 0);
    n.suspects = r.integer(i, 1);
    n.victims = r.integer(i, 2);
    n.cases = r.integer(i, 3);
    n.records = r.integer(i, 4);
    n.lads = nlohmann::json::parse(r.text(i, 5)).get<std::vector<std::string>>();
    n.pfas = nlohmann::json::parse(r.text(i, 6)).get<std::vector<std::string>>();
    n.first_date = stored::date_value(c_, r.text(i, 7));
    n.last_date = stored::date_value(c_, r.text(i, 8));
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::int64_t> PostgresStore::networks_of_person(std::int64_t link_run_id,
                                                            std::int64_t person_id) {
  auto r = c_.query(
      "SELECT DISTINCT network_id FROM network_members WHERE link_run_id = $1 AND person_id = $2 "
      "ORDER BY network_id",
      pg::Params().integer(link_run_id).integer(person_id));
  std::vector<std::int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.integer(i, 0));
  return out;
}

void PostgresStore::for_each_network_member(const std::function<void(const NetworkMember&)>& fn) {
  // One networks run's members: few enough to read at once.
  auto r = c_.query(
      "SELECT network_id, role, link_run_id, person_id FROM network_members ORDER BY network_id, "
      "role, person_id");
  NetworkMember m;
  for (int i = 0; i < r.rows(); ++i) {
    m.network_id = r.integer(i, 0);
    m.role = stored::enum_value<Role>(c_, kRoleNames, r.text(i, 1), "role");
    m.link_run_id = r.integer(i, 2);
    m.person_id = r.integer(i, 3);
    fn(m);
  }
}

}  // namespace joindots
