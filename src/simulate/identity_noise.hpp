#pragma once
// What an agency's clerk writes down about a person on a given day: the true identity with
// the noise of real case systems (nicknames, typos, surname changes and double-barrelled
// variants, partial or swapped dates of birth, missing or partial postcodes, upper case,
// identifiers present or absent but never mistyped), filled into a record row. The realised
// rate of each kind of noise on victim records is counted, for truth/summary.json.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/areas.hpp"
#include "core/record.hpp"
#include "core/rng.hpp"
#include "simulate/agency_writer.hpp"
#include "simulate/config.hpp"
#include "simulate/population.hpp"

namespace joindots::simulate {

/// Realised noise on victim records: numerators per kind; the denominator is `records`
/// except where noted.
struct NoiseCounters {
  std::int64_t records = 0, nickname_eligible = 0, nickname = 0, given_typo = 0, family_typo = 0,
               double_surname_records = 0, double_surname_variant = 0, after_change_records = 0,
               old_surname = 0, dob_missing = 0, dob_partial = 0, dob_swap = 0, dob_day_error = 0,
               postcode_missing = 0, postcode_partial = 0, sex_missing = 0, upper_case = 0;

  /// The realised rates (summary.json's "noise_on_victim_records").
  nlohmann::ordered_json to_json() const;
};

class IdentityNoise {
 public:
  IdentityNoise(const SimConfig& config, const AreaTable& areas) : c_(config), areas_(areas) {}

  /// Fills the identifying columns of row (names, other names, dob, sex, postcode, district,
  /// NHS number, UPN, PNC id) as recorded on `day` by a source of `type`, drawing from rng.
  /// Victims' records are counted.
  void fill(RecordRow& row, const Identity& id, std::int64_t day, bool is_victim, SourceType type, Rng& rng);

  const NoiseCounters& counters() const { return counters_; }

 private:
  void fill_names(RecordRow& row, const Identity& id, std::int64_t day, Rng& rng, NoiseCounters* nc) const;

  const SimConfig& c_;
  const AreaTable& areas_;
  NoiseCounters counters_;
};

}  // namespace joindots::simulate
