#pragma once
// What the simulator counts while it writes the country, for truth/summary.json: victims,
// their ages and capture histories, records, and the realised properties of the generating
// mechanisms, each beside what its setting implies.
#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "simulate/config.hpp"
#include "simulate/identity_noise.hpp"
#include "simulate/population.hpp"
#include "simulate/world.hpp"

namespace joindots::simulate {

inline constexpr std::size_t kTypes = 5;  // police, children_services, health, nrm, charity (SourceType order)

/// "children_services|police" for a mask of SourceType bits ("" for none).
std::string capture_string(std::uint8_t mask);

/// Per offender: what the truth's offenders.csv reports.
struct OffenderStats {
  std::uint32_t offences = 0, victims = 0, records = 0;
  std::uint8_t sources = 0;
};

struct Tally {
  std::int64_t victims = 0, recorded_victims = 0, offences = 0, victim_records = 0, offender_records = 0,
               female = 0, still_involved = 0, moved = 0, second_group = 0, surname_changed = 0;
  std::array<std::int64_t, 8> age_counts{};
  std::array<std::int64_t, kTypes> records_by_type{}, victims_by_type{};
  std::array<std::int64_t, 6> n_sources_counts{};
  std::map<std::string, std::int64_t> histories;
  double sum_age = 0, sum_duration = 0;
  // Generating mechanisms (reported only when one is switched on).
  std::array<std::int64_t, 32> mask_counts{};  // victims by capture mask (SourceType bits)
  std::array<std::int64_t, 4> class_counts{};  // visibility_model 1: victims per class
  double sum_log_v = 0, sum_log_v2 = 0;        // visibility_model 2
  std::int64_t duplicate_records = 0, unexposed_health = 0, unexposed_charity = 0;

  /// A victim as generated (before any agency records them).
  void count_victim(const Victim& v);
  /// A victim's capture mask (SourceType bits) once every source has drawn.
  void count_capture(std::uint8_t mask);

  /// summary.json's "realised": the realised rates beside the settings.
  nlohmann::ordered_json realised_json(const SimConfig& c, const NoiseCounters& noise, const std::vector<Group>& groups,
                                       const Geography& geo, const ForceIndex& forces) const;

 private:
  nlohmann::ordered_json mechanisms_json(const SimConfig& c) const;
};

}  // namespace joindots::simulate
