#pragma once
// Simulated countries as several tests start from them, written once here: taken through
// simulate -> ingest -> link (victims), or simulated and encoded (encoded mode).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "link/store_link.hpp"
#include "simulate/config.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace joindots::testing {

struct LinkedCountry {
  std::filesystem::path country;        // the simulator's output: agencies/ and the truth
  std::unique_ptr<SqliteStore> store;   // every agency file ingested, the victims linked
  link::StoreLinkRun run;
};

/// Simulates `config` with `seed` into `dir`/country, ingests every agency file into a new
/// store `dir`/hub.db and links its victims with the default settings, quietly.
LinkedCountry simulate_ingest_link_victims(const std::filesystem::path& dir, const simulate::SimConfig& config,
                                           std::uint64_t seed);

/// The agency files (*.csv) in `folder`, sorted by name.
std::vector<std::filesystem::path> csv_files(const std::filesystem::path& folder);

/// The default country at `scale`, simulated quietly with `seed` into `out_dir` (agencies/ and
/// the truth). Returns `out_dir`.
std::filesystem::path simulate_default_country(const std::filesystem::path& out_dir, double scale,
                                               std::uint64_t seed);

/// The key the encoded-mode tests encode with (fixed: they compare runs).
inline constexpr const char* kTestSecret = "5c2e9a1f7d3b8e6a0c4f2d9b7e5a3c1f8d6b4e2a9c7f5d3b1e8a6c4f2d0b9e7a";

/// The default country at `scale`, simulated with `seed` into `dir`/sim, and every agency
/// file encoded under kTestSecret into `dir`/encoded. Returns `dir`/sim.
std::filesystem::path simulate_and_encode(const std::filesystem::path& dir, double scale, std::uint64_t seed);

}  // namespace joindots::testing
