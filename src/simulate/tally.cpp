#include "simulate/tally.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "simulate/recording.hpp"

namespace joindots::simulate {

std::string capture_string(std::uint8_t mask) {
  std::string out;
  for (std::size_t t = 0; t < kTypes; ++t)
    if (mask & (1u << t)) {
      if (!out.empty()) out += '|';
      out += kSourceTypeNames[t];
    }
  return out;
}

void Tally::count_victim(const Victim& v) {
  ++victims;
  offences += static_cast<std::int64_t>(v.offences.size());
  female += v.id.female;
  age_counts[static_cast<std::size_t>(std::clamp(v.age, 10, 17) - 10)]++;
  sum_age += v.age;
  sum_duration += static_cast<double>(v.end - v.start);
  moved += v.id.move_day != kNever;
  surname_changed += v.id.surname_change_day != kNever;
  second_group += v.second_group != kNoGroup;
  class_counts[static_cast<std::size_t>(v.latent_class)]++;
  sum_log_v += v.z;
  sum_log_v2 += v.z * v.z;
}

void Tally::count_capture(std::uint8_t mask) {
  const int n_sources = std::popcount(mask);
  n_sources_counts[static_cast<std::size_t>(n_sources)]++;
  if (n_sources) ++recorded_victims;
  histories[capture_string(mask)]++;
  mask_counts[mask]++;
}

nlohmann::ordered_json Tally::realised_json(const SimConfig& c, const NoiseCounters& noise,
                                            const std::vector<Group>& groups, const Geography& geo,
                                            const ForceIndex& forces) const {
  auto share = [](std::int64_t num, std::int64_t den) {
    return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
  };
  nlohmann::ordered_json r;
  r["female_share"] = share(female, victims);
  r["mean_age_at_start"] = victims ? sum_age / static_cast<double>(victims) : 0.0;
  nlohmann::ordered_json ages = nlohmann::ordered_json::object();
  for (std::size_t a = 0; a < age_counts.size(); ++a) ages[std::to_string(10 + a)] = share(age_counts[a], victims);
  r["age_at_start_shares"] = ages;
  r["mean_duration_days"] = victims ? sum_duration / static_cast<double>(victims) : 0.0;
  r["share_unrecorded"] = share(victims - recorded_victims, victims);
  r["expected_share_unrecorded"] = expected_unrecorded_share(c);
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (std::size_t t = 0; t < kTypes; ++t)
    by_type[std::string(kSourceTypeNames[t])] = share(victims_by_type[t], victims);
  r["share_recorded_by_source_type"] = by_type;
  nlohmann::ordered_json nsrc = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < n_sources_counts.size(); ++k) nsrc[std::to_string(k)] = n_sources_counts[k];
  r["victims_by_number_of_sources"] = nsrc;
  r["victim_records_per_recorded_victim"] = share(victim_records, recorded_victims);
  r["share_moved"] = share(moved, victims);
  r["share_second_group"] = share(second_group, victims);
  r["share_surname_changed"] = share(surname_changed, victims);
  r["share_still_involved"] = share(still_involved, victims);
  r["noise_on_victim_records"] = noise.to_json();
  std::int64_t cross = 0, multi = 0, hot = 0;
  double off_sum = 0;
  for (const auto& g : groups) {
    multi += g.n_lads > 1;
    off_sum += g.n_offenders;
    std::uint16_t first = forces.of_lad[g.lads[0]];
    bool cf = false;
    for (std::uint8_t k = 1; k < g.n_lads; ++k) cf = cf || forces.of_lad[g.lads[k]] != first;
    cross += cf;
  }
  for (auto h : geo.hotspot) hot += h == 2;
  const auto ng = static_cast<std::int64_t>(groups.size());
  r["mean_offenders_per_group"] = ng ? off_sum / static_cast<double>(ng) : 0.0;
  r["mean_victims_per_group"] = share(victims, ng);
  r["share_groups_multi_area"] = share(multi, ng);
  r["share_groups_cross_force"] = share(cross, ng);
  r["hotspot_districts"] = hot;
  if (mechanisms_on(c)) r["mechanisms"] = mechanisms_json(c);
  return r;
}

// The realised properties of the generating mechanisms, each beside what its setting implies.
nlohmann::ordered_json Tally::mechanisms_json(const SimConfig& c) const {
  auto share = [](std::int64_t num, std::int64_t den) {
    return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
  };
  const auto bit = [](SourceType t) { return 1u << static_cast<unsigned>(t); };
  // 2x2 table of two sources over all victims: {neither, a only, b only, both}.
  auto pair_table = [&](SourceType a, SourceType b) {
    std::array<std::int64_t, 4> n{};
    for (std::size_t m = 0; m < mask_counts.size(); ++m)
      n[((m & bit(a)) ? 1 : 0) + ((m & bit(b)) ? 2 : 0)] += mask_counts[m];
    return n;
  };
  auto odds_ratio = [&](SourceType a, SourceType b) {
    const auto n = pair_table(a, b);
    return static_cast<double>(n[0]) * static_cast<double>(n[3]) /
           (static_cast<double>(n[1]) * static_cast<double>(n[2]));
  };
  nlohmann::ordered_json m;
  if (c.visibility_model == 1) {
    nlohmann::ordered_json classes;
    for (int k = 1; k <= 3; ++k) classes[std::to_string(k)] = share(class_counts[static_cast<std::size_t>(k)], victims);
    m["latent_class_shares"] = classes;
  }
  if (c.visibility_model == 2) {
    const double n = static_cast<double>(victims), mean = n > 0 ? sum_log_v / n : 0.0;
    m["log_visibility_mean"] = mean;
    m["log_visibility_sd"] = n > 1 ? std::sqrt(std::max(0.0, (sum_log_v2 - n * mean * mean) / (n - 1))) : 0.0;
  }
  m["odds_ratio_children_services_police"] = odds_ratio(SourceType::children_services, SourceType::police);
  m["odds_ratio_police_health"] = odds_ratio(SourceType::police, SourceType::health);
  m["odds_ratio_children_services_charity"] = odds_ratio(SourceType::children_services, SourceType::charity);
  const auto cs_charity = pair_table(SourceType::children_services, SourceType::charity);
  m["share_of_charity_victims_known_to_children_services"] = share(cs_charity[3], cs_charity[2] + cs_charity[3]);
  m["share_unexposed_to_health"] = share(unexposed_health, victims);
  m["share_unexposed_to_charity"] = share(unexposed_charity, victims);
  m["duplicate_records"] = duplicate_records;
  m["duplicate_rate"] = share(duplicate_records, victim_records - duplicate_records);
  return m;
}

}  // namespace joindots::simulate
