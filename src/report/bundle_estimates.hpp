#pragma once
// The estimate run's part of the results bundle (bundle.hpp): the four answers, the strata,
// the overlap of the lists, the methods compared and how much the victims' figure hangs on
// linkage, built from the typed answers (questions/four_questions.hpp) through disclosure
// control in the public tier.
#include <nlohmann/json.hpp>

#include "disclose/disclosure.hpp"
#include "questions/four_questions.hpp"

namespace joindots::report {

/// A published cell as the page expects it: {"value": n} or, suppressed, {"value": null,
/// "suppressed": "primary"|"secondary"}.
nlohmann::json cell(const disclose::PublishedCell& c);

/// Adds headline, lists, overlap, models, linkage_uncertainty, reference_date, diagnostics
/// and strata to the bundle `b`.
void add_estimates(nlohmann::json& b, const questions::FourAnswers& answers, bool is_public);

}  // namespace joindots::report
