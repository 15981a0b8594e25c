#include "simulate/population.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "simulate/recording.hpp"
#include "simulate/synthetic_ids.hpp"

namespace joindots::simulate {

namespace {

// Ages 10 to 17 at the start of exploitation, weighted by a normal curve around the mode.
AliasTable age_table(const SimConfig& c) {
  std::array<double, 8> w{};
  for (int a = 10; a <= 17; ++a) {
    const double d = (a - c.age_mode) / c.age_spread;
    w[static_cast<std::size_t>(a - 10)] = std::exp(-0.5 * d * d);
  }
  return AliasTable(w);
}

}  // namespace

PopulationMaker::PopulationMaker(const SimConfig& config, std::uint64_t seed, const Geography& geo,
                                 const std::vector<Group>& groups,
                                 const std::vector<std::vector<std::uint32_t>>& groups_in_lad)
    : c_(config), seed_(seed), geo_(geo), groups_(groups), groups_in_lad_(groups_in_lad),
      ages_(age_table(config)) {}

void PopulationMaker::make_identity(Identity& id, Rng& rng, bool female, std::uint16_t lad,
                                    std::int64_t from, std::int64_t to) const {
  id.female = female;
  id.given = std::string(names_.given(rng, female));
  id.family = std::string(names_.family(rng));
  if (rng.bernoulli(c_.double_surname_share)) {
    std::string second(names_.family(rng));
    if (second != id.family) id.family += "-" + second;
  }
  if (rng.bernoulli(c_.surname_change_share) && to > from) {
    id.surname_change_day = rng.between(from + 1, to);
    do {
      id.new_family = std::string(names_.family(rng));
    } while (id.new_family == id.family);
  }
  id.lad = id.new_lad = lad;
  id.postcode = id.new_postcode = synthetic_postcode(lad, rng);
}

Offender PopulationMaker::offender(std::uint64_t index, const Group& g) const {
  Rng rng(seed_, "offender", index);
  Offender o;
  o.index = index;
  o.group = g.id;
  const bool female = rng.bernoulli(c_.offender_female_share);
  const auto lad = g.lads[rng.below(g.n_lads)];
  make_identity(o.id, rng, female, lad, g.start, g.end);
  const double m = c_.offender_age_mean - 18.0, sd = c_.offender_age_sd;
  // The gamma tail is capped at 75: at national scale an uncapped draw occasionally gives a
  // birth year before 1900, which no agency records (and ingest rightly rejects).
  const double years = std::min(75.0, 18.0 + (m > 0 ? rng.gamma((m / sd) * (m / sd), sd * sd / m) : 0.0));
  o.id.dob = Date::from_days(g.start - static_cast<std::int64_t>(std::floor(years * 365.2425)));
  o.age = age_on(o.id.dob, Date::from_days(g.start));
  if (rng.bernoulli(c_.offender_street_name_share)) o.id.street_name = std::string(names_.street(rng));
  if (rng.bernoulli(c_.offender_alias_share)) {
    std::string alias(names_.given(rng, female));
    if (alias != o.id.given) o.id.alias = std::move(alias);
  }
  const int first_year = std::min(o.id.dob.year + 18, Date::from_days(g.start).year);
  const int year = static_cast<int>(rng.between(first_year, Date::from_days(g.start).year));
  o.id.pnc = synthetic_pnc_id(index, year, seed_ ^ 0x706e63ULL);
  o.id.nhs = synthetic_nhs_number(2 * index + 1, seed_ ^ 0x6e6873ULL);
  return o;
}

Offender PopulationMaker::offender(std::uint64_t index) const {
  // The group whose offender range [offender_base, offender_base + n_offenders) holds index.
  const auto after = std::upper_bound(groups_.begin(), groups_.end(), index,
                                      [](std::uint64_t x, const Group& g) { return x < g.offender_base; });
  return offender(index, *(after - 1));
}

Victim PopulationMaker::victim(std::uint64_t index, const Group& g, Rng& rng) const {
  Victim v;
  v.index = index;
  v.group = g.id;
  const std::int64_t study_start = c_.study_start.days(), study_end = c_.study_end.days();
  const bool female = rng.bernoulli(c_.female_share);
  const int age = 10 + static_cast<int>(ages_.draw(rng));
  v.start = rng.between(std::max<std::int64_t>(g.start, study_start), std::min<std::int64_t>(g.end, study_end));
  const double u = 0.01 + 0.98 * rng.uniform();
  v.id.dob = Date::from_days(v.start - static_cast<std::int64_t>(std::floor((age + u) * 365.2425)));
  v.age = age_on(v.id.dob, Date::from_days(v.start));
  const Date dob = v.id.dob;
  const int dim = days_in_month(dob.year + 18, dob.month);
  const std::int64_t eighteenth = days_from_civil(dob.year + 18, static_cast<unsigned>(dob.month),
                                                  static_cast<unsigned>(std::min(dob.day, dim)));
  const double dur = rng.lognormal(std::log(c_.duration_median_days), c_.duration_log_sd);
  v.end = v.start + std::max<std::int64_t>(7, static_cast<std::int64_t>(dur));
  v.end = std::min({v.end, eighteenth - 1, c_.reference_date.days()});
  v.end = std::max(v.end, v.start);
  const std::uint16_t home = g.n_lads == 1 || rng.bernoulli(0.6) ? g.lads[0] : g.lads[1 + rng.below(g.n_lads - 1u)];
  make_identity(v.id, rng, female, home, v.start, v.end);
  if (rng.bernoulli(c_.move_share) && v.end > v.start) {
    v.id.move_day = rng.between(v.start + 1, v.end);
    v.id.new_lad = rng.bernoulli(c_.move_other_district_share) ? geo_.near[home][rng.below(3)] : home;
    v.id.new_postcode = synthetic_postcode(v.id.new_lad, rng);
  }
  v.id.nhs = synthetic_nhs_number(2 * index, seed_ ^ 0x6e6873ULL);
  v.id.upn = synthetic_upn(index, seed_ ^ 0x75706eULL);
  v.z = rng.normal(0, c_.visibility_sd);
  const Visibility visibility = draw_visibility(c_, v.z, seed_, index);
  v.z = visibility.z;
  v.latent_class = visibility.latent_class;
  join_second_group(v, home, rng);
  add_offences(v, g, rng);
  return v;
}

// Some victims are also exploited by a second group active in their home district at the
// same time (up to ten tries to find one).
void PopulationMaker::join_second_group(Victim& v, std::uint16_t home, Rng& rng) const {
  if (!rng.bernoulli(c_.second_group_share)) return;
  const auto& pool = groups_in_lad_[home];
  for (int tries = 0; tries < 10 && !pool.empty(); ++tries) {
    const auto h = pool[rng.below(pool.size())];
    const Group& other = groups_[h];
    if (h != v.group && other.start <= v.end && other.end >= v.start) {
      v.second_group = h;
      return;
    }
  }
}

void PopulationMaker::add_offences(Victim& v, const Group& g, Rng& rng) const {
  const auto n = 1 + rng.negative_binomial(std::max(0.01, c_.offences_mean - 1), c_.offences_size);
  v.offences.reserve(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) {
    Offence o;
    const bool second = v.second_group != kNoGroup && rng.bernoulli(0.3);
    const Group& og = second ? groups_[v.second_group] : g;
    const std::int64_t lo = std::max<std::int64_t>(v.start, og.start), hi = std::min<std::int64_t>(v.end, og.end);
    o.day = lo <= hi ? rng.between(lo, hi) : rng.between(v.start, v.end);
    o.group = og.id;
    if (!second && rng.bernoulli(0.7))
      o.lad = v.id.lad_on(o.day);
    else
      o.lad = og.lads[rng.below(og.n_lads)];
    const double u = rng.uniform();
    const int want = u < 0.6 ? 1 : (u < 0.9 ? 2 : 3);
    o.n = static_cast<std::uint8_t>(std::min<int>(want, og.n_offenders));
    // Distinct offenders; the group's first members offend most (weights 1/(k+1)).
    std::array<double, 16> w{};
    for (int i = 0; i < og.n_offenders; ++i) w[static_cast<std::size_t>(i)] = 1.0 / (i + 1);
    for (std::uint8_t j = 0; j < o.n; ++j) {
      const auto pick = rng.weighted(std::span<const double>(w.data(), og.n_offenders));
      w[pick] = 0;
      o.offenders[j] = og.offender_base + pick;
    }
    v.offences.push_back(o);
  }
  std::sort(v.offences.begin(), v.offences.end(), [](const Offence& a, const Offence& b) { return a.day < b.day; });
}

}  // namespace joindots::simulate
