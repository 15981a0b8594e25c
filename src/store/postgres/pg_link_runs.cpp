// The PostgreSQL store's link runs (as store/sqlite/link_runs.cpp): persons with their
// capture histories, which record is which person, scored pairs, the clerical-review band
// and each role's diagnostics; saved by COPY in one transaction.
#include <fmt/format.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

namespace {

constexpr int kChunkRows = 20000;

/// A link run's match threshold from its parameters (JSON); 0.5 when it names none.
double link_threshold(const std::string& params_json) {
  const auto params = nlohmann::json::parse(params_json, nullptr, /*allow_exceptions=*/false);
  if (params.is_object() && params.contains("threshold") && params["threshold"].is_number())
    return params["threshold"].get<double>();
  return 0.5;
}

}  // namespace

void PostgresStore::save_link_run(std::int64_t run_id, const LinkRunOutput& out) {
  pg::Transaction tx(c_);
  const std::string role = std::string(to_string(out.role));
  pg::CopyRows rows;
  for (const auto& p : out.persons) {
    rows.integer(run_id)
        .integer(p.person_id)
        .text(to_string(p.role))
        .text(stored::capture_history_text(p.capture_history));
    rows.text_or_null(p.lad_cd).text(p.first_date.str()).text(p.last_date.str()).text(p.age_band);
    rows.text(to_string(p.sex)).integer(p.offence_count).integer(p.records).end_row();
  }
  rows.send(c_,
            "COPY link_persons (run_id, person_id, role, capture_history, lad_cd, first_date, "
            "last_date, age_band, sex, "
            "offence_count, records) FROM STDIN");
  for (const auto& [record_pk, person_id] : out.person_of_record)
    rows.integer(run_id).integer(record_pk).integer(person_id).end_row();
  rows.send(c_, "COPY link_person_records (run_id, record_pk, person_id) FROM STDIN");
  for (const auto& p : out.pairs)
    rows.integer(run_id)
        .integer(p.record_pk_a)
        .integer(p.record_pk_b)
        .real(p.weight)
        .real(p.probability)
        .end_row();
  rows.send(c_,
            "COPY link_pairs (run_id, record_pk_a, record_pk_b, weight, probability) FROM STDIN");
  for (const auto& p : out.review) {
    rows.integer(run_id)
        .text(role)
        .integer(p.record_pk_a)
        .integer(p.record_pk_b)
        .real(p.weight)
        .real(p.probability);
    rows.text(p.levels_json).end_row();
  }
  rows.send(c_,
            "COPY link_review (run_id, role, record_pk_a, record_pk_b, weight, probability, "
            "levels) FROM STDIN");
  c_.query("INSERT INTO link_diagnostics (run_id, role, diagnostics) VALUES ($1, $2, $3)",
           pg::Params().integer(run_id).text(role).text(out.diagnostics_json));
  tx.commit();
}

std::optional<std::int64_t> PostgresStore::latest_link_run(Role role) {
  auto r = c_.query(
      "SELECT max(r.run_id) FROM runs r WHERE r.stage = 'link' AND r.status = 'done' AND EXISTS "
      "(SELECT 1 FROM link_persons p WHERE p.run_id = r.run_id AND p.role = $1)",
      pg::Params().text(to_string(role)));
  if (r.null(0, 0)) return std::nullopt;
  return r.integer(0, 0);
}

