// The SQLite store's clerical review (schema version 10; store/review_store.hpp): analysts' decisions on pairs of
// records, and the review band read a page at a time with both records' identifiers.
#include <fmt/format.h>

#include "core/error.hpp"
#include "io/text_file.hpp"
#include "store/review_rules.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/stored_values.hpp"

namespace joindots {

namespace {

using review_rules::kBothStored;
using review_rules::kDecisionColumns;

ClericalDecision read_decision(const sqlite::Database& db, const sqlite::Statement& st) {
  return review_rules::decision_from_row(
      db, [&](int i) { return st.column_text(i); },
      [&](int i) { return st.column_is_null(i) ? std::nullopt : std::optional<std::int64_t>(st.column_int(i)); });
}

/// The record_pk and role of the record (org, id), if stored.
std::optional<std::pair<std::int64_t, std::string>> find_record(sqlite::Database& db, const std::string& org,
                                                                const std::string& id) {
  auto st = db.prepare("SELECT record_pk, role FROM records WHERE source_org = ? AND record_id = ?");
  st.bind(1, org).bind(2, id);
  if (!st.step()) return std::nullopt;
  return std::make_pair(st.column_int(0), st.column_text(1));
}

/// The identifiers a reviewer compares (store/store.hpp's ReviewItem), those the record holds.
std::vector<std::pair<std::string, std::string>> identifiers_of(sqlite::Database& db, std::int64_t record_pk) {
  auto st = db.prepare(fmt::format("SELECT {} FROM records WHERE record_pk = ?", review_rules::kIdentifierColumns));
  st.bind(1, record_pk);
  std::vector<std::pair<std::string, std::string>> out;
  if (!st.step()) return out;
  for (std::size_t i = 0; i < review_rules::kIdentifierNames.size(); ++i) {
    const auto value = st.column_is_null(static_cast<int>(i)) ? "" : st.column_text(static_cast<int>(i));
    if (review_rules::shown_identifier(value)) out.emplace_back(review_rules::kIdentifierNames[i], value);
  }
  return out;
}

class SqliteReviewStore final : public ReviewStore {
 public:
  explicit SqliteReviewStore(const std::string& path) : db_(path, /*create=*/false) { migrate(db_); }
  std::int64_t add_decision(const ClericalDecision& decision, std::optional<std::int64_t> band_run) override;
  std::vector<ClericalDecision> decisions(std::optional<Role> role, bool history) override;
  ReviewPage page(std::int64_t run_id, Role role, std::size_t offset, std::size_t limit) override;
  void limit_cache(std::int64_t kib) override { db_.limit_cache(kib); }

