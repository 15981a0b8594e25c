#pragma once
// `simulate`: a synthetic country with ground truth, written as the agencies' files plus the
// truth behind them. The whole stage in one call:
//
//   geography (area rates, hotspots, trusts, charities)
//     -> offending groups (small structs, all up front)
//     -> for each group, streamed: offenders, victims, offences, which agencies record each
//        victim, their records with identifier noise, suspects of each police case
//     -> sort each agency file by event date, write truth/summary.json
//
// The parts: world.hpp (geography, groups, forces), population.hpp (offenders, victims,
// offences), recording.hpp (which sources record a victim), identity_noise.hpp (what a
// clerk writes down), agency_writer.hpp (the agencies' files), truth_writer.hpp (the
// truth), tally.hpp (the realised rates in summary.json); simulate.cpp runs them in order.
//
// Same seed and same config give byte-identical output. Memory is bounded by the group
// table (tens of bytes per group) and per-offender counters; records are never held.
#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "simulate/config.hpp"

namespace joindots::simulate {

struct SimulateOptions {
  std::uint64_t seed = 1;
  std::filesystem::path out_dir;  // gets agencies/ and truth/
  bool quiet = true;              // no progress on stderr
};

struct SimulateSummary {
  std::uint64_t seed = 0;
  std::int64_t groups = 0, victims = 0, recorded_victims = 0, offenders = 0, recorded_offenders = 0,
               offences = 0, records = 0, victim_records = 0, offender_records = 0;
  /// Records and recorded victims by source type, keyed by the source type's name.
  std::vector<std::pair<std::string, std::int64_t>> records_by_source_type, victims_by_source_type;
  std::vector<std::filesystem::path> files;  // every file written (agencies then truth)
  double seconds = 0;
  /// The contents of truth/summary.json (config echo, counts, realised rates; no timing).
  nlohmann::ordered_json truth_summary;

  /// The --json summary: counts, files written and seconds.
  nlohmann::ordered_json to_json() const;
};

/// Generates the country and writes `out_dir`/agencies/*.csv and `out_dir`/truth/*.
/// Earlier simulator output in those two folders (*.csv, summary.json) is removed first.
/// Throws UsageError when the config is invalid, InternalError when a file cannot be written.
SimulateSummary simulate(const SimConfig& config, const SimulateOptions& options, const AreaTable& areas);

}  // namespace joindots::simulate