void PostgresStore::for_each_linked_person(
    std::int64_t run_id, Role role,
    const std::function<void(const LinkedPerson&, const std::optional<Date>& dob)>& fn) {
  // Each person's most frequent date of birth: full dates first, then the most common.
  std::map<std::int64_t, Date> dob_of;
  {
    auto r = c_.query(
        "SELECT DISTINCT ON (m.person_id) m.person_id, r.dob FROM link_person_records m JOIN "
        "records r USING "
        "(record_pk) WHERE m.run_id = $1 AND r.role = $2 AND r.dob IS NOT NULL GROUP BY "
        "m.person_id, r.dob "
        "ORDER BY m.person_id, length(r.dob) DESC, count(*) DESC, r.dob",
        pg::Params().integer(run_id).text(to_string(role)));
    for (int i = 0; i < r.rows(); ++i)
      if (auto d = Date::parse(r.text(i, 1))) dob_of.emplace(r.integer(i, 0), *d);
  }
  const std::string sql = fmt::format(
      "SELECT person_id, role, capture_history, coalesce(lad_cd, ''), first_date, last_date, "
      "age_band, sex, "
      "offence_count, records FROM link_persons WHERE run_id = $1 AND role = $2 AND person_id > $3 "
      "ORDER BY person_id LIMIT {}",
      kChunkRows);
  LinkedPerson p;
  for (std::int64_t after = std::numeric_limits<std::int64_t>::min();;) {
    auto r = c_.query(sql, pg::Params().integer(run_id).text(to_string(role)).integer(after));
    for (int i = 0; i < r.rows(); ++i) {
      p.person_id = after = r.integer(i, 0);
      p.role = stored::enum_value<Role>(c_, kRoleNames, r.text(i, 1), "role");
      p.capture_history = stored::capture_history_value(c_, r.text(i, 2));
      p.lad_cd = r.text(i, 3);
      p.first_date = stored::date_value(c_, r.text(i, 4));
      p.last_date = stored::date_value(c_, r.text(i, 5));
      p.age_band = r.text(i, 6);
      p.sex = stored::enum_value<Sex>(c_, kSexNames, r.text(i, 7), "sex");
      p.offence_count = r.integer(i, 8);
      p.records = r.integer(i, 9);
      auto it = dob_of.find(p.person_id);
      fn(p, it == dob_of.end() ? std::nullopt : std::optional<Date>(it->second));
    }
    if (r.rows() < kChunkRows) break;
  }
}

std::vector<Store::LinkDiagnostics> PostgresStore::latest_link_diagnostics() {
  pg::ReadSnapshot snapshot(c_);
  auto r = c_.query(
      "SELECT d.run_id, d.role, d.diagnostics, coalesce(r.params, '{}') FROM link_diagnostics d "
      "JOIN runs r USING (run_id) "
      "WHERE r.status = 'done' AND d.run_id = (SELECT max(d2.run_id) FROM link_diagnostics d2 JOIN "
      "runs r2 "
      "USING (run_id) WHERE r2.status = 'done' AND d2.role = d.role) ORDER BY d.role");
  std::vector<LinkDiagnostics> out;
  for (int i = 0; i < r.rows(); ++i) {
    LinkDiagnostics d;
    d.run_id = r.integer(i, 0);
    d.role = stored::enum_value<Role>(c_, kRoleNames, r.text(i, 1), "role");
    d.diagnostics_json = r.text(i, 2);
    d.params_json = r.text(i, 3);
    out.push_back(std::move(d));
  }
  for (auto& d : out) {
    auto pairs = c_.query(
        "SELECT count(*), coalesce(avg(p.probability), 0) FROM link_pairs p JOIN records r ON "
        "r.record_pk = "
        "p.record_pk_a WHERE p.run_id = $1 AND r.role = $2 AND p.probability >= $3",
        pg::Params().integer(d.run_id).text(to_string(d.role)).real(link_threshold(d.params_json)));
    d.linked_pairs = pairs.integer(0, 0);
    d.mean_probability = pairs.real(0, 1);
  }
  return out;
}

void PostgresStore::for_each_linked_record(std::int64_t run_id, Role role,
                                           const std::function<void(const LinkedRecord&)>& fn) {
  const std::string sql = fmt::format(
      "SELECT r.record_pk, m.person_id, s.source_type, r.source_org, r.record_id, "
      "coalesce(r.case_ref, ''), "
      "coalesce(r.lad_cd, ''), r.event_date, r.last_date, r.offence_count FROM link_person_records "
      "m "
      "JOIN records r USING (record_pk) JOIN sources s USING (source_id) WHERE m.run_id = $1 AND "
      "r.role = $2 "
      "AND r.record_pk > $3 ORDER BY r.record_pk LIMIT {}",
      kChunkRows);
  LinkedRecord out;
  out.role = role;
  for (std::int64_t after = 0;;) {
    auto r = c_.query(sql, pg::Params().integer(run_id).text(to_string(role)).integer(after));
    for (int i = 0; i < r.rows(); ++i) {
      out.record_pk = after = r.integer(i, 0);
      out.person_id = r.integer(i, 1);
      out.source_type =
          stored::enum_value<SourceType>(c_, kSourceTypeNames, r.text(i, 2), "source type");
      out.source_org = r.text(i, 3);
      out.record_id = r.text(i, 4);
      out.case_ref = r.text(i, 5);
      out.lad_cd = r.text(i, 6);
      out.event_date = stored::date_value(c_, r.text(i, 7));
      out.last_date =
          r.null(i, 8) ? std::nullopt : std::optional<Date>(stored::date_value(c_, r.text(i, 8)));
      out.offence_count = r.integer_or_null(i, 9);
      fn(out);
    }
    if (r.rows() < kChunkRows) break;
  }
}

