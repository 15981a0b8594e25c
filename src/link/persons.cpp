#include "link/persons.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace joindots::link {

std::string Person::capture_history() const {
  std::string out;
  for (auto s : sources) out += (out.empty() ? "" : "|") + std::string(to_string(s));
  return out;
}

std::vector<Person> summarise_persons(const std::vector<Record>& records, const std::vector<std::uint32_t>& cluster,
                                      std::size_t clusters) {
  std::vector<std::vector<std::uint32_t>> members(clusters);
  for (std::uint32_t i = 0; i < records.size(); ++i) members[cluster[i]].push_back(i);
  std::vector<Person> persons(clusters);
  for (std::uint32_t c = 0; c < clusters; ++c) {
    Person& p = persons[c];
    p.cluster = c;
    auto& ms = members[c];
    std::sort(ms.begin(), ms.end(), [&](auto a, auto b) { return records[a].event_date < records[b].event_date; });
    p.records = static_cast<std::int64_t>(ms.size());
    if (ms.empty()) continue;
    p.role = records[ms.front()].role;
    p.first_date = records[ms.front()].event_date;
    p.last_date = p.first_date;
    std::set<SourceType> sources;
    std::map<std::string, std::pair<int, Date>> lad;  // count, first seen
    std::map<Sex, int> sex;
    std::map<std::pair<std::string, std::string>, std::int64_t> case_offences;
    std::optional<Date> dob;
    for (auto i : ms) {
      const Record& r = records[i];
      sources.insert(r.source_type);
      p.last_date = std::max({p.last_date, r.event_date, r.last_date.value_or(r.event_date)});
      if (!r.lad_cd.empty()) {
        auto [it, fresh] = lad.emplace(r.lad_cd, std::make_pair(0, r.event_date));
        ++it->second.first;
      }
      if (r.sex == Sex::F || r.sex == Sex::M || r.sex == Sex::other) ++sex[r.sex];
      if (r.dob && (!dob || r.dob->precision() > dob->precision())) dob = r.dob;
      const std::int64_t n = r.offence_count.value_or(0);
      if (r.case_ref.empty()) p.offence_count += n;
      else {
        auto& best = case_offences[{r.source_org, r.case_ref}];
        best = std::max(best, n);
      }
    }
    for (const auto& [k, n] : case_offences) p.offence_count += n;
    p.sources.assign(sources.begin(), sources.end());
    const std::pair<int, Date>* best = nullptr;
    for (const auto& [code, v] : lad)
      if (!best || v.first > best->first || (v.first == best->first && v.second < best->second)) {
        best = &v;
        p.lad_cd = code;
      }
    int best_sex = 0;
    for (const auto& [s, n] : sex)
      if (n > best_sex) best_sex = n, p.sex = s;
    p.age_band = age_band(dob, p.first_date);
  }
  return persons;
}

}  // namespace joindots::link
