#include "questions/linkage_draws.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <boost/math/distributions/normal.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "link/config.hpp"
#include "records/fields.hpp"
#include "link/encoded_link.hpp"
#include "link/store_link.hpp"

namespace joindots::questions {

namespace {

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<std::uint64_t>(a) << 32) | b;
}

/// Probability of a pair by lookup (0 for a pair not saved), for the cohesion guard.
std::unordered_map<std::uint64_t, double> probability_map(
    const std::vector<link::ScoredPair>& pairs) {
  std::unordered_map<std::uint64_t, double> m;
  m.reserve(pairs.size() * 2);
  for (const auto& p : pairs) m[pair_key(p.a, p.b)] = p.probability;
  return m;
}

link::ClusterResult cluster_with_guard(
    const LinkageInput& in, std::vector<link::ScoredPair> pairs, double threshold,
    const std::unordered_map<std::uint64_t, double>& probability) {
  link::ClusterInput ci;
  ci.records = in.list_of_record.size();
  ci.pairs = std::move(pairs);
  ci.hard_values = in.hard_values;
  const bool source_limited =
      in.max_per_source > 0 ||
      std::any_of(in.source_limit.begin(), in.source_limit.end(), [](int l) { return l > 0; });
  if (source_limited) ci.source = in.source;
  ci.probability = [&probability](std::uint32_t a, std::uint32_t b) {
    auto it = probability.find(pair_key(a, b));
    return it == probability.end() ? 0.0 : it->second;
  };
  link::ClusterOptions co;
  co.threshold = threshold;
  co.min_cohesion = in.min_cohesion;
  co.max_per_source = in.max_per_source;
  co.source_limit = in.source_limit;
  co.relaxed_up_to = in.usual_size;
  co.relaxed_min_cohesion = in.min_cohesion_within_usual;
  return link::cluster_pairs(std::move(ci), co);
}

double json_number(const nlohmann::json& j, const char* key, double fallback) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

nlohmann::ordered_json interval_array(const estimate::Interval& i) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return nullptr;
  return nlohmann::ordered_json::array({i.low, i.high});
}

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::vector<std::string> link_warning_codes(Store& store, std::int64_t run_id, Role role) {
  std::vector<std::string> codes;
  for (const auto& d : store.latest_link_diagnostics()) {
    if (d.run_id != run_id || d.role != role) continue;
    const auto diagnostics = nlohmann::json::parse(d.diagnostics_json, nullptr, false);
    if (diagnostics.is_discarded()) continue;
    for (const auto& w : diagnostics.value("warnings", nlohmann::json::array()))
      if (w.contains("code") && w["code"].is_string()) codes.push_back(w["code"].get<std::string>());
  }
  return codes;
}

