#include "simulate/identity_noise.hpp"

#include <string>
#include <vector>

#include "core/nicknames.hpp"
#include "simulate/noise.hpp"

namespace joindots::simulate {

nlohmann::ordered_json NoiseCounters::to_json() const {
  auto share = [](std::int64_t num, std::int64_t den) {
    return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
  };
  const auto& n = *this;
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
  return nz;
}

// Given name (nickname, then typo), family name (surname change, double-barrelled
// variants, typo), other names (a nickname, an alias, a street name), and upper case.
void IdentityNoise::fill_names(RecordRow& row, const Identity& id, std::int64_t day, Rng& rng,
                               NoiseCounters* nc) const {
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
      family = v == 0   ? family.substr(0, hyphen)
               : v == 1 ? family.substr(hyphen + 1)
                        : family.substr(0, hyphen) + " " + family.substr(hyphen + 1);
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
}

void IdentityNoise::fill(RecordRow& row, const Identity& id, std::int64_t day, bool is_victim, SourceType type,
                         Rng& rng) {
  NoiseCounters* nc = is_victim ? &counters_ : nullptr;
  if (nc) ++nc->records;
  fill_names(row, id, day, rng, nc);
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

}  // namespace joindots::simulate