void PostgresStore::for_each_link_pair(std::int64_t run_id, Role role,
                                       const std::function<void(const LinkedPair&)>& fn) {
  const std::string sql = fmt::format(
      "SELECT p.record_pk_a, p.record_pk_b, p.weight, p.probability FROM link_pairs p JOIN records "
      "r ON r.record_pk = "
      "p.record_pk_a WHERE p.run_id = $1 AND r.role = $2 AND (p.record_pk_a, p.record_pk_b) > ($3, "
      "$4) "
      "ORDER BY p.record_pk_a, p.record_pk_b LIMIT {}",
      kChunkRows);
  LinkedPair p;
  for (std::int64_t after_a = 0, after_b = 0;;) {
    auto r = c_.query(
        sql, pg::Params().integer(run_id).text(to_string(role)).integer(after_a).integer(after_b));
    for (int i = 0; i < r.rows(); ++i) {
      p.record_pk_a = after_a = r.integer(i, 0);
      p.record_pk_b = after_b = r.integer(i, 1);
      p.weight = r.real(i, 2);
      p.probability = r.real(i, 3);
      fn(p);
    }
    if (r.rows() < kChunkRows) break;
  }
}

std::vector<StoredReviewPair> PostgresStore::review_pairs(std::int64_t run_id, Role role,
                                                          std::size_t limit, std::int64_t& total) {
  pg::ReadSnapshot snapshot(c_);
  total = c_.query("SELECT count(*) FROM link_review WHERE run_id = $1 AND role = $2",
                   pg::Params().integer(run_id).text(to_string(role)))
              .integer(0, 0);
  auto r = c_.query(
      "SELECT sa.source_type, ra.source_org, ra.record_id, ra.event_date, coalesce(ma.person_id, "
      "0), "
      "sb.source_type, rb.source_org, rb.record_id, rb.event_date, coalesce(mb.person_id, 0), "
      "v.weight, v.probability, v.levels FROM link_review v "
      "JOIN records ra ON ra.record_pk = v.record_pk_a JOIN sources sa ON sa.source_id = "
      "ra.source_id "
      "JOIN records rb ON rb.record_pk = v.record_pk_b JOIN sources sb ON sb.source_id = "
      "rb.source_id "
      "LEFT JOIN link_person_records ma ON ma.run_id = v.run_id AND ma.record_pk = v.record_pk_a "
      "LEFT JOIN link_person_records mb ON mb.run_id = v.run_id AND mb.record_pk = v.record_pk_b "
      "WHERE v.run_id = $1 AND v.role = $2 ORDER BY v.probability DESC, v.record_pk_a, "
      "v.record_pk_b LIMIT $3",
      pg::Params().integer(run_id).text(to_string(role)).integer(static_cast<std::int64_t>(limit)));
  std::vector<StoredReviewPair> out;
  for (int i = 0; i < r.rows(); ++i) {
    const auto record = [&](int column) {
      return ReviewRecord{
          stored::enum_value<SourceType>(c_, kSourceTypeNames, r.text(i, column), "source type"),
          r.text(i, column + 1), r.text(i, column + 2),
          stored::date_value(c_, r.text(i, column + 3)), r.integer(i, column + 4)};
    };
    out.push_back(
        StoredReviewPair{record(0), record(5), r.real(i, 10), r.real(i, 11), r.text(i, 12)});
  }
  return out;
}

}  // namespace joindots
