// ReviewStore::open, the verdicts' names, and the rules both stores' clerical review share.
#include "store/review_rules.hpp"

#include <fmt/format.h>

#include <tuple>

#include "core/error.hpp"

namespace joindots {

std::string to_string(ClericalVerdict verdict) {
  switch (verdict) {
    case ClericalVerdict::match:
      return "match";
    case ClericalVerdict::non_match:
      return "non_match";
    case ClericalVerdict::unsure:
      return "unsure";
  }
  return "unknown";
}

std::optional<ClericalVerdict> clerical_verdict_from_string(const std::string& name) {
  for (auto v : {ClericalVerdict::match, ClericalVerdict::non_match, ClericalVerdict::unsure})
    if (to_string(v) == name) return v;
  return std::nullopt;
}

std::unique_ptr<ReviewStore> open_sqlite_review_store(const std::string& path);  // sqlite/review_decisions.cpp
std::unique_ptr<ReviewStore> open_postgres_review_store(const std::string& uri);  // postgres/pg_review_decisions.cpp

std::unique_ptr<ReviewStore> ReviewStore::open(const std::string& location) {
  if (Store::is_postgres(location)) return open_postgres_review_store(location);
  return open_sqlite_review_store(location);
}

}  // namespace joindots

namespace joindots::review_rules {

ClericalDecision in_stored_order(const ClericalDecision& d) {
  ClericalDecision out = d;
  if (std::tie(d.org_b, d.record_id_b) < std::tie(d.org_a, d.record_id_a)) {
    std::swap(out.org_a, out.org_b);
    std::swap(out.record_id_a, out.record_id_b);
  }
  return out;
}

void check_side(int side, const std::string& org, const std::string& id, const std::string& role,
                const std::string* stored_role) {
  const char* name = side == 0 ? "a" : "b";
  if (!stored_role)
    throw UsageError(fmt::format("{}: no record {} of organisation {} is stored", name, id, org));
  if (*stored_role != role)
    throw UsageError(fmt::format("{}: record {} of organisation {} is a {} record, not a {} one", name, id, org,
                                 *stored_role, role));
}

void same_record(const ClericalDecision& d) {
  throw UsageError(fmt::format("b: names the same record as a ({} of organisation {})", d.record_id_a, d.org_a));
}

void not_in_band(const ClericalDecision& d, std::int64_t run_id) {
  throw UsageError(fmt::format("pair: records {} of {} and {} of {} are not a pair of link run {}'s {} review band",
                               d.record_id_a, d.org_a, d.record_id_b, d.org_b, run_id, to_string(d.role)));
}

}  // namespace joindots::review_rules
