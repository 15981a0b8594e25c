#include "simulate/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "io/csv_writer.hpp"
#include "simulate/agency_writer.hpp"
#include "simulate/names.hpp"
#include "simulate/nicknames.hpp"
#include "simulate/noise.hpp"
#include "simulate/recording.hpp"
#include "simulate/synthetic_ids.hpp"
#include "simulate/world.hpp"

namespace joindots::simulate {

namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kTypes = 5;  // police, children_services, health, nrm, charity (SourceType order)

// Column positions in kRecordColumns.
enum Col : std::size_t {
  kId, kType, kOrg, kRole, kRecordType, kEvent, kLast, kCaseRef, kOffenceCount, kLad, kGiven, kFamily,
  kOther, kDob, kSex, kPostcode, kNhs, kUpn, kPnc
};

SourceType to_source_type(SimSource s) {
  switch (s) {
    case SimSource::children_services: return SourceType::children_services;
    case SimSource::police: return SourceType::police;
    case SimSource::health: return SourceType::health;
    case SimSource::nrm: return SourceType::nrm;
    case SimSource::charity: return SourceType::charity;
  }
  return SourceType::police;
}

std::string day_str(std::int64_t day) { return Date::from_days(day).str(); }
std::string person_id(char prefix, std::uint64_t index) { return fmt::format("{}{:07}", prefix, index + 1); }
std::string group_id(std::uint32_t g) { return fmt::format("G{:06}", g + 1); }

std::string capture_string(std::uint8_t mask) {
  std::string out;
  for (std::size_t t = 0; t < kTypes; ++t)
    if (mask & (1u << t)) {
      if (!out.empty()) out += '|';
      out += kSourceTypeNames[t];
    }
  return out;
}

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
  std::vector<Offence> offences;
};

struct Offender {
  std::uint64_t index = 0;
  std::uint32_t group = 0;
  Identity id;
  int age = 0;
};

struct OffenderStats {
  std::uint32_t offences = 0, victims = 0, records = 0;
  std::uint8_t sources = 0;
};

/// Realised noise on victim records: numerators per kind; the denominator is `records`
/// except where noted.
struct NoiseCounters {
  std::int64_t records = 0, nickname_eligible = 0, nickname = 0, given_typo = 0, family_typo = 0,
               double_surname_records = 0, double_surname_variant = 0, after_change_records = 0,
               old_surname = 0, dob_missing = 0, dob_partial = 0, dob_swap = 0, dob_day_error = 0,
               postcode_missing = 0, postcode_partial = 0, sex_missing = 0, upper_case = 0;
};

struct ForceCase {
  std::string op_ref;  // empty when not an operation
  std::int64_t first_day = kNever;
  struct Implicated {
    std::uint32_t group = 0;
    std::uint32_t offences = 0;
    std::string crime_ref;
  };
  std::map<std::uint64_t, Implicated> offenders;
};

class Simulator {
 public:
  Simulator(const SimConfig& config, const SimulateOptions& options, const AreaTable& areas)
      : c_(config), opt_(options), areas_(areas), seed_(options.seed) {}

  SimulateSummary run();

 private:
  Offender make_offender(std::uint64_t index, const Group& g) const;
  Victim make_victim(std::uint64_t index, const Group& g, Rng& rng) const;
  void make_identity(Identity& id, Rng& rng, bool female, std::uint16_t lad, std::int64_t from, std::int64_t to) const;
  void add_offences(Victim& v, const Group& g, Rng& rng) const;
  void fill_identity(RecordRow& row, const Identity& id, std::int64_t day, bool is_victim, SourceType type, Rng& rng);
  void process_group(const Group& g);
  void write_record(SourceType type, const std::string& org, RecordRow& row, const std::string& pid, Role role);
  void write_persons_row(const std::string& pid, std::string_view role, const Identity& id);
  void write_offenders();
  void write_groups();
  nlohmann::ordered_json realised_json() const;
  nlohmann::ordered_json mechanisms_json() const;

  const SimConfig& c_;
  const SimulateOptions& opt_;
  const AreaTable& areas_;
  std::uint64_t seed_;
  Geography geo_;
  std::vector<Group> groups_;
  std::vector<std::vector<std::uint32_t>> groups_in_lad_;
  std::vector<std::uint16_t> pfa_of_lad_;
  std::vector<std::string> pfa_codes_;
  NameSampler names_;
  AliasTable ages_;  // index 0 = age 10

  std::unique_ptr<AgencyWriters> agencies_;
  std::unique_ptr<CsvWriter> truth_records_, truth_victims_, truth_offences_, truth_persons_;
  std::vector<OffenderStats> offender_stats_;
  std::vector<std::uint32_t> group_second_victims_;

  // Counters
  std::int64_t victims_ = 0, recorded_victims_ = 0, offences_ = 0, victim_records_ = 0, offender_records_ = 0,
               female_ = 0, still_involved_ = 0, moved_ = 0, second_group_ = 0, surname_changed_ = 0;
  std::array<std::int64_t, 8> age_counts_{};
  std::array<std::int64_t, kTypes> records_by_type_{}, victims_by_type_{};
  std::array<std::int64_t, 6> n_sources_counts_{};
  std::map<std::string, std::int64_t> histories_;
  NoiseCounters noise_;
  double sum_age_ = 0, sum_duration_ = 0;
  // Generating mechanisms (reported only when one is switched on).
  std::array<std::int64_t, 32> mask_counts_{};  // victims by capture mask (SourceType bits)
  std::array<std::int64_t, 4> class_counts_{};  // visibility_model 1: victims per class
  double sum_log_v_ = 0, sum_log_v2_ = 0;        // visibility_model 2
  std::int64_t duplicate_records_ = 0, unexposed_health_ = 0, unexposed_charity_ = 0;
};

