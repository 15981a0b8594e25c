#include "store/audit_chain.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/error.hpp"

namespace joindots {

namespace {

std::string now_with_milliseconds() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::string canonical(const AuditRow& row, std::int64_t seq) {
  std::string out = "joindots-audit-1\n";
  field(out, std::to_string(seq));
  field(out, row.at);
  field(out, row.actor);
  field(out, row.action);
  field(out, std::to_string(row.outcome));
  field(out, row.prev_hash);
  return out;
}

std::string sha256_hex(const std::string& text) {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

/// The seq near the row's own (a thousand either side) whose canonical form the row's hash
/// matches (a row moved there from elsewhere), or 0.
std::int64_t moved_from(const AuditRow& row) {
  for (std::int64_t seq = std::max<std::int64_t>(1, row.seq - 1000); seq <= row.seq + 1000; ++seq)
    if (seq != row.seq && sha256_hex(canonical(row, seq)) == row.hash) return seq;
  return 0;
}

/// The first problem of `row`, read after the rows before it (`prev`: the last one's hash,
/// `expected`: the seq it must have); empty when there is none.
std::string row_problem(const AuditRow& row, const std::string& prev, std::int64_t expected) {
  if (row.seq > expected)
    return fmt::format("row {} deleted: row {} follows row {}", expected, row.seq, expected - 1);
  if (row.seq < expected) return fmt::format("row {} appears twice or out of order", row.seq);
  if (row.hash != audit_row_hash(row)) {
    const auto from = moved_from(row);
    return from ? fmt::format("row {} holds the entry of row {}: rows reordered", row.seq, from)
                : fmt::format("row {} edited: its hash does not match its content", row.seq);
  }
  if (row.prev_hash != prev)
    return fmt::format("row {} does not follow row {} (its link is another row's hash): a row deleted, inserted "
                       "or reordered before it",
                       row.seq, row.seq - 1);
  return "";
}

}  // namespace

std::string audit_row_hash(const AuditRow& row) { return sha256_hex(canonical(row, row.seq)); }

AuditRow next_audit_row(const std::optional<AuditRow>& last, const AuditEntry& entry) {
  AuditRow row;
  row.seq = last ? last->seq + 1 : 1;
  row.at = now_with_milliseconds();
  row.actor = entry.actor;
  row.action = entry.action;
  row.outcome = entry.outcome;
  row.prev_hash = last ? last->hash : kAuditGenesis;
  row.hash = audit_row_hash(row);
  return row;
}

AuditVerdict verify_audit_chain(AuditTrail& trail, const std::optional<AuditAnchor>& anchor) {
  AuditVerdict v;
  std::string prev = kAuditGenesis, anchored;
  std::int64_t expected = 1;
  trail.for_each_row([&](const AuditRow& row) {
    if (!v.intact) return;  // the first problem is the one named
    ++v.rows;
    auto problem = row_problem(row, prev, expected);
    if (!problem.empty()) {
      v.intact = false;
      v.first_bad_seq = std::min(row.seq, expected);
      v.problem = std::move(problem);
      return;
    }
    if (anchor && row.seq == anchor->seq) anchored = row.hash;
    prev = row.hash;
    ++expected;
    v.head = row;
  });
  if (!v.intact || !anchor) return v;
  v.intact = false;
  if (anchor->seq > v.head.seq) {
    v.first_bad_seq = v.head.seq + 1;
    v.problem = fmt::format("the anchor names row {}, and the trail ends at row {}: rows cut from the end",
                            anchor->seq, v.head.seq);
  } else if (anchored != anchor->hash) {
    v.first_bad_seq = anchor->seq;
    v.problem = fmt::format("row {} is not the anchored one (hash {}, anchored {}): the chain was rewritten from "
                            "there or before",
                            anchor->seq, anchored, anchor->hash);
  } else {
    v.intact = true;
  }
  return v;
}

}  // namespace joindots