LinkageInput read_linkage_input(Store& store, std::int64_t run_id, Role role,
                                const std::vector<std::string>& lists) {
  LinkageInput in;
  in.lists = lists;
  // The run's cluster guard (older runs saved only the threshold and cohesion: the
  // defaults then, NHS number as the hard field, as resolve_link_config gives).
  std::vector<link::Field> hard = {link::Field::nhs_number};
  std::map<std::string, int> limit_of_org;  // sources the link held to one record per person
  for (const auto& d : store.latest_link_diagnostics()) {
    if (d.run_id != run_id || d.role != role) continue;
    const auto diagnostics = nlohmann::json::parse(d.diagnostics_json, nullptr, false);
    if (!diagnostics.is_discarded()) {
      const auto cluster = diagnostics.value("cluster", nlohmann::json::object());
      in.usual_size = static_cast<std::size_t>(json_number(cluster, "usual_size", 0));
      const auto structure = diagnostics.value("structure", nlohmann::json::object());
      in.blocking_recall = json_number(structure, "estimated_blocking_recall", -1);
      in.blocking_recall_sample =
          static_cast<std::int64_t>(json_number(structure, "estimated_blocking_recall_sample", 0));
      const auto splits = structure.value("blocking_splits", nlohmann::json::object());
      in.blocking_split_sample = static_cast<std::int64_t>(json_number(splits, "sample", 0));
      in.blocking_split_apart = static_cast<std::int64_t>(json_number(splits, "split_apart", 0));
      const auto missed = structure.value("missed_links", nlohmann::json::object());
      in.missed_rate = json_number(missed, "rate", -1);
      in.missed_matches = json_number(missed, "implied_matches", 0);
      for (const auto& source : structure.value("sources", nlohmann::json::array()))
        if (source.contains("source_org") && source["source_org"].is_string())
          limit_of_org[source["source_org"].get<std::string>()] =
              static_cast<int>(json_number(source, "max_per_cluster", 0));
    }
    const auto params = nlohmann::json::parse(d.params_json, nullptr, false);
    if (params.is_discarded()) break;
    in.threshold = json_number(params, "threshold", in.threshold);
    in.min_cohesion = json_number(params, "min_cohesion", in.min_cohesion);
    // Runs before the size-aware guard was saved had it at its default.
    in.min_cohesion_within_usual =
        json_number(params, "min_cohesion_within_usual",
                    in.usual_size > 0 ? link::LinkConfig{}.min_cohesion_within_usual : 0.0);
    in.max_per_source = static_cast<int>(json_number(params, "max_per_source", 0));
    in.pair_floor = json_number(params, "pair_floor", in.pair_floor);
    if (params.contains("hard_fields") && params["hard_fields"].is_array()) {
      hard.clear();
      for (const auto& f : params["hard_fields"])
        hard.push_back(link::field_by_name(f.get<std::string>(), "hard_fields"));
    }
  }

  std::unordered_map<std::int64_t, std::uint32_t> index_of;
  std::map<std::string, std::uint32_t> org_index;
  std::unordered_map<std::int64_t, std::uint32_t> person_index;
  store.for_each_linked_record(run_id, role, [&](const LinkedRecord& r) {
    const auto list = std::find(lists.begin(), lists.end(), std::string(to_string(r.source_type)));
    if (list == lists.end())
      throw InternalError(
          fmt::format("linkage draws: record {} of a list not in the table", r.record_pk));
    index_of[r.record_pk] = static_cast<std::uint32_t>(in.list_of_record.size());
    in.list_of_record.push_back(static_cast<std::uint32_t>(list - lists.begin()));
    const auto [org, fresh] =
        org_index.emplace(r.source_org, static_cast<std::uint32_t>(org_index.size()));
    if (fresh) {
      const auto limit = limit_of_org.find(r.source_org);
      in.source_limit.push_back(limit == limit_of_org.end() ? 0 : limit->second);
    }
    in.source.push_back(org->second);
    in.link_person.push_back(
        person_index.emplace(r.person_id, static_cast<std::uint32_t>(person_index.size()))
            .first->second);
  });
  in.hard_values.assign(in.list_of_record.size(), std::vector<std::string>(hard.size()));
  // Plaintext identifiers, or an encoded store's identifier tokens, as the link compared them.
  link::for_each_hard_values(store, role, hard, [&](std::int64_t record_pk, std::vector<std::string> values) {
    auto it = index_of.find(record_pk);
    if (it != index_of.end()) in.hard_values[it->second] = std::move(values);
  });
  // What a person is summarised from, for the groups' draws (names and identifiers are not
  // kept). Not for an encoded store: its link takes the age band from the encodings, which
  // the plaintext summary would not reproduce.
  if (!store.encoding()) {
    in.records.resize(in.list_of_record.size());
    store.for_each_record(role, [&](const StoredRecord& sr) {
      auto it = index_of.find(sr.record_pk);
      if (it == index_of.end()) return;
      Record& r = in.records[it->second];
      r.source_type = sr.record.source_type;
      r.source_org = sr.record.source_org;
      r.role = sr.record.role;
      r.event_date = sr.record.event_date;
      r.last_date = sr.record.last_date;
      r.case_ref = sr.record.case_ref;
      r.offence_count = sr.record.offence_count;
      r.lad_cd = sr.record.lad_cd;
      r.dob = sr.record.dob;
      r.sex = sr.record.sex;
    });
  }
  store.for_each_link_pair(run_id, role, [&](const LinkedPair& p) {
    auto a = index_of.find(p.record_pk_a), b = index_of.find(p.record_pk_b);
    if (a == index_of.end() || b == index_of.end()) return;
    in.pairs.push_back({std::min(a->second, b->second), std::max(a->second, b->second),
                        static_cast<float>(p.weight), static_cast<float>(p.probability), false});
  });
  return in;
}