void Simulator::make_identity(Identity& id, Rng& rng, bool female, std::uint16_t lad, std::int64_t from,
                              std::int64_t to) const {
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

Offender Simulator::make_offender(std::uint64_t index, const Group& g) const {
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

Victim Simulator::make_victim(std::uint64_t index, const Group& g, Rng& rng) const {
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
  if (rng.bernoulli(c_.second_group_share)) {
    const auto& pool = groups_in_lad_[home];
    for (int tries = 0; tries < 10 && !pool.empty(); ++tries) {
      const auto h = pool[rng.below(pool.size())];
      const Group& other = groups_[h];
      if (h != g.id && other.start <= v.end && other.end >= v.start) {
        v.second_group = h;
        break;
      }
    }
  }
  add_offences(v, g, rng);
  return v;
}

void Simulator::add_offences(Victim& v, const Group& g, Rng& rng) const {
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

void Simulator::fill_identity(RecordRow& row, const Identity& id, std::int64_t day, bool is_victim, SourceType type,
                              Rng& rng) {
  NoiseCounters* nc = is_victim ? &noise_ : nullptr;
  if (nc) ++nc->records;
  // Given name: nickname, then typo.
  std::string given = id.given;
  const auto nicks = nicknames_of(id.given);
  if (!nicks.empty()) {
    if (nc) ++nc->nickname_eligible;
    if (rng.bernoulli(c_.nickname_rate)) {
      given = std::string(nicks[rng.bernoulli(0.6) ? 0 : rng.below(nicks.size())]);
      if (nc) ++nc->nickname;
    }
  }
  if (rng.bernoulli(c_.typo_rate)) {
    given = typo(given, rng);
    if (nc) ++nc->given_typo;
  }
  // Family name: surname change, double-surname variants, typo.
  std::string family = id.family;
  std::vector<std::string> other;
  if (day >= id.surname_change_day) {
    if (nc) ++nc->after_change_records;
    if (rng.bernoulli(c_.surname_change_old_rate)) {
      if (nc) ++nc->old_surname;
    } else {
      family = id.new_family;
      if (rng.bernoulli(0.5)) other.push_back(id.family);
    }
  }
  if (const auto hyphen = family.find('-'); hyphen != std::string::npos) {
    if (nc) ++nc->double_surname_records;
    if (rng.bernoulli(c_.double_surname_variant_rate)) {
      const auto v = rng.below(3);
      family = v == 0 ? family.substr(0, hyphen) : v == 1 ? family.substr(hyphen + 1) : family.substr(0, hyphen) + " " + family.substr(hyphen + 1);
      if (nc) ++nc->double_surname_variant;
    }
  }
  if (rng.bernoulli(c_.typo_rate)) {
    family = typo(family, rng);
    if (nc) ++nc->family_typo;
  }
  if (!nicks.empty() && rng.bernoulli(c_.other_names_nickname_rate)) {
    std::string nick(nicks[rng.below(nicks.size())]);
    if (nick != given) other.push_back(std::move(nick));
  }
  if (!id.alias.empty() && rng.bernoulli(0.5)) other.push_back(id.alias);
  if (!id.street_name.empty() && rng.bernoulli(0.5)) other.push_back(id.street_name);
  if (rng.bernoulli(c_.upper_case_rate)) {
    given = upper(given);
    family = upper(family);
    for (auto& o : other) o = upper(o);
    if (nc) ++nc->upper_case;
  }
  row[kGiven] = std::move(given);
  row[kFamily] = std::move(family);
  std::string others;
  for (const auto& o : other) {
    if (!others.empty()) others += '|';
    others += o;
  }
  row[kOther] = std::move(others);
  // Date of birth.
  const double dob_missing = is_victim ? c_.dob_missing_rate : c_.suspect_dob_missing_rate;
  if (rng.bernoulli(dob_missing)) {
    row[kDob].clear();
    if (nc) ++nc->dob_missing;
  } else if (rng.bernoulli(c_.dob_partial_rate)) {
    row[kDob] = partial_date(id.dob, rng).str();
    if (nc) ++nc->dob_partial;
  } else if (rng.bernoulli(c_.dob_swap_rate) && swap_day_month(id.dob) != id.dob) {
    row[kDob] = swap_day_month(id.dob).str();
    if (nc) ++nc->dob_swap;
  } else if (rng.bernoulli(c_.dob_day_error_rate)) {
    row[kDob] = mistype_day(id.dob, rng).str();
    if (nc) ++nc->dob_day_error;
  } else {
    row[kDob] = id.dob.str();
  }
  // Sex.
  if (rng.bernoulli(c_.sex_missing_rate)) {
    row[kSex] = rng.bernoulli(0.5) ? "" : "unknown";
    if (nc) ++nc->sex_missing;
  } else {
    row[kSex] = id.female ? "F" : "M";
  }
  // Postcode and district.
  const std::string& pc = id.postcode_on(day);
  if (rng.bernoulli(c_.postcode_missing_rate)) {
    row[kPostcode].clear();
    if (nc) ++nc->postcode_missing;
  } else if (rng.bernoulli(c_.postcode_partial_rate)) {
    row[kPostcode] = partial_postcode(pc, rng);
    if (nc) ++nc->postcode_partial;
  } else {
    row[kPostcode] = pc;
  }
  row[kLad] = areas_[id.lad_on(day)].code;
  // Identifiers with check digits: present or absent, never mistyped.
  row[kNhs].clear();
  row[kUpn].clear();
  row[kPnc].clear();
  if (is_victim) {
    const double nhs_share = type == SourceType::health ? c_.nhs_health_share
                             : type == SourceType::children_services ? c_.nhs_children_services_share
                                                                      : c_.nhs_other_share;
    if (rng.bernoulli(nhs_share)) row[kNhs] = id.nhs;
    if (type == SourceType::children_services && rng.bernoulli(c_.upn_children_services_share)) row[kUpn] = id.upn;
  } else if (type == SourceType::police && rng.bernoulli(c_.suspect_pnc_share)) {
    row[kPnc] = id.pnc;
  }
}

void Simulator::write_record(SourceType type, const std::string& org, RecordRow& row, const std::string& pid, Role role) {
  row[kRole] = std::string(to_string(role));
  const std::string& rid = agencies_->write(type, org, row);
  truth_records_->write_row({std::string_view(org), std::string_view(rid), std::string_view(pid), to_string(role)});
  ++records_by_type_[static_cast<std::size_t>(type)];
  if (role == Role::victim)
    ++victim_records_;
  else
    ++offender_records_;
}

void Simulator::write_persons_row(const std::string& pid, std::string_view role, const Identity& id) {
  const bool changed = id.surname_change_day != kNever, moved = id.move_day != kNever;
  truth_persons_->write_row({std::string_view(pid), role, std::string_view(id.given), std::string_view(id.family),
                             std::string_view(id.dob.str()), std::string_view(id.female ? "F" : "M"),
                             std::string_view(id.postcode), std::string_view(areas_[id.lad].code),
                             std::string_view(id.nhs), std::string_view(id.upn), std::string_view(id.pnc),
                             std::string_view(changed ? id.new_family : ""),
                             std::string_view(changed ? day_str(id.surname_change_day) : ""),
                             std::string_view(moved ? id.new_postcode : ""),
                             std::string_view(moved ? areas_[id.new_lad].code : ""),
                             std::string_view(moved ? day_str(id.move_day) : ""), std::string_view(id.street_name),
                             std::string_view(id.alias)});
}

void Simulator::process_group(const Group& g) {
  const std::int64_t study_end = c_.study_end.days();
  // Offenders of this group: truth identities.
  for (std::uint8_t k = 0; k < g.n_offenders; ++k) {
    const Offender o = make_offender(g.offender_base + k, g);
    write_persons_row(person_id('O', o.index), "offender", o.id);
  }
  Rng case_rng(seed_, "cases", g.id);
  std::map<std::uint16_t, ForceCase> cases;
  auto force_case = [&](std::uint16_t pfa) -> ForceCase& {
    auto it = cases.find(pfa);
    if (it != cases.end()) return it->second;
    ForceCase fc;
    if (case_rng.bernoulli(c_.operation_share)) {
      fc.op_ref = scrambled_record_id("OP", static_cast<std::uint64_t>(g.id) * 64 + pfa, seed_ ^ 0x6f70ULL);
    }
    return cases.emplace(pfa, std::move(fc)).first->second;
  };

  for (std::uint32_t vi = 0; vi < g.n_victims; ++vi) {
    const std::uint64_t index = g.victim_base + vi;
    Rng rng(seed_, "victim", index);
    const Victim v = make_victim(index, g, rng);
    const std::string pid = person_id('V', index);
    ++victims_;
    offences_ += static_cast<std::int64_t>(v.offences.size());
    female_ += v.id.female;
    age_counts_[static_cast<std::size_t>(std::clamp(v.age, 10, 17) - 10)]++;
    sum_age_ += v.age;
    sum_duration_ += static_cast<double>(v.end - v.start);
    moved_ += v.id.move_day != kNever;
    surname_changed_ += v.id.surname_change_day != kNever;
    if (v.second_group != kNoGroup) {
      ++second_group_;
      ++group_second_victims_[v.second_group];
    }
    // Offences (truth) and offender counters.
    std::set<std::uint64_t> victim_offenders;
    for (std::size_t k = 0; k < v.offences.size(); ++k) {
      const Offence& o = v.offences[k];
      std::string ids;
      for (std::uint8_t j = 0; j < o.n; ++j) {
        if (j) ids += '|';
        ids += person_id('O', o.offenders[j]);
        offender_stats_[o.offenders[j]].offences++;
        victim_offenders.insert(o.offenders[j]);
      }
      truth_offences_->write_row({std::string_view(fmt::format("F{:07}-{:03}", index + 1, k + 1)), std::string_view(pid),
                                  std::string_view(ids), std::string_view(day_str(o.day)),
                                  std::string_view(areas_[o.lad].code), std::string_view(group_id(o.group))});
    }
    for (auto o : victim_offenders) offender_stats_[o].victims++;

    // Which sources record the child, and their records.
    const auto exposure = coverage_exposure(c_, v.start, v.end);
    const auto in = draw_sources(c_, v.z, rng, exposure);
    class_counts_[static_cast<std::size_t>(v.latent_class)]++;
    sum_log_v_ += v.z;
    sum_log_v2_ += v.z * v.z;
    unexposed_health_ += exposure[static_cast<std::size_t>(SimSource::health)] == 0;
    unexposed_charity_ += exposure[static_cast<std::size_t>(SimSource::charity)] == 0;
    // Within-source duplicates draw from their own stream, so the rest never shifts.
    std::optional<Rng> duplicate_rng;
    if (c_.duplicate_rate > 0) duplicate_rng.emplace(seed_, "duplicate", index);
    std::uint8_t mask = 0;
    std::int64_t n_records = 0;
    std::string first_cs_org;
    std::int64_t first_cs_day = kNever;
    std::map<std::uint16_t, std::string> crime_refs;  // per force, outside operations
    for (std::size_t s = 0; s < kSimSources; ++s) {
      if (!in[s]) continue;
      const auto sim = static_cast<SimSource>(s);
      const SourceType type = to_source_type(sim);
      const auto t = static_cast<std::size_t>(type);
      mask |= static_cast<std::uint8_t>(1u << t);
      ++victims_by_type_[t];
      const double repeat = sim == SimSource::police              ? c_.police_repeat_mean
                            : sim == SimSource::children_services ? c_.children_services_repeat_mean
                            : sim == SimSource::health            ? c_.health_repeat_mean
                            : sim == SimSource::nrm               ? c_.nrm_repeat_mean
                                                                  : c_.charity_repeat_mean;
      const auto n = 1 + rng.poisson(repeat);
      for (std::int64_t r = 0; r < n; ++r) {
        RecordRow row;
        std::int64_t day;
        std::string org;
        if (sim == SimSource::police) {
          const Offence& o = v.offences[rng.below(v.offences.size())];
          day = std::min(study_end, o.day + static_cast<std::int64_t>(rng.exponential(1.0 / 30.0)));
          const std::uint16_t pfa = pfa_of_lad_[o.lad];
          org = pfa_codes_[pfa];
          row[kRecordType] = "crime";
          ForceCase& fc = force_case(pfa);
          fc.first_day = std::min(fc.first_day, day);
          std::string ref = fc.op_ref;
          if (ref.empty()) {
            auto it = crime_refs.find(pfa);
            if (it == crime_refs.end()) {
              std::string cr = rng.bernoulli(c_.crime_ref_share)
                                   ? scrambled_record_id("CR", index * 64 + pfa, seed_ ^ 0x6372ULL)
                                   : std::string();
              it = crime_refs.emplace(pfa, std::move(cr)).first;
            }
            ref = it->second;
          }
          row[kCaseRef] = ref;
          std::int64_t in_force = 0;
          for (const auto& off : v.offences) {
            if (pfa_of_lad_[off.lad] != pfa) continue;
            ++in_force;
            for (std::uint8_t j = 0; j < off.n; ++j) {
              auto& imp = fc.offenders[off.offenders[j]];
              imp.group = off.group;
              imp.offences++;
              if (imp.crime_ref.empty()) imp.crime_ref = ref;
            }
          }
          row[kOffenceCount] = std::to_string(1 + rng.binomial(std::max<std::int64_t>(0, in_force - 1), 0.5));
        } else {
          std::int64_t first = v.start, last = std::min(v.end, study_end);
          if (c_.list_period_share < 1) {  // open population: the source's own period
            const auto [cover_first, cover_last] = coverage_period(c_, sim);
            first = std::max(first, cover_first);
            last = std::max(first, std::min(last, cover_last));
          }
          day = rng.between(first, last);
          const std::uint16_t lad = v.id.lad_on(day);
          switch (sim) {
            case SimSource::children_services:
              org = areas_[lad].code;
              row[kRecordType] = rng.bernoulli(0.6) ? "assessment" : "referral";
              if (day < first_cs_day) {
                first_cs_day = day;
                first_cs_org = org;
              }
              break;
            case SimSource::health:
              org = geo_.trust_codes[geo_.trust_of[lad]];
              row[kRecordType] = "attendance";
              break;
            case SimSource::nrm:
              org = "NRM";
              row[kRecordType] = "nrm_referral";
              break;
            default:
              org = geo_.charity_codes[geo_.charity_of[lad]];
              row[kRecordType] = "casework";
              break;
          }
        }
        row[kEvent] = day_str(day);
        if (rng.bernoulli(0.6)) {
          const auto last = std::min(study_end, day + static_cast<std::int64_t>(rng.exponential(1.0 / 60.0)));
          row[kLast] = day_str(std::max(last, day));
        }
        std::optional<RecordRow> duplicate;
        if (duplicate_rng && duplicate_rng->bernoulli(c_.duplicate_rate)) duplicate = row;
        fill_identity(row, v.id, day, true, type, rng);
        write_record(type, org, row, pid, Role::victim);
        ++n_records;
        if (duplicate) {  // the same event entered again, its identifiers noised anew
          fill_identity(*duplicate, v.id, day, true, type, *duplicate_rng);
          write_record(type, org, *duplicate, pid, Role::victim);
          ++n_records;
          ++duplicate_records_;
        }
      }
    }
    // Children's services sometimes record the child's abusers (often only a street name).
    if (!first_cs_org.empty()) {
      for (auto oi : victim_offenders) {
        if (!rng.bernoulli(c_.cs_associate_p)) continue;
        const Group& og = groups_[static_cast<std::size_t>(
            std::upper_bound(groups_.begin(), groups_.end(), oi,
                             [](std::uint64_t x, const Group& gg) { return x < gg.offender_base; }) -
            groups_.begin() - 1)];
        const Offender o = make_offender(oi, og);
        RecordRow row;
        row[kRecordType] = "referral";
        row[kEvent] = day_str(first_cs_day);
        fill_identity(row, o.id, first_cs_day, false, SourceType::children_services, rng);
        if (!o.id.street_name.empty() && rng.bernoulli(c_.suspect_street_name_only_rate)) {
          row[kGiven].clear();
          row[kFamily].clear();
          row[kDob].clear();
          row[kOther] = o.id.street_name;
        }
        write_record(SourceType::children_services, first_cs_org, row, person_id('O', oi),
                     rng.bernoulli(0.7) ? Role::associate : Role::suspect);
        auto& st = offender_stats_[oi];
        st.records++;
        st.sources |= 1u << static_cast<unsigned>(SourceType::children_services);
      }
    }
    const int n_sources = std::popcount(mask);
    n_sources_counts_[static_cast<std::size_t>(n_sources)]++;
    if (n_sources) ++recorded_victims_;
    histories_[capture_string(mask)]++;
    mask_counts_[mask]++;
    const std::int64_t reference = c_.reference_date.days();
    const bool still = age_on(v.id.dob, c_.reference_date) < 18 && v.end >= reference - 365;
    still_involved_ += still;
    std::string gids = group_id(v.group);
    if (v.second_group != kNoGroup) gids += "|" + group_id(v.second_group);
    truth_victims_->write_row({std::string_view(pid), std::string_view(gids), std::string_view(areas_[v.id.lad].code),
                               std::string_view(v.id.move_day != kNever ? areas_[v.id.new_lad].code : ""),
                               std::string_view(v.id.female ? "F" : "M"), std::string_view(v.id.dob.str()),
                               std::string_view(std::to_string(v.age)), std::string_view(day_str(v.start)),
                               std::string_view(day_str(v.end)), std::string_view(std::to_string(v.offences.size())),
                               std::string_view(fmt::format("{:.4f}", v.z)), std::string_view(std::to_string(n_sources)),
                               std::string_view(capture_string(mask)), std::string_view(std::to_string(n_records)),
                               std::string_view(still ? "1" : "0")});
    write_persons_row(pid, "victim", v.id);
  }

  // Police suspects: each force case records some of the offenders of its victims.
  for (const auto& [pfa, fc] : cases) {
    for (const auto& [oi, imp] : fc.offenders) {
      if (!case_rng.bernoulli(c_.suspect_record_p)) continue;
      const Offender o = make_offender(oi, groups_[imp.group]);
      RecordRow row;
      row[kRecordType] = "crime";
      const std::int64_t day = std::min(study_end, fc.first_day + case_rng.between(0, 90));
      row[kEvent] = day_str(day);
      if (case_rng.bernoulli(0.5)) row[kLast] = day_str(std::min(study_end, day + case_rng.between(0, 365)));
      row[kCaseRef] = fc.op_ref.empty() ? imp.crime_ref : fc.op_ref;
      row[kOffenceCount] = std::to_string(imp.offences);
      fill_identity(row, o.id, day, false, SourceType::police, case_rng);
      write_record(SourceType::police, pfa_codes_[pfa], row, person_id('O', oi), Role::suspect);
      auto& st = offender_stats_[oi];
      st.records++;
      st.sources |= 1u << static_cast<unsigned>(SourceType::police);
    }
  }
}

void Simulator::write_offenders() {
  CsvWriter out(opt_.out_dir / "truth" / "offenders.csv",
                std::vector<std::string>{"person_id", "group_id", "lad_cd", "sex", "dob", "age_at_group_start",
                                         "n_offences", "n_victims", "n_records", "capture_history"});
  for (const auto& g : groups_) {
    for (std::uint8_t k = 0; k < g.n_offenders; ++k) {
      const std::uint64_t oi = g.offender_base + k;
      const Offender o = make_offender(oi, g);
      const auto& st = offender_stats_[oi];
      out.write_row({std::string_view(person_id('O', oi)), std::string_view(group_id(g.id)),
                     std::string_view(areas_[o.id.lad].code), std::string_view(o.id.female ? "F" : "M"),
                     std::string_view(o.id.dob.str()), std::string_view(std::to_string(o.age)),
                     std::string_view(std::to_string(st.offences)), std::string_view(std::to_string(st.victims)),
                     std::string_view(std::to_string(st.records)), std::string_view(capture_string(st.sources))});
    }
  }
  out.close();
}

void Simulator::write_groups() {
  CsvWriter out(opt_.out_dir / "truth" / "groups.csv",
                std::vector<std::string>{"group_id", "home_lad", "lads", "pfas", "n_offenders", "n_victims",
                                         "n_second_victims", "start", "end", "cross_force", "hotspot"});
  for (const auto& g : groups_) {
    std::string lads, pfas;
    std::vector<std::uint16_t> seen;
    for (std::uint8_t k = 0; k < g.n_lads; ++k) {
      if (k) lads += '|';
      lads += areas_[g.lads[k]].code;
      const auto p = pfa_of_lad_[g.lads[k]];
      if (std::find(seen.begin(), seen.end(), p) == seen.end()) {
        if (!seen.empty()) pfas += '|';
        pfas += pfa_codes_[p];
        seen.push_back(p);
      }
    }
    out.write_row({std::string_view(group_id(g.id)), std::string_view(areas_[g.lads[0]].code), std::string_view(lads),
                   std::string_view(pfas), std::string_view(std::to_string(g.n_offenders)),
                   std::string_view(std::to_string(g.n_victims)),
                   std::string_view(std::to_string(group_second_victims_[g.id])), std::string_view(day_str(g.start)),
                   std::string_view(day_str(g.end)), std::string_view(seen.size() > 1 ? "1" : "0"),
                   std::string_view(std::to_string(geo_.hotspot[g.lads[0]]))});
  }
  out.close();
}

nlohmann::ordered_json Simulator::realised_json() const {
  auto share = [](std::int64_t num, std::int64_t den) { return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0; };
  nlohmann::ordered_json r;
  r["female_share"] = share(female_, victims_);
  r["mean_age_at_start"] = victims_ ? sum_age_ / static_cast<double>(victims_) : 0.0;
  nlohmann::ordered_json ages = nlohmann::ordered_json::object();
  for (std::size_t a = 0; a < age_counts_.size(); ++a) ages[std::to_string(10 + a)] = share(age_counts_[a], victims_);
  r["age_at_start_shares"] = ages;
  r["mean_duration_days"] = victims_ ? sum_duration_ / static_cast<double>(victims_) : 0.0;
  r["share_unrecorded"] = share(victims_ - recorded_victims_, victims_);
  r["expected_share_unrecorded"] = expected_unrecorded_share(c_);
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (std::size_t t = 0; t < kTypes; ++t) by_type[std::string(kSourceTypeNames[t])] = share(victims_by_type_[t], victims_);
  r["share_recorded_by_source_type"] = by_type;
  nlohmann::ordered_json nsrc = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < n_sources_counts_.size(); ++k) nsrc[std::to_string(k)] = n_sources_counts_[k];
  r["victims_by_number_of_sources"] = nsrc;
  r["victim_records_per_recorded_victim"] = share(victim_records_, recorded_victims_);
  r["share_moved"] = share(moved_, victims_);
  r["share_second_group"] = share(second_group_, victims_);
  r["share_surname_changed"] = share(surname_changed_, victims_);
  r["share_still_involved"] = share(still_involved_, victims_);
  const auto& n = noise_;
  nlohmann::ordered_json nz;
  nz["victim_records"] = n.records;
  nz["nickname_rate"] = share(n.nickname, n.nickname_eligible);
  nz["given_typo_rate"] = share(n.given_typo, n.records);
  nz["family_typo_rate"] = share(n.family_typo, n.records);
  nz["double_surname_variant_rate"] = share(n.double_surname_variant, n.double_surname_records);
  nz["surname_change_old_rate"] = share(n.old_surname, n.after_change_records);
  nz["dob_missing_rate"] = share(n.dob_missing, n.records);
  nz["dob_partial_rate"] = share(n.dob_partial, n.records);
  nz["dob_swap_rate"] = share(n.dob_swap, n.records);
  nz["dob_day_error_rate"] = share(n.dob_day_error, n.records);
  nz["postcode_missing_rate"] = share(n.postcode_missing, n.records);
  nz["postcode_partial_rate"] = share(n.postcode_partial, n.records);
  nz["sex_missing_rate"] = share(n.sex_missing, n.records);
  nz["upper_case_rate"] = share(n.upper_case, n.records);
  r["noise_on_victim_records"] = nz;
  std::int64_t cross = 0, multi = 0, hot = 0;
  double off_sum = 0;
  for (const auto& g : groups_) {
    multi += g.n_lads > 1;
    off_sum += g.n_offenders;
    std::uint16_t first = pfa_of_lad_[g.lads[0]];
    bool cf = false;
    for (std::uint8_t k = 1; k < g.n_lads; ++k) cf = cf || pfa_of_lad_[g.lads[k]] != first;
    cross += cf;
  }
  for (auto h : geo_.hotspot) hot += h == 2;
  const auto ng = static_cast<std::int64_t>(groups_.size());
  r["mean_offenders_per_group"] = ng ? off_sum / static_cast<double>(ng) : 0.0;
  r["mean_victims_per_group"] = share(victims_, ng);
  r["share_groups_multi_area"] = share(multi, ng);
  r["share_groups_cross_force"] = share(cross, ng);
  r["hotspot_districts"] = hot;
  if (mechanisms_on(c_)) r["mechanisms"] = mechanisms_json();
  return r;
}

// The realised properties of the generating mechanisms, each beside what its setting implies.
nlohmann::ordered_json Simulator::mechanisms_json() const {
  auto share = [](std::int64_t num, std::int64_t den) { return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0; };
  const auto bit = [](SourceType t) { return 1u << static_cast<unsigned>(t); };
  // 2x2 table of two sources over all victims: {neither, a only, b only, both}.
  auto pair_table = [&](SourceType a, SourceType b) {
    std::array<std::int64_t, 4> n{};
    for (std::size_t m = 0; m < mask_counts_.size(); ++m)
      n[((m & bit(a)) ? 1 : 0) + ((m & bit(b)) ? 2 : 0)] += mask_counts_[m];
    return n;
  };
  auto odds_ratio = [&](SourceType a, SourceType b) {
    const auto n = pair_table(a, b);
    return static_cast<double>(n[0]) * static_cast<double>(n[3]) / (static_cast<double>(n[1]) * static_cast<double>(n[2]));
  };
  nlohmann::ordered_json m;
  if (c_.visibility_model == 1) {
    nlohmann::ordered_json classes;
    for (int k = 1; k <= 3; ++k) classes[std::to_string(k)] = share(class_counts_[static_cast<std::size_t>(k)], victims_);
    m["latent_class_shares"] = classes;
  }
  if (c_.visibility_model == 2) {
    const double n = static_cast<double>(victims_), mean = n > 0 ? sum_log_v_ / n : 0.0;
    m["log_visibility_mean"] = mean;
    m["log_visibility_sd"] = n > 1 ? std::sqrt(std::max(0.0, (sum_log_v2_ - n * mean * mean) / (n - 1))) : 0.0;
  }
  m["odds_ratio_children_services_police"] = odds_ratio(SourceType::children_services, SourceType::police);
  m["odds_ratio_police_health"] = odds_ratio(SourceType::police, SourceType::health);
  m["odds_ratio_children_services_charity"] = odds_ratio(SourceType::children_services, SourceType::charity);
  const auto cs_charity = pair_table(SourceType::children_services, SourceType::charity);
  m["share_of_charity_victims_known_to_children_services"] = share(cs_charity[3], cs_charity[2] + cs_charity[3]);
  m["share_unexposed_to_health"] = share(unexposed_health_, victims_);
  m["share_unexposed_to_charity"] = share(unexposed_charity_, victims_);
  m["duplicate_records"] = duplicate_records_;
  m["duplicate_rate"] = share(duplicate_records_, victim_records_ - duplicate_records_);
  return m;
}

void remove_old_output(const std::filesystem::path& out) {
  std::error_code ec;
  for (const auto& sub : {out / "agencies", out / "truth"}) {
    if (!std::filesystem::is_directory(sub, ec)) continue;
    std::vector<std::filesystem::path> stale;
    for (const auto& entry : std::filesystem::directory_iterator(sub, ec)) {
      const auto name = entry.path().filename().string();
      auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if (entry.is_regular_file() && (ends(".csv") || ends(".csv.tmp") || ends(".csv.unsorted") || name == "summary.json"))
        stale.push_back(entry.path());
    }
    for (const auto& p : stale) std::filesystem::remove(p, ec);
  }
}

SimulateSummary Simulator::run() {
  const auto t0 = std::chrono::steady_clock::now();
  validate(c_);
  if (opt_.out_dir.empty()) throw UsageError("simulate: an output folder is required (--out DIR)");
  std::error_code ec;
  std::filesystem::create_directories(opt_.out_dir / "agencies", ec);
  std::filesystem::create_directories(opt_.out_dir / "truth", ec);
  if (!std::filesystem::is_directory(opt_.out_dir / "agencies") || !std::filesystem::is_directory(opt_.out_dir / "truth"))
    throw UsageError(fmt::format("simulate: cannot create output folders under '{}'", opt_.out_dir.string()));
  remove_old_output(opt_.out_dir);

  // Fixed structure.
  geo_ = build_geography(areas_, c_, seed_);
  groups_ = build_groups(geo_, c_, seed_);
  groups_in_lad_ = groups_by_district(groups_, areas_.size());
  {
    std::map<std::string, std::uint16_t> index;
    for (const auto& a : areas_.all()) index.emplace(a.pfa_code, 0);
    for (auto& [code, i] : index) {
      i = static_cast<std::uint16_t>(pfa_codes_.size());
      pfa_codes_.push_back(code);
    }
    for (const auto& a : areas_.all()) pfa_of_lad_.push_back(index[a.pfa_code]);
  }
  {
    std::array<double, 8> w{};
    for (int a = 10; a <= 17; ++a) {
      const double d = (a - c_.age_mode) / c_.age_spread;
      w[static_cast<std::size_t>(a - 10)] = std::exp(-0.5 * d * d);
    }
    ages_ = AliasTable(w);
  }
  const std::uint64_t n_offenders = groups_.empty() ? 0 : groups_.back().offender_base + groups_.back().n_offenders;
  offender_stats_.assign(n_offenders, OffenderStats{});
  group_second_victims_.assign(groups_.size(), 0);

  const auto truth = opt_.out_dir / "truth";
  agencies_ = std::make_unique<AgencyWriters>(opt_.out_dir / "agencies", seed_);
  truth_records_ = std::make_unique<CsvWriter>(truth / "records.csv",
                                               std::vector<std::string>{"source_org", "record_id", "person_id", "role"});
  truth_victims_ = std::make_unique<CsvWriter>(
      truth / "victims.csv",
      std::vector<std::string>{"person_id", "group_ids", "lad_cd", "moved_to_lad_cd", "sex", "dob", "age_at_start",
                               "start_date", "end_date", "n_offences", "visibility", "n_sources", "capture_history",
                               "n_records", "still_involved"});
  truth_offences_ = std::make_unique<CsvWriter>(
      truth / "offences.csv", std::vector<std::string>{"offence_id", "victim_id", "offender_ids", "date", "lad_cd", "group_id"});
  truth_persons_ = std::make_unique<CsvWriter>(
      truth / "persons.csv",
      std::vector<std::string>{"person_id", "role", "given_name", "family_name", "dob", "sex", "postcode", "lad_cd",
                               "nhs_number", "upn", "pnc_id", "new_family_name", "surname_change_date", "new_postcode",
                               "new_lad_cd", "move_date", "street_name", "alias"});

  Progress progress("simulate", "groups", static_cast<std::int64_t>(groups_.size()), opt_.quiet);
  for (const auto& g : groups_) {
    process_group(g);
    progress.advance();
  }
  progress.finish();

  truth_records_->close();
  truth_victims_->close();
  truth_offences_->close();
  truth_persons_->close();
  write_offenders();
  write_groups();

  SimulateSummary summary;
  summary.seed = seed_;
  summary.groups = static_cast<std::int64_t>(groups_.size());
  summary.victims = victims_;
  summary.recorded_victims = recorded_victims_;
  summary.offenders = static_cast<std::int64_t>(n_offenders);
  for (const auto& st : offender_stats_) summary.recorded_offenders += st.records > 0;
  const nlohmann::ordered_json realised = realised_json();
  // Release the per-offender and per-group tables before sorting the agency files, so peak
  // memory is the larger of the two phases, not their sum.
  std::vector<OffenderStats>().swap(offender_stats_);
  std::vector<std::vector<std::uint32_t>>().swap(groups_in_lad_);
  std::vector<Group>().swap(groups_);
  std::vector<std::uint32_t>().swap(group_second_victims_);
  summary.files = agencies_->finish();
  summary.offences = offences_;
  summary.records = agencies_->records();
  summary.victim_records = victim_records_;
  summary.offender_records = offender_records_;
  for (std::size_t t = 0; t < kTypes; ++t) {
    summary.records_by_source_type.emplace_back(std::string(kSourceTypeNames[t]), records_by_type_[t]);
    summary.victims_by_source_type.emplace_back(std::string(kSourceTypeNames[t]), victims_by_type_[t]);
  }

  nlohmann::ordered_json js;
  js["generator"] = "joindots simulate";
  js["seed"] = seed_;
  js["config"] = config_to_json(c_);
  nlohmann::ordered_json counts;
  counts["districts"] = areas_.size();
  counts["groups"] = summary.groups;
  counts["offenders"] = summary.offenders;
  counts["recorded_offenders"] = summary.recorded_offenders;
  counts["victims"] = summary.victims;
  counts["recorded_victims"] = summary.recorded_victims;
  counts["still_involved_victims"] = still_involved_;
  counts["offences"] = summary.offences;
  counts["records"] = summary.records;
  counts["victim_records"] = summary.victim_records;
  counts["offender_records"] = summary.offender_records;
  nlohmann::ordered_json rbt = nlohmann::ordered_json::object(), vbt = nlohmann::ordered_json::object();
  for (const auto& [k, v] : summary.records_by_source_type) rbt[k] = v;
  for (const auto& [k, v] : summary.victims_by_source_type) vbt[k] = v;
  counts["records_by_source_type"] = rbt;
  counts["victims_by_source_type"] = vbt;
  counts["agency_files"] = summary.files.size();
  nlohmann::ordered_json hist = nlohmann::ordered_json::object();
  for (const auto& [k, v] : histories_) hist[k.empty() ? "none" : k] = v;
  counts["capture_histories"] = hist;
  js["counts"] = counts;
  js["realised"] = realised;
  summary.truth_summary = js;
  {
    const auto path = truth / "summary.json";
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw InternalError(fmt::format("{}: cannot create", tmp.string()));
    const std::string text = js.dump(2) + "\n";
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) throw InternalError(fmt::format("{}: write failed", tmp.string()));
    std::filesystem::rename(tmp, path);
  }
  for (const char* name : {"records.csv", "victims.csv", "offenders.csv", "offences.csv", "groups.csv", "persons.csv",
                           "summary.json"})
    summary.files.push_back(truth / name);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace

nlohmann::ordered_json SimulateSummary::to_json() const {
  nlohmann::ordered_json js;
  js["seed"] = seed;
  js["groups"] = groups;
  js["offenders"] = offenders;
  js["victims"] = victims;
  js["recorded_victims"] = recorded_victims;
  js["share_unrecorded"] = victims ? static_cast<double>(victims - recorded_victims) / static_cast<double>(victims) : 0.0;
  js["offences"] = offences;
  js["records"] = records;
  js["victim_records"] = victim_records;
  js["offender_records"] = offender_records;
  nlohmann::ordered_json rbt = nlohmann::ordered_json::object(), vbt = nlohmann::ordered_json::object();
  for (const auto& [k, v] : records_by_source_type) rbt[k] = v;
  for (const auto& [k, v] : victims_by_source_type) vbt[k] = v;
  js["records_by_source_type"] = rbt;
  js["victims_by_source_type"] = vbt;
  js["files_written"] = files.size();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : files) list.push_back(f.string());
  js["files"] = list;
  js["seconds"] = std::round(seconds * 1000) / 1000;
  return js;
}

SimulateSummary simulate(const SimConfig& config, const SimulateOptions& options, const AreaTable& areas) {
  Simulator sim(config, options, areas);
  return sim.run();
}

}  // namespace joindots::simulate
