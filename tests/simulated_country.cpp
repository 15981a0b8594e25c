#include "simulated_country.hpp"

#include <algorithm>

#include "encode/encode_file.hpp"
#include "encode/secret.hpp"
#include "ingest/ingest.hpp"
#include "simulate/simulate.hpp"
#include "test_support.hpp"

namespace joindots::testing {

LinkedCountry simulate_ingest_link_victims(const std::filesystem::path& dir, const simulate::SimConfig& config,
                                           std::uint64_t seed) {
  LinkedCountry out;
  simulate::SimulateOptions sim;
  sim.seed = seed;
  sim.quiet = true;
  sim.out_dir = dir / "country";
  simulate::simulate(config, sim, test_areas());
  out.country = sim.out_dir;
  out.store = std::make_unique<SqliteStore>(dir / "hub.db", true);
  for (const auto& f : std::filesystem::directory_iterator(sim.out_dir / "agencies"))
    ingest_file(*out.store, test_areas(), f.path());
  link::StoreLinkOptions lo;
  lo.roles = {Role::victim};
  lo.quiet = true;
  out.run = link::link_store(*out.store, link::LinkSettings{}, lo);
  return out;
}

std::vector<std::filesystem::path> csv_files(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> out;
  for (const auto& f : std::filesystem::directory_iterator(folder))
    if (f.path().extension() == ".csv") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::filesystem::path simulate_default_country(const std::filesystem::path& out_dir, double scale,
                                               std::uint64_t seed) {
  simulate::SimConfig config = simulate::SimConfig::defaults();
  simulate::set_param(config, "scale", scale);
  simulate::SimulateOptions sim;
  sim.seed = seed;
  sim.out_dir = out_dir;
  simulate::simulate(config, sim, test_areas());
  return out_dir;
}

std::filesystem::path simulate_and_encode(const std::filesystem::path& dir, double scale, std::uint64_t seed) {
  const auto sim = simulate_default_country(dir / "sim", scale, seed);
  const encode::RecordEncoder encoder(encode::Secret::from_text(kTestSecret));
  encode::encode_files(encoder, test_areas(), csv_files(sim / "agencies"), dir / "encoded");
  return sim;
}

}  // namespace joindots::testing
