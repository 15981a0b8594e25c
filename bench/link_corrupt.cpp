// Writes the perturbed linkage variants of issue 12 (link/corrupt.hpp) for the robustness
// suite: bench/link_robustness.sh runs joindots link on each with no config.
//   joindots_link_corrupt BASE.csv OUT_DIR [SEED] [PERSONS]
// BASE is a FEBRL-layout file (its -org records are the clean persons), e.g.
// ../shared/data/linkage/zingg_febrl_20k/febrl_20k.csv; PERSONS caps how many are used
// (default 4000). Deterministic by SEED (default 1).
#include <fmt/format.h>

#include <cstdlib>
#include <exception>

#include "link/corrupt.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} BASE.csv OUT_DIR [SEED] [PERSONS]\n", argv[0]);
    return 1;
  }
  try {
    const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    const std::size_t cap = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 4000;
    auto persons = joindots::link::read_febrl_persons(argv[1]);
    if (persons.size() > cap) persons.resize(cap);
    for (const auto& spec : joindots::link::standard_corruptions()) {
      const auto files = joindots::link::corrupt(persons, spec, seed);
      std::size_t records = 0;
      for (const auto& f : files) records += f.size();
      joindots::link::write_corrupt_files(std::filesystem::path(argv[2]) / spec.name, files, spec.with_dob);
      fmt::print("{}: {} files, {} records from {} persons\n", spec.name, files.size(), records, persons.size());
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
