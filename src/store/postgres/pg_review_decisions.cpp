// The PostgreSQL store's clerical review (schema version 10; store/review_store.hpp), as SQLite's.
#include <fmt/format.h>

#include "core/error.hpp"
#include "io/text_file.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/review_rules.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

namespace {

using review_rules::kBothStored;
using review_rules::kDecisionColumns;

ClericalDecision read_decision(const pg::Connection& c, const pg::Result& r, int row) {
  return review_rules::decision_from_row(
      c, [&](int i) { return r.text(row, i); }, [&](int i) { return r.integer_or_null(row, i); });
}

std::vector<std::pair<std::string, std::string>> identifiers_of(pg::Connection& c, std::int64_t record_pk) {
  const auto r = c.query(fmt::format("SELECT {} FROM records WHERE record_pk = $1", review_rules::kIdentifierColumns),
                         pg::Params().integer(record_pk));
  std::vector<std::pair<std::string, std::string>> out;
  if (r.rows() == 0) return out;
  for (std::size_t i = 0; i < review_rules::kIdentifierNames.size(); ++i) {
    const auto value = r.text(0, static_cast<int>(i));
    if (review_rules::shown_identifier(value)) out.emplace_back(review_rules::kIdentifierNames[i], value);
  }
  return out;
}

class PostgresReviewStore final : public ReviewStore {
 public:
  explicit PostgresReviewStore(const std::string& uri) : c_(uri) {
    if (postgres_schema_version(c_) == 0)
      throw UsageError(fmt::format("{}: no such store: the database holds no joindots tables", c_.location()));
    migrate_postgres(c_);
  }
  std::int64_t add_decision(const ClericalDecision& decision, std::optional<std::int64_t> band_run) override;
  std::vector<ClericalDecision> decisions(std::optional<Role> role, bool history) override;
  ReviewPage page(std::int64_t run_id, Role role, std::size_t offset, std::size_t limit) override;

 private:
  pg::Connection c_;
};

std::int64_t PostgresReviewStore::add_decision(const ClericalDecision& decision,
                                               std::optional<std::int64_t> band_run) {
  pg::Transaction tx(c_);
  const std::string role(to_string(decision.role));
  std::int64_t pk[2] = {0, 0};
  const std::string* sides[2][2] = {{&decision.org_a, &decision.record_id_a}, {&decision.org_b, &decision.record_id_b}};
  for (int s = 0; s < 2; ++s) {
    const auto r = c_.query("SELECT record_pk, role FROM records WHERE source_org = $1 AND record_id = $2",
                            pg::Params().text(*sides[s][0]).text(*sides[s][1]));
    const std::string stored_role = r.rows() ? r.text(0, 1) : "";
    review_rules::check_side(s, *sides[s][0], *sides[s][1], role, r.rows() ? &stored_role : nullptr);
    pk[s] = r.integer(0, 0);
  }
  if (pk[0] == pk[1]) review_rules::same_record(decision);
  if (band_run) {
    const auto r = c_.query(
        "SELECT 1 FROM link_review WHERE run_id = $1 AND role = $2 AND ((record_pk_a = $3 AND record_pk_b = $4) OR "
        "(record_pk_a = $4 AND record_pk_b = $3))",
        pg::Params().integer(*band_run).text(role).integer(pk[0]).integer(pk[1]));
    if (r.rows() == 0) review_rules::not_in_band(decision, *band_run);
  }
  const ClericalDecision d = review_rules::in_stored_order(decision);
  const auto id = c_.query(
                        "INSERT INTO review_decisions (role, org_a, record_id_a, org_b, record_id_b, decision, "
                        "account_id, actor, decided_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                        "RETURNING decision_id",
                        pg::Params()
                            .text(role)
                            .text(d.org_a)
                            .text(d.record_id_a)
                            .text(d.org_b)
                            .text(d.record_id_b)
                            .text(to_string(d.verdict))
                            .integer(d.account_id)
                            .text(d.actor)
                            .text(utc_timestamp())
                            .text(d.note))
                      .integer(0, 0);
  tx.commit();
  return id;
}

std::vector<ClericalDecision> PostgresReviewStore::decisions(std::optional<Role> role, bool history) {
  const std::string latest =
      history ? "" : std::string(" AND ") + std::string(review_rules::kLatestOfItsPair);
  // Pairs in bytewise order, as SQLite orders them.
  const auto r = c_.query(
      fmt::format("SELECT {}, {} FROM review_decisions d WHERE ($1::text IS NULL OR d.role = $1::text){} ORDER BY {}",
                  kDecisionColumns, kBothStored, latest,
                  history ? "d.decision_id"
                          : "d.role COLLATE \"C\", d.org_a COLLATE \"C\", d.record_id_a COLLATE \"C\", "
                            "d.org_b COLLATE \"C\", d.record_id_b COLLATE \"C\""),
      pg::Params().text_or_null(role ? std::string(to_string(*role)) : std::string()));
  std::vector<ClericalDecision> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(read_decision(c_, r, i));
    out.back().records_stored = r.text(i, 11) == "t";
  }
  return out;
}