std::vector<std::int64_t> pattern_counts(const LinkageInput& in,
                                         const std::vector<std::uint32_t>& cluster) {
  std::uint32_t clusters = 0;
  for (auto c : cluster) clusters = std::max(clusters, c + 1);
  std::vector<std::uint32_t> pattern(clusters, 0);
  for (std::size_t i = 0; i < cluster.size(); ++i)
    pattern[cluster[i]] |= 1u << in.list_of_record[i];
  std::vector<std::int64_t> counts(std::size_t{1} << in.lists.size(), 0);
  for (auto p : pattern) ++counts[p];
  counts[0] = 0;
  return counts;
}

link::ClusterResult recluster_at(const LinkageInput& in, double threshold) {
  const auto probability = probability_map(in.pairs);
  return cluster_with_guard(in, in.pairs, threshold, probability);
}

link::ClusterResult draw_partition(const LinkageInput& in, std::uint64_t seed, int draw) {
  constexpr double kCertain = 0.99, kImpossible = 0.01;
  Rng rng(seed, "linkage-draw", static_cast<std::uint64_t>(draw));
  std::vector<link::ScoredPair> linked;
  std::unordered_map<std::uint64_t, double> drawn;  // the drawn world: 1 linked, else 0
  for (const auto& p : in.pairs) {
    const bool link =
        p.probability >= kCertain || (p.probability > kImpossible && rng.bernoulli(p.probability));
    if (!link) continue;
    auto e = p;
    e.probability = 1.0f;  // ordered by weight among the drawn links
    linked.push_back(e);
    drawn[pair_key(p.a, p.b)] = 1.0;
  }
  return cluster_with_guard(in, std::move(linked), 0.5, drawn);
}

ExpectedErrors expected_errors(const LinkageInput& in) {
  ExpectedErrors e;
  for (const auto& p : in.pairs) {
    if (in.link_person[p.a] == in.link_person[p.b])
      e.false_links += 1.0 - p.probability;
    else
      e.false_non_links += p.probability;
    e.uncertain_pairs += p.probability > 0.01 && p.probability < 0.99;
  }
  return e;
}

CombinedInterval combine_with_draws(double model_estimate, const estimate::Interval& model_interval,
                                    const std::vector<double>& draw_estimates) {
  return combine_with_draws(model_estimate, model_interval, model_estimate, draw_estimates);
}

CombinedInterval combine_with_draws(double model_estimate, const estimate::Interval& model_interval,
                                    double reference_estimate,
                                    const std::vector<double>& draw_estimates) {
  CombinedInterval c;
  c.estimate = model_estimate;
  c.interval = model_interval;
  std::vector<double> logs;
  for (double d : draw_estimates)
    if (std::isfinite(d) && d > 0) logs.push_back(std::log(d));
  if (logs.empty() || !(reference_estimate > 0) || !std::isfinite(model_estimate) ||
      !std::isfinite(model_interval.low) || !std::isfinite(model_interval.high) ||
      model_interval.low <= 0)
    return c;
  const double m = static_cast<double>(logs.size());
  const double mean = std::accumulate(logs.begin(), logs.end(), 0.0) / m;
  double between = 0;
  for (double l : logs) between += (l - mean) * (l - mean);
  between = logs.size() > 1 ? between / (m - 1) : 0.0;
  c.between_sd_log = std::sqrt(between);
  // The correction: the draws' (geometric) mean over the same estimator on the reference table.
  const double factor = std::exp(mean - std::log(reference_estimate));
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + model_interval.level / 2);
  const double se_low = (std::log(model_estimate) - std::log(model_interval.low)) / z;
  const double se_high = (std::log(model_interval.high) - std::log(model_estimate)) / z;
  const double added = (1 + 1 / m) * between;
  c.estimate = model_estimate * factor;
  c.interval.low =
      model_interval.low * factor * std::exp(-z * (std::sqrt(se_low * se_low + added) - se_low));
  c.interval.high =
      model_interval.high * factor * std::exp(z * (std::sqrt(se_high * se_high + added) - se_high));
  c.interval.kind = model_interval.kind + " and linkage draws (Rubin's rules on the log scale)";
  const double width = c.interval.high - c.interval.low,
               model_width = factor * (model_interval.high - model_interval.low);
  c.linkage_share = width > 0 ? std::max(0.0, 1.0 - model_width / width) : 0.0;
  return c;
}

