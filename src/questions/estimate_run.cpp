#include "questions/estimate_run.hpp"

namespace joindots::questions {

EstimateRun answer_and_save(Store& store, const AreaTable& areas, const QuestionsOptions& options,
                            const nlohmann::json& params) {
  EstimateRun run;
  run.run_id = store.start_run("estimate", params.dump());
  try {
    run.answers = answer_four_questions(store, areas, options);
  } catch (...) {
    store.finish_run(run.run_id, "failed", "{}");
    throw;
  }
  store.finish_run(run.run_id, "done", run.answers.to_json().dump());
  return run;
}

std::optional<EstimateRun> latest_estimate_run(Store& store) {
  const auto saved = store.latest_run_summary("estimate");
  if (!saved) return std::nullopt;
  return EstimateRun{saved->first, FourAnswers::from_json(nlohmann::ordered_json::parse(saved->second))};
}

}  // namespace joindots::questions
