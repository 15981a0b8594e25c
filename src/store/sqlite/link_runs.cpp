// The SQLite store's link runs: persons with their capture histories, which record is
// which person, scored pairs, the clerical-review band and the diagnostics of each role.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

void SqliteStore::save_link_run(std::int64_t run_id, const LinkRunOutput& out) {
  sqlite::Transaction tx(db_);
  auto person = db_.prepare(
      "INSERT INTO link_persons (run_id, person_id, role, capture_history, lad_cd, first_date, last_date, age_band, "
      "sex, offence_count, records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& p : out.persons) {
    person.reset();
    person.bind(1, run_id).bind(2, p.person_id).bind(3, to_string(p.role));
    person.bind(4, stored::capture_history_text(p.capture_history));
    if (p.lad_cd.empty()) person.bind_null(5);
    else person.bind(5, p.lad_cd);
    person.bind(6, p.first_date.str()).bind(7, p.last_date.str()).bind(8, p.age_band).bind(9, to_string(p.sex));
    person.bind(10, p.offence_count).bind(11, p.records);
    person.run();
  }
  auto member = db_.prepare("INSERT INTO link_person_records (run_id, record_pk, person_id) VALUES (?, ?, ?)");
  for (const auto& [record_pk, person_id] : out.person_of_record) {
    member.reset();
    member.bind(1, run_id).bind(2, record_pk).bind(3, person_id);
    member.run();
  }
  auto pair = db_.prepare(
      "INSERT INTO link_pairs (run_id, record_pk_a, record_pk_b, weight, probability) VALUES (?, ?, ?, ?, ?)");
  for (const auto& p : out.pairs) {
    pair.reset();
    pair.bind(1, run_id).bind(2, p.record_pk_a).bind(3, p.record_pk_b).bind(4, p.weight).bind(5, p.probability);
    pair.run();
  }
  auto review = db_.prepare(
      "INSERT INTO link_review (run_id, role, record_pk_a, record_pk_b, weight, probability, levels) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const auto& p : out.review) {
    review.reset();
    review.bind(1, run_id).bind(2, to_string(out.role)).bind(3, p.record_pk_a).bind(4, p.record_pk_b).bind(5, p.weight)
        .bind(6, p.probability).bind(7, p.levels_json);
    review.run();
  }
  auto diag = db_.prepare("INSERT INTO link_diagnostics (run_id, role, diagnostics) VALUES (?, ?, ?)");
  diag.bind(1, run_id).bind(2, to_string(out.role)).bind(3, out.diagnostics_json);
  diag.run();
  tx.commit();
}

std::optional<std::int64_t> SqliteStore::latest_link_run(Role role) {
  auto st = db_.prepare(
      "SELECT max(r.run_id) FROM runs r WHERE r.stage = 'link' AND r.status = 'done' AND EXISTS "
      "(SELECT 1 FROM link_persons p WHERE p.run_id = r.run_id AND p.role = ?)");
  st.bind(1, to_string(role));
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_int(0);
}

void SqliteStore::for_each_linked_person(
    std::int64_t run_id, Role role,
    const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) {
  // Each person's most frequent date of birth: full dates first, then the most common.
  std::map<std::int64_t, Date> dob_of;
  {
    auto st = db_.prepare(
        "SELECT m.person_id, r.dob, count(*) AS n FROM link_person_records m JOIN records r USING (record_pk) "
        "WHERE m.run_id = ? AND r.role = ? AND r.dob IS NOT NULL GROUP BY m.person_id, r.dob "
        "ORDER BY m.person_id, length(r.dob) DESC, n DESC, r.dob");
    st.bind(1, run_id).bind(2, to_string(role));
    while (st.step()) {
      const auto person = st.column_int(0);
      if (dob_of.count(person)) continue;  // the first row per person is the chosen one
      if (auto d = Date::parse(st.column_text(1))) dob_of.emplace(person, *d);
    }
  }
  auto st = db_.prepare(
      "SELECT person_id, role, capture_history, coalesce(lad_cd, ''), first_date, last_date, age_band, sex, "
      "offence_count, records FROM link_persons WHERE run_id = ? AND role = ? ORDER BY person_id");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedPerson p;
  while (st.step()) {
    p.person_id = st.column_int(0);
    p.role = stored::enum_value<Role>(db_, kRoleNames, st.column_text(1), "role");
    p.capture_history = stored::capture_history_value(db_, st.column_text(2));
    p.lad_cd = st.column_text(3);
    p.first_date = stored::date_value(db_, st.column_text(4));
    p.last_date = stored::date_value(db_, st.column_text(5));
    p.age_band = st.column_text(6);
    p.sex = stored::enum_value<Sex>(db_, kSexNames, st.column_text(7), "sex");
    p.offence_count = st.column_int(8);
    p.records = st.column_int(9);
    auto it = dob_of.find(p.person_id);
    fn(p, it == dob_of.end() ? std::nullopt : std::optional<Date>(it->second));
  }
}