ReviewPage PostgresReviewStore::page(std::int64_t run_id, Role role, std::size_t offset, std::size_t limit) {
  pg::ReadSnapshot snapshot(c_);
  ReviewPage result;
  const auto params = pg::Params().integer(run_id).text(to_string(role));
  const std::string latest(review_rules::kLatestDecisionOfBandPair);
  const auto counts = c_.query(
      fmt::format("SELECT count(*), count({}) FROM link_review v JOIN records ra ON ra.record_pk = v.record_pk_a "
                  "JOIN records rb ON rb.record_pk = v.record_pk_b WHERE v.run_id = $1 AND v.role = $2",
                  latest),
      params);
  result.total = counts.integer(0, 0);
  result.decided = counts.integer(0, 1);
  auto page_params = params;
  page_params.integer(static_cast<std::int64_t>(limit)).integer(static_cast<std::int64_t>(offset));
  const auto r = c_.query(
      fmt::format(
          "SELECT sa.source_type, ra.source_org, ra.record_id, ra.event_date, coalesce(ma.person_id, 0), "
          "sb.source_type, rb.source_org, rb.record_id, rb.event_date, coalesce(mb.person_id, 0), "
          "v.weight, v.probability, v.levels, v.record_pk_a, v.record_pk_b, {} FROM link_review v "
          "JOIN records ra ON ra.record_pk = v.record_pk_a JOIN sources sa ON sa.source_id = ra.source_id "
          "JOIN records rb ON rb.record_pk = v.record_pk_b JOIN sources sb ON sb.source_id = rb.source_id "
          "LEFT JOIN link_person_records ma ON ma.run_id = v.run_id AND ma.record_pk = v.record_pk_a "
          "LEFT JOIN link_person_records mb ON mb.run_id = v.run_id AND mb.record_pk = v.record_pk_b "
          "WHERE v.run_id = $1 AND v.role = $2 ORDER BY v.probability DESC, v.record_pk_a, v.record_pk_b "
          "LIMIT $3 OFFSET $4",
          latest),
      page_params);
  for (int i = 0; i < r.rows(); ++i) {
    ReviewItem item;
    const auto record = [&](int column) {
      return ReviewRecord{stored::enum_value<SourceType>(c_, kSourceTypeNames, r.text(i, column), "source type"),
                          r.text(i, column + 1), r.text(i, column + 2), stored::date_value(c_, r.text(i, column + 3)),
                          r.integer(i, column + 4)};
    };
    item.pair = StoredReviewPair{record(0), record(5), r.real(i, 10), r.real(i, 11), r.text(i, 12)};
    item.identifiers_a = identifiers_of(c_, r.integer(i, 13));
    item.identifiers_b = identifiers_of(c_, r.integer(i, 14));
    if (const auto id = r.integer_or_null(i, 15)) {
      const auto d = c_.query(fmt::format("SELECT {} FROM review_decisions d WHERE d.decision_id = $1",
                                          kDecisionColumns),
                              pg::Params().integer(*id));
      if (d.rows()) item.decision = read_decision(c_, d, 0);
    }
    result.items.push_back(std::move(item));
  }
  return result;
}

}  // namespace

std::unique_ptr<ReviewStore> open_postgres_review_store(const std::string& uri) {
  return std::make_unique<PostgresReviewStore>(uri);
}

}  // namespace joindots