 private:
  sqlite::Database db_;
};

std::int64_t SqliteReviewStore::add_decision(const ClericalDecision& decision, std::optional<std::int64_t> band_run) {
  sqlite::Transaction tx(db_);
  const std::string role(to_string(decision.role));
  std::int64_t pk[2] = {0, 0};
  const std::string* sides[2][2] = {{&decision.org_a, &decision.record_id_a}, {&decision.org_b, &decision.record_id_b}};
  for (int s = 0; s < 2; ++s) {
    const auto found = find_record(db_, *sides[s][0], *sides[s][1]);
    review_rules::check_side(s, *sides[s][0], *sides[s][1], role, found ? &found->second : nullptr);
    pk[s] = found->first;
  }
  if (pk[0] == pk[1]) review_rules::same_record(decision);
  if (band_run) {
    auto st = db_.prepare(
        "SELECT 1 FROM link_review WHERE run_id = ? AND role = ? AND ((record_pk_a = ? AND record_pk_b = ?) OR "
        "(record_pk_a = ? AND record_pk_b = ?))");
    st.bind(1, *band_run).bind(2, role).bind(3, pk[0]).bind(4, pk[1]).bind(5, pk[1]).bind(6, pk[0]);
    if (!st.step()) review_rules::not_in_band(decision, *band_run);
  }
  const ClericalDecision d = review_rules::in_stored_order(decision);
  auto st = db_.prepare(
      "INSERT INTO review_decisions (role, org_a, record_id_a, org_b, record_id_b, decision, account_id, actor, "
      "decided_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, ''))");
  st.bind(1, role).bind(2, d.org_a).bind(3, d.record_id_a).bind(4, d.org_b).bind(5, d.record_id_b);
  st.bind(6, to_string(d.verdict)).bind(7, d.account_id).bind(8, d.actor).bind(9, utc_timestamp()).bind(10, d.note);
  st.run();
  const auto id = db_.last_insert_rowid();
  tx.commit();
  return id;
}

std::vector<ClericalDecision> SqliteReviewStore::decisions(std::optional<Role> role, bool history) {
  const std::string latest =
      history ? "" : std::string(" AND ") + std::string(review_rules::kLatestOfItsPair);
  auto st = db_.prepare(fmt::format(
      "SELECT {}, {} FROM review_decisions d WHERE (?1 IS NULL OR d.role = ?1){} ORDER BY {}", kDecisionColumns,
      kBothStored, latest,
      history ? "d.decision_id" : "d.role, d.org_a, d.record_id_a, d.org_b, d.record_id_b"));
  if (role) st.bind(1, to_string(*role));
  std::vector<ClericalDecision> out;
  while (st.step()) {
    out.push_back(read_decision(db_, st));
    out.back().records_stored = st.column_int(11) != 0;
  }
  return out;
}

ReviewPage SqliteReviewStore::page(std::int64_t run_id, Role role, std::size_t offset, std::size_t limit) {
  sqlite::ReadSnapshot snapshot(db_);
  ReviewPage result;
  const std::string latest = std::string(review_rules::kLatestDecisionOfBandPair);
  {
    auto st = db_.prepare(fmt::format(
        "SELECT count(*), count({}) FROM link_review v JOIN records ra ON ra.record_pk = v.record_pk_a "
        "JOIN records rb ON rb.record_pk = v.record_pk_b WHERE v.run_id = ? AND v.role = ?",
        latest));
    st.bind(1, run_id).bind(2, to_string(role));
    if (st.step()) {
      result.total = st.column_int(0);
      result.decided = st.column_int(1);
    }
  }
  auto st = db_.prepare(fmt::format(
      "SELECT sa.source_type, ra.source_org, ra.record_id, ra.event_date, coalesce(ma.person_id, 0), "
      "sb.source_type, rb.source_org, rb.record_id, rb.event_date, coalesce(mb.person_id, 0), "
      "v.weight, v.probability, v.levels, v.record_pk_a, v.record_pk_b, {} FROM link_review v "
      "JOIN records ra ON ra.record_pk = v.record_pk_a JOIN sources sa ON sa.source_id = ra.source_id "
      "JOIN records rb ON rb.record_pk = v.record_pk_b JOIN sources sb ON sb.source_id = rb.source_id "
      "LEFT JOIN link_person_records ma ON ma.run_id = v.run_id AND ma.record_pk = v.record_pk_a "
      "LEFT JOIN link_person_records mb ON mb.run_id = v.run_id AND mb.record_pk = v.record_pk_b "
      "WHERE v.run_id = ? AND v.role = ? ORDER BY v.probability DESC, v.record_pk_a, v.record_pk_b LIMIT ? OFFSET ?",
      latest));
  st.bind(1, run_id).bind(2, to_string(role)).bind(3, static_cast<std::int64_t>(limit));
  st.bind(4, static_cast<std::int64_t>(offset));
  std::vector<std::pair<std::int64_t, std::int64_t>> pks;
  std::vector<std::optional<std::int64_t>> decision_ids;
  while (st.step()) {
    ReviewItem item;
    const auto record = [&](int column) {
      return ReviewRecord{stored::enum_value<SourceType>(db_, kSourceTypeNames, st.column_text(column), "source type"),
                          st.column_text(column + 1), st.column_text(column + 2),
                          stored::date_value(db_, st.column_text(column + 3)), st.column_int(column + 4)};
    };
    item.pair.a = record(0);
    item.pair.b = record(5);
    item.pair.weight = st.column_double(10);
    item.pair.probability = st.column_double(11);
    item.pair.levels_json = st.column_text(12);
    pks.emplace_back(st.column_int(13), st.column_int(14));
    decision_ids.push_back(st.column_is_null(15) ? std::nullopt : std::optional<std::int64_t>(st.column_int(15)));
    result.items.push_back(std::move(item));
  }
  auto decision = db_.prepare(fmt::format("SELECT {} FROM review_decisions d WHERE d.decision_id = ?",
                                          kDecisionColumns));
  for (std::size_t i = 0; i < result.items.size(); ++i) {
    result.items[i].identifiers_a = identifiers_of(db_, pks[i].first);
    result.items[i].identifiers_b = identifiers_of(db_, pks[i].second);
    if (!decision_ids[i]) continue;
    decision.reset();
    decision.bind(1, *decision_ids[i]);
    if (decision.step()) result.items[i].decision = read_decision(db_, decision);
  }
  return result;
}

}  // namespace

std::unique_ptr<ReviewStore> open_sqlite_review_store(const std::string& path) {
  return std::make_unique<SqliteReviewStore>(path);
}

}  // namespace joindots