std::vector<Store::LinkDiagnostics> SqliteStore::latest_link_diagnostics() {
  auto st = db_.prepare(
      "SELECT d.run_id, d.role, d.diagnostics, coalesce(r.params, '{}'), "
      "coalesce(json_extract(r.params, '$.threshold'), 0.5) FROM link_diagnostics d JOIN runs r USING (run_id) "
      "WHERE r.status = 'done' AND d.run_id = (SELECT max(d2.run_id) FROM link_diagnostics d2 JOIN runs r2 "
      "USING (run_id) WHERE r2.status = 'done' AND d2.role = d.role) ORDER BY d.role");
  std::vector<LinkDiagnostics> out;
  std::vector<double> thresholds;
  while (st.step()) {
    LinkDiagnostics d;
    d.run_id = st.column_int(0);
    d.role = stored::enum_value<Role>(db_, kRoleNames, st.column_text(1), "role");
    d.diagnostics_json = st.column_text(2);
    d.params_json = st.column_text(3);
    thresholds.push_back(st.column_double(4));
    out.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto pairs = db_.prepare(
        "SELECT count(*), coalesce(avg(p.probability), 0) FROM link_pairs p JOIN records r ON r.record_pk = "
        "p.record_pk_a WHERE p.run_id = ? AND r.role = ? AND p.probability >= ?");
    pairs.bind(1, out[i].run_id).bind(2, to_string(out[i].role)).bind(3, thresholds[i]);
    if (pairs.step()) {
      out[i].linked_pairs = pairs.column_int(0);
      out[i].mean_probability = pairs.column_double(1);
    }
  }
  return out;
}

void SqliteStore::for_each_linked_record(std::int64_t run_id, Role role,
                                         const std::function<void(const LinkedRecord&)>& fn) {
  auto st = db_.prepare(
      "SELECT r.record_pk, m.person_id, s.source_type, r.source_org, r.record_id, coalesce(r.case_ref, ''), "
      "coalesce(r.lad_cd, ''), r.event_date, r.last_date, r.offence_count FROM link_person_records m "
      "JOIN records r USING (record_pk) JOIN sources s USING (source_id) WHERE m.run_id = ? AND r.role = ? "
      "ORDER BY r.record_pk");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedRecord out;
  out.role = role;
  while (st.step()) {
    out.record_pk = st.column_int(0);
    out.person_id = st.column_int(1);
    out.source_type = stored::enum_value<SourceType>(db_, kSourceTypeNames, st.column_text(2), "source type");
    out.source_org = st.column_text(3);
    out.record_id = st.column_text(4);
    out.case_ref = st.column_text(5);
    out.lad_cd = st.column_text(6);
    out.event_date = stored::date_value(db_, st.column_text(7));
    out.last_date =
        st.column_is_null(8) ? std::nullopt : std::optional<Date>(stored::date_value(db_, st.column_text(8)));
    out.offence_count = st.column_is_null(9) ? std::nullopt : std::optional<std::int64_t>(st.column_int(9));
    fn(out);
  }
}

void SqliteStore::for_each_link_pair(std::int64_t run_id, Role role, const std::function<void(const LinkedPair&)>& fn) {
  auto st = db_.prepare(
      "SELECT p.record_pk_a, p.record_pk_b, p.weight, p.probability FROM link_pairs p JOIN records r ON r.record_pk = "
      "p.record_pk_a WHERE p.run_id = ? AND r.role = ? ORDER BY p.record_pk_a, p.record_pk_b");
  st.bind(1, run_id).bind(2, to_string(role));
  LinkedPair pair;
  while (st.step()) {
    pair.record_pk_a = st.column_int(0);
    pair.record_pk_b = st.column_int(1);
    pair.weight = st.column_double(2);
    pair.probability = st.column_double(3);
    fn(pair);
  }
}

std::vector<StoredReviewPair> SqliteStore::review_pairs(std::int64_t run_id, Role role, std::size_t limit,
                                                       std::int64_t& total) {
  {
    auto st = db_.prepare("SELECT count(*) FROM link_review WHERE run_id = ? AND role = ?");
    st.bind(1, run_id).bind(2, to_string(role));
    total = st.step() ? st.column_int(0) : 0;
  }
  auto st = db_.prepare(
      "SELECT sa.source_type, ra.source_org, ra.record_id, ra.event_date, coalesce(ma.person_id, 0), "
      "sb.source_type, rb.source_org, rb.record_id, rb.event_date, coalesce(mb.person_id, 0), "
      "v.weight, v.probability, v.levels FROM link_review v "
      "JOIN records ra ON ra.record_pk = v.record_pk_a JOIN sources sa ON sa.source_id = ra.source_id "
      "JOIN records rb ON rb.record_pk = v.record_pk_b JOIN sources sb ON sb.source_id = rb.source_id "
      "LEFT JOIN link_person_records ma ON ma.run_id = v.run_id AND ma.record_pk = v.record_pk_a "
      "LEFT JOIN link_person_records mb ON mb.run_id = v.run_id AND mb.record_pk = v.record_pk_b "
      "WHERE v.run_id = ? AND v.role = ? ORDER BY v.probability DESC, v.record_pk_a, v.record_pk_b LIMIT ?");
  st.bind(1, run_id).bind(2, to_string(role)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<StoredReviewPair> out;
  while (st.step()) {
    StoredReviewPair p;
    const auto record = [&](int column) {
      return ReviewRecord{stored::enum_value<SourceType>(db_, kSourceTypeNames, st.column_text(column), "source type"),
                          st.column_text(column + 1), st.column_text(column + 2),
                          stored::date_value(db_, st.column_text(column + 3)), st.column_int(column + 4)};
    };
    p.a = record(0);
    p.b = record(5);
    p.weight = st.column_double(10);
    p.probability = st.column_double(11);
    p.levels_json = st.column_text(12);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace joindots
