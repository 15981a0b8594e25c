#include "link/result_json.hpp"

namespace joindots::link {

nlohmann::json result_json(const LinkResult& r) {
  nlohmann::json blocking = nlohmann::json::array();
  for (const auto& rule : r.blocking.rules) {
    nlohmann::json largest = nlohmann::json::array();
    for (const auto& b : rule.largest) largest.push_back({{"key", b.key}, {"records", b.records}, {"pairs", b.pairs}});
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& b : rule.skipped) skipped.push_back({{"key", b.key}, {"records", b.records}, {"pairs", b.pairs}});
    blocking.push_back({{"rule", rule.rule},
                        {"pairs_implied", rule.pairs_implied},
                        {"pairs_new", rule.pairs_new},
                        {"blocks", rule.blocks},
                        {"largest_blocks", largest},
                        {"blocks_skipped", rule.blocks_skipped},
                        {"pairs_skipped", rule.pairs_skipped},
                        {"largest_skipped", skipped}});
  }
  nlohmann::json fields = nlohmann::json::array();
  for (std::size_t k = 0; k < r.model.comparisons.size(); ++k) {
    const auto& c = r.model.comparisons[k];
    nlohmann::json levels = nlohmann::json::array();
    const auto names = level_names(c.comparator);
    for (std::size_t l = 1; l < names.size(); ++l)
      levels.push_back({{"level", names[l]},
                        {"m", r.model.m[k][l]},
                        {"u", r.model.u[k][l]},
                        {"weight", r.model.level_weight(k, static_cast<int>(l))}});
    fields.push_back({{"field", to_string(c.field)},
                      {"comparator", to_string(c.comparator)},
                      {"tf_adjust", c.tf_adjust},
                      {"levels", levels}});
  }
  const auto& cs = r.cluster_stats;
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : r.warnings)
    warnings.push_back({{"code", w.code}, {"message", w.message}, {"likely_cause", w.cause}, {"config_change", w.fix}});
  nlohmann::json correlated = nlohmann::json::array();
  for (const auto& c : r.correlated)
    correlated.push_back({{"kept", to_string(c.kept)},
                          {"absorbed", to_string(c.absorbed)},
                          {"p_absorbed_exact_given_kept_exact", c.p_absorbed_given_kept},
                          {"lift", c.lift}});
  nlohmann::json duplication = nlohmann::json::array();
  for (const auto& d : r.duplication.sources)
    duplication.push_back({{"source", d.source},
                           {"records", d.records},
                           {"candidate_pairs", d.candidate_pairs},
                           {"duplicate_pairs", d.duplicate_pairs},
                           {"duplicate_rate", d.duplicate_rate},
                           {"one_per_person", d.one_per_person},
                           {"max_per_cluster", d.source < r.source_limit.size() ? r.source_limit[d.source] : 0}});
  nlohmann::json structure = {{"correlated_fields", correlated}, {"sources", duplication}};
  if (r.estimated_blocking_recall >= 0) {
    structure["estimated_blocking_recall"] = r.estimated_blocking_recall;
    structure["estimated_blocking_recall_sample"] = r.blocking_recall_sample;
  }
  if (const auto& s = r.blocking_splits; s.estimated())
    structure["blocking_splits"] = {{"pairs_drawn", s.pairs_drawn},
                                    {"sample", s.sample},
                                    {"never_compared", s.never_compared},
                                    {"split_apart", s.split_apart},
                                    {"rate", s.rate()}};
  if (const auto& m = r.missed_links; m.estimated())
    structure["missed_links"] = {{"area_pairs", m.area_pairs},       {"pairs_compared", m.pairs_compared},
                                 {"iterations", m.iterations},       {"implied_matches", m.implied_matches},
                                 {"poor_matches", m.poor_matches},   {"linked", m.linked},
                                 {"relinkable", m.relinkable},       {"rate", m.rate()},
                                 {"classes_set_aside", m.classes_set_aside}};
  if (r.blocking_choice.considered) {
    nlohmann::json added = nlohmann::json::array();
    for (const auto& a : r.blocking_choice.added)
      added.push_back({{"rule", a.rule}, {"recall_gain", a.recall_gain}, {"pairs_implied", a.pairs_implied}});
    structure["blocking_choice"] = {{"sample_matches", r.blocking_choice.sample_matches},
                                    {"estimated_recall_default_rules", r.blocking_choice.recall_default},
                                    {"added", added},
                                    {"estimated_recall_chosen", r.blocking_choice.recall_chosen}};
  }
  return {{"clusters", r.clusters},
          {"warnings", warnings},
          {"implausible", !r.warnings.empty()},
          {"structure", structure},
          {"candidate_pairs", r.candidate_pairs},
          {"distinct_patterns", r.patterns.size()},
          {"threads", r.threads},
          {"blocking", blocking},
          {"model",
           {{"lambda_candidates", r.model.lambda_candidates},
            {"prior", r.model.prior},
            {"em_iterations", r.model.em_iterations},
            {"em_converged", r.model.em_converged},
            {"fields", fields}}},
          {"cluster",
           {{"edges", cs.edges},
            {"merges", cs.merges},
            {"largest", cs.largest},
            {"usual_size", r.usual_cluster_size},
            {"refused_hard_rule", cs.refused_hard},
            {"refused_max_per_source", cs.refused_source},
            {"refused_clerical", cs.refused_clerical},
            {"refused_cohesion", cs.refused_cohesion}}},
          {"decisions_applied", r.decisions_applied},
          {"seconds",
           {{"block", r.seconds.block},
            {"compare", r.seconds.compare},
            {"estimate_u", r.seconds.estimate_u},
            {"em", r.seconds.em},
            {"score", r.seconds.score},
            {"cluster", r.seconds.cluster},
            {"blocking_splits", r.seconds.blocking_splits},
            {"missed_links", r.seconds.missed_links},
            {"total", r.seconds.total}}}};
}

}  // namespace joindots::link
