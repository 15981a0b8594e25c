#pragma once
#include <nlohmann/json.hpp>

#include "link/link.hpp"

namespace joindots::link {

/// The diagnostics of one link: pairs, largest and skipped blocks per blocking rule; the
/// fitted model (prior, EM, m, u and match weight log2(m/u) per field level); clustering
/// (merges and refusals by reason); timings. Printed by `link --json` and saved with every
/// run over the store.
nlohmann::json result_json(const LinkResult& r);

}  // namespace joindots::link
