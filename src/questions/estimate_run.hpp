#pragma once
// Estimate runs in the store: the four answers saved as a run of the `estimate` stage, and
// read back. Every front end (the CLI, tests, a later service) saves and reads them through
// these two calls, so the run's summary is always FourAnswers::to_json and its reader always
// FourAnswers::from_json.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "questions/four_questions.hpp"

namespace joindots::questions {

struct EstimateRun {
  std::int64_t run_id = 0;
  FourAnswers answers;
};

/// Answers the four questions and saves them as a finished estimate run with `params` (the
/// options as the front end took them); when answering throws, the run is marked failed and
/// the exception passes on.
EstimateRun answer_and_save(Store& store, const AreaTable& areas, const QuestionsOptions& options,
                            const nlohmann::json& params);

/// The latest finished estimate run, or nothing when there is none. Throws InternalError when
/// its summary is not one FourAnswers::from_json reads.
std::optional<EstimateRun> latest_estimate_run(Store& store);

}  // namespace joindots::questions