LinkageUncertainty linkage_uncertainty(const LinkageInput& in, double model_estimate,
                                       const estimate::Interval& model_interval, int draws,
                                       std::uint64_t seed, const TableEstimator& estimator,
                                       bool quiet, UnseenLinksMode unseen_links,
                                       const TableEstimator& level_estimator) {
  const auto start = std::chrono::steady_clock::now();
  LinkageUncertainty u;
  u.draws = draws;
  u.model_estimate = model_estimate;
  u.model_interval = model_interval;
  u.expected = expected_errors(in);
  std::uint32_t persons = 0;
  for (auto p : in.link_person) persons = std::max(persons, p + 1);
  u.link_persons = persons;
  const auto table = [&](const std::vector<std::uint32_t>& cluster) {
    return estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, cluster));
  };
  // The reference is the saved pairs clustered at the link's threshold by the same code as
  // the draws, so that the correction measures the drawing alone, not the few merges the
  // cohesion guard decides differently from the saved pairs than the link did from all.
  auto at_threshold = recluster_at(in, in.threshold);
  u.recluster_persons = static_cast<std::int64_t>(at_threshold.clusters);
  const auto reference_table = table(at_threshold.cluster);
  const double reference = estimator(reference_table).first;
  u.reference_partition = std::move(at_threshold.cluster);
  // Links blocking never compared: each draw's table corrected with a drawn split rate; what the
  // correction does, said on the reference table with the estimated rate.
  u.unseen_links = plan_unseen_links(
      unseen_links,
      {in.blocking_recall, in.blocking_recall_sample, in.blocking_split_sample, in.blocking_split_apart,
       in.missed_rate, in.missed_matches},
      reference_table, estimate::records_per_list(u.reference_partition, in.list_of_record, in.lists.size()));
  double draw_scale = 1;  // the level estimator's effect of the correction over the draws' estimator's
  if (u.unseen_links.applied) {
    const auto corrected = correct_with(u.unseen_links, reference_table, u.unseen_links.split_rate());
    const double draws_ratio = estimator(corrected).first / reference;
    u.unseen_links.effect = draws_ratio - 1;
    if (level_estimator) {
      const double level_ratio = level_estimator(corrected).first / level_estimator(reference_table).first;
      if (std::isfinite(level_ratio) && level_ratio > 0 && std::isfinite(draws_ratio) && draws_ratio > 0) {
        u.unseen_links.effect = level_ratio - 1;
        draw_scale = level_ratio / draws_ratio;
      }
    }
  }
  u.mean_counts.assign(std::size_t{1} << in.lists.size(), 0.0);
  Progress progress("linkage draws", "draws", draws, quiet);
  for (int d = 0; d < draws; ++d) {
    const auto partition = draw_partition(in, seed, d);
    const auto t = table(partition.cluster);
    for (std::size_t c = 0; c < t.counts.size(); ++c)
      u.mean_counts[c] += static_cast<double>(t.counts[c]) / draws;
    u.draw_persons.push_back(static_cast<std::int64_t>(partition.clusters));
    u.draw_split_rates.push_back(split_rate_of_draw(u.unseen_links, seed, d));
    u.draw_estimates.push_back(estimator(correct_with(u.unseen_links, t, u.draw_split_rates.back())).first *
                               draw_scale);
    u.draw_partitions.push_back(partition.cluster);
    progress.advance();
  }
  progress.finish();
  for (auto p : u.draw_persons)
    u.mean_draw_persons += static_cast<double>(p) / std::max<std::size_t>(1, u.draw_persons.size());
  constexpr double kReproduced = 0.01;
  u.reproduces_link = std::abs(static_cast<double>(u.recluster_persons - u.link_persons)) <=
                      kReproduced * static_cast<double>(u.link_persons);
  double centre =
      reference;  // without a like-with-like reference: the draws' own centre, no correction
  if (!u.reproduces_link) {
    double sum = 0;
    int used = 0;
    for (double d : u.draw_estimates)
      if (std::isfinite(d) && d > 0) sum += std::log(d), ++used;
    if (used > 0) centre = std::exp(sum / used);
    // The draws' own centre, less the unseen links' correction, which is kept.
    if (u.unseen_links.applied && std::isfinite(u.unseen_links.effect) && u.unseen_links.effect > -1)
      centre /= 1 + u.unseen_links.effect;
  }
  u.combined = combine_with_draws(model_estimate, model_interval, centre, u.draw_estimates);
  u.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return u;
}

