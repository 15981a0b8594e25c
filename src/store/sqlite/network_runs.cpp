// The SQLite store's networks: the one networks run it holds, its networks and members.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

void SqliteStore::save_network_run(std::int64_t run_id, const NetworkRunOutput& out) {
  sqlite::Transaction tx(db_);
  db_.exec("DELETE FROM network_members; DELETE FROM networks; DELETE FROM network_run;");
  auto held =
      db_.prepare("INSERT INTO network_run (run_id, saved_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
  held.bind(1, run_id);
  held.run();
  auto net = db_.prepare(
      "INSERT INTO networks (run_id, network_id, suspects, victims, cases, records, lads, pfas, cross_force, "
      "first_date, last_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& n : out.networks) {
    net.reset();
    net.bind(1, run_id).bind(2, n.network_id).bind(3, n.suspects).bind(4, n.victims).bind(5, n.cases)
        .bind(6, n.records).bind(7, nlohmann::json(n.lads).dump()).bind(8, nlohmann::json(n.pfas).dump())
        .bind(9, std::int64_t{n.pfas.size() > 1}).bind(10, n.first_date.str()).bind(11, n.last_date.str());
    net.run();
  }
  auto member = db_.prepare(
      "INSERT INTO network_members (run_id, network_id, role, link_run_id, person_id) VALUES (?, ?, ?, ?, ?)");
  for (const auto& m : out.members) {
    member.reset();
    member.bind(1, run_id).bind(2, m.network_id).bind(3, to_string(m.role)).bind(4, m.link_run_id)
        .bind(5, m.person_id);
    member.run();
  }
  tx.commit();
}

std::optional<std::int64_t> SqliteStore::latest_network_run() {
  auto st = db_.prepare("SELECT max(run_id) FROM network_run");
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_int(0);
}

std::vector<StoredNetwork> SqliteStore::networks() {
  auto st = db_.prepare(
      "SELECT network_id, suspects, victims, cases, records, lads, pfas, first_date, last_date FROM networks "
      "ORDER BY network_id");
  std::vector<StoredNetwork> out;
  while (st.step()) {
    StoredNetwork n;
    n.network_id = st.column_int(0);
    n.suspects = st.column_int(1);
    n.victims = st.column_int(2);
    n.cases = st.column_int(3);
    n.records = st.column_int(4);
    n.lads = nlohmann::json::parse(st.column_text(5)).get<std::vector<std::string>>();
    n.pfas = nlohmann::json::parse(st.column_text(6)).get<std::vector<std::string>>();
    n.first_date = stored::date_value(db_, st.column_text(7));
    n.last_date = stored::date_value(db_, st.column_text(8));
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::int64_t> SqliteStore::networks_of_person(std::int64_t link_run_id, std::int64_t person_id) {
  auto st = db_.prepare(
      "SELECT DISTINCT network_id FROM network_members WHERE link_run_id = ? AND person_id = ? ORDER BY network_id");
  st.bind(1, link_run_id).bind(2, person_id);
  std::vector<std::int64_t> out;
  while (st.step()) out.push_back(st.column_int(0));
  return out;
}

void SqliteStore::for_each_network_member(const std::function<void(const NetworkMember&)>& fn) {
  auto st = db_.prepare(
      "SELECT network_id, role, link_run_id, person_id FROM network_members ORDER BY network_id, role, person_id");
  NetworkMember m;
  while (st.step()) {
    m.network_id = st.column_int(0);
    m.role = stored::enum_value<Role>(db_, kRoleNames, st.column_text(1), "role");
    m.link_run_id = st.column_int(2);
    m.person_id = st.column_int(3);
    fn(m);
  }
}

}  // namespace joindots
