// The audit row's canonical form and hash (store/audit_chain.hpp), against hashes computed
// independently (Python's hashlib over the form docs/hub.md describes), and what each field
// change does to it.
#include "store/audit_chain.hpp"

#include <gtest/gtest.h>

namespace joindots {

namespace {

AuditRow first_row() {
  AuditRow r;
  r.seq = 1;
  r.at = "2026-12-03T13:00:00.000Z";
  r.actor = "account:1";
  r.action = "GET /api/v1/accounts";
  r.outcome = 200;
  r.prev_hash = kAuditGenesis;
  return r;
}

}  // namespace

TEST(AuditChain, RowHashesMatchAnIndependentSha256OfTheCanonicalForm) {
  // python3: f = lambda v: f"{len(v.encode())}:{v}\n"
  //          sha256(("joindots-audit-1\n" + "".join(f(x) for x in fields)).encode())
  auto a = first_row();
  a.hash = audit_row_hash(a);
  EXPECT_EQ(a.hash, "2564ff2909c095057013288564a19d64ee67668d2a998ad0b1bd504d08f3d829");
  AuditRow b;
  b.seq = 2;
  b.at = "2026-12-03T13:00:01.500Z";
  b.actor = "anonymous";
  b.action = "GET /api/v1/bundle?tier=restricted";
  b.outcome = 401;
  b.prev_hash = a.hash;
  EXPECT_EQ(audit_row_hash(b), "5c8dc46a97c13374479df3a8c01b03326c004f71a056458806a674a5e2437ba0");
}

TEST(AuditChain, EveryFieldIsInTheHashAndFieldsCannotBeShiftedIntoEachOther) {
  const auto base = audit_row_hash(first_row());
  std::vector<AuditRow> changed(7, first_row());
  changed[0].seq = 2;
  changed[1].at = "2026-12-03T13:00:00.001Z";
  changed[2].actor = "account:2";
  changed[3].action = "GET /api/v1/accounts?x";
  changed[4].outcome = 401;
  changed[5].prev_hash[0] = '1';
  // The same bytes split differently between actor and action.
  changed[6].actor = "account:1GET";
  changed[6].action = " /api/v1/accounts";
  for (const auto& r : changed) EXPECT_NE(audit_row_hash(r), base) << r.actor << " " << r.action;
}

TEST(AuditChain, TheNextRowFollowsTheLast) {
  const auto first = next_audit_row(std::nullopt, {"cli:admin", "accounts add", 0});
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, kAuditGenesis);
  EXPECT_EQ(first.hash, audit_row_hash(first));
  EXPECT_EQ(first.at.size(), 24u) << first.at;
  const auto second = next_audit_row(first, {"account:1", "GET /api/v1/accounts", 200});
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_EQ(second.hash, audit_row_hash(second));
  EXPECT_GE(second.at, first.at);
}

}  // namespace joindots