std::vector<ThresholdPoint> threshold_curve(const LinkageInput& in,
                                            const std::vector<double>& thresholds,
                                            const TableEstimator& estimator, bool quiet) {
  const auto probability = probability_map(in.pairs);
  std::vector<ThresholdPoint> curve;
  Progress progress("threshold curve", "thresholds", static_cast<std::int64_t>(thresholds.size()),
                    quiet);
  for (double th : thresholds) {
    const auto r = cluster_with_guard(in, in.pairs, th, probability);
    const auto t = estimate::CaptureTable::from_counts(in.lists, pattern_counts(in, r.cluster));
    const auto [e, iv] = estimator(t);
    curve.push_back({th, static_cast<std::int64_t>(r.clusters), e, iv});
    progress.advance();
  }
  progress.finish();
  return curve;
}

nlohmann::ordered_json LinkageUncertainty::to_json() const {
  nlohmann::ordered_json j;
  j["draws"] = draws;
  j["draw_method"] = draw_method;
  j["estimate"] = number_or_null(combined.estimate);
  j["interval"] = interval_array(combined.interval);
  j["model_estimate"] = number_or_null(model_estimate);
  j["model_interval"] = interval_array(model_interval);
  j["reproduces_link"] = reproduces_link;
  j["correction"] = model_estimate > 0 ? combined.estimate / model_estimate - 1 : 0.0;
  j["linkage_share_of_width"] = combined.linkage_share;
  j["between_draw_sd_log"] = combined.between_sd_log;
  std::vector<double> sorted = draw_estimates;
  std::erase_if(sorted, [](double v) { return !std::isfinite(v); });
  std::sort(sorted.begin(), sorted.end());
  j["draw_estimates"] = draw_estimates;
  j["draw_estimates_range"] = sorted.empty()
                                  ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json::array({sorted.front(), sorted.back()});
  j["persons"] = {{"link", link_persons},
                  {"recluster_at_threshold", recluster_persons},
                  {"draws_mean", mean_draw_persons}};
  j["expected_errors"] = {{"false_links", expected.false_links},
                          {"false_non_links", expected.false_non_links},
                          {"uncertain_pairs", expected.uncertain_pairs}};
  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  const int k = static_cast<int>(std::bit_width(mean_counts.size()) - 1);
  for (std::uint32_t p = 1; p < mean_counts.size(); ++p)
    table.push_back({{"pattern", estimate::pattern_string(p, k)}, {"mean", mean_counts[p]}});
  j["mean_capture_table"] = std::move(table);
  j["unseen_links"] = unseen_links.to_json();
  j["rule"] = kLinkageDrawsRule;
  j["seconds"] = seconds;
  return j;
}

nlohmann::ordered_json threshold_curve_json(const std::vector<ThresholdPoint>& curve) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& p : curve)
    j.push_back({{"threshold", p.threshold},
                 {"persons", p.persons},
                 {"estimate", number_or_null(p.estimate)},
                 {"interval", interval_array(p.interval)}});
  return j;
}

}  // namespace joindots::questions
