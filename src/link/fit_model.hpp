#pragma once
// Fitting the Fellegi-Sunter model of a link run (link_records' "estimate u and m" step): u
// from random pairs, m and the share of matches among candidates by EM on the pattern
// counts (started from anchor pairs, then refined by sessions per blocking rule), the prior
// of a random pair and the term frequencies.
#include <cstdint>
#include <vector>

#include "link/fellegi_sunter.hpp"
#include "link/link.hpp"

namespace joindots::link {

/// Fits m and the share of matches among candidates by EM on the pattern counts
/// (`rule_patterns`: per blocking rule, for the sessions); u from random pairs; the prior
/// of a random pair from the expected number of matches. Adds its times to `seconds`.
FsModel fit_model(const std::vector<LinkRecord>& records, const LinkConfig& cfg, const LinkOptions& opt,
                  const PatternCounts& patterns, const std::vector<PatternCounts>& rule_patterns,
                  std::int64_t candidates, LinkTimings& seconds);

}  // namespace joindots::link
