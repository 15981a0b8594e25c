#pragma once
// The people of the synthetic country, before any agency sees them: each group's offenders,
// its victims with their identities, visibility and offences. Every person is drawn from
// their own stream (Rng(seed, "offender", i), the victim's stream passed in), so a person is
// the same whichever order they are made in, and an offender can be re-made on demand
// (when a record or the truth needs them) rather than held in memory.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "core/rng.hpp"
#include "simulate/config.hpp"
#include "simulate/names.hpp"
#include "simulate/world.hpp"

namespace joindots::simulate {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();

/// A person's true identifiers, with the day (if any) their surname or address changes.
struct Identity {
  std::string given, family, new_family, street_name, alias;
  std::int64_t surname_change_day = kNever;
  Date dob;
  bool female = false;
  std::uint16_t lad = 0, new_lad = 0;
  std::string postcode, new_postcode;
  std::int64_t move_day = kNever;
  std::string nhs, upn, pnc;

  std::uint16_t lad_on(std::int64_t day) const { return day >= move_day ? new_lad : lad; }
  const std::string& postcode_on(std::int64_t day) const { return day >= move_day ? new_postcode : postcode; }
};

struct Offence {
  std::int64_t day = 0;
  std::uint16_t lad = 0;
  std::uint32_t group = 0;
  std::uint8_t n = 0;
  std::array<std::uint64_t, 3> offenders{};
};

struct Victim {
  std::uint64_t index = 0;
  std::uint32_t group = 0, second_group = kNoGroup;
  Identity id;
  std::int64_t start = 0, end = 0;
  int age = 0;
  double z = 0;
  int latent_class = 0;  // visibility_model 1 only
  std::vector<Offence> offences;  // sorted by day
};

struct Offender {
  std::uint64_t index = 0;
  std::uint32_t group = 0;
  Identity id;
  int age = 0;
};

/// Makes offenders and victims from the country's fixed structure (which it only refers
/// to: the geography and groups must outlive it).
class PopulationMaker {
 public:
  PopulationMaker(const SimConfig& config, std::uint64_t seed, const Geography& geo,
                  const std::vector<Group>& groups,
                  const std::vector<std::vector<std::uint32_t>>& groups_in_lad);

  /// Offender `index` of group g, from Rng(seed, "offender", index): the same every call.
  Offender offender(std::uint64_t index, const Group& g) const;
  /// Offender `index`, whose group is found from the groups' offender ranges.
  Offender offender(std::uint64_t index) const;
  /// Victim `index` of group g, drawn from rng (the victim's own stream, which the caller
  /// goes on using for the victim's records).
  Victim victim(std::uint64_t index, const Group& g, Rng& rng) const;

 private:
  void make_identity(Identity& id, Rng& rng, bool female, std::uint16_t lad, std::int64_t from,
                     std::int64_t to) const;
  void add_offences(Victim& v, const Group& g, Rng& rng) const;
  void join_second_group(Victim& v, std::uint16_t home, Rng& rng) const;

  const SimConfig& c_;
  std::uint64_t seed_;
  const Geography& geo_;
  const std::vector<Group>& groups_;
  const std::vector<std::vector<std::uint32_t>>& groups_in_lad_;
  NameSampler names_;
  AliasTable ages_;  // index 0 = age 10
};

}  // namespace joindots::simulate
