#include "questions/persons.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "link/persons.hpp"

namespace joindots::questions {

namespace {

std::uint32_t list_bit(const std::vector<std::string>& lists, std::string_view name) {
  const auto it = std::find(lists.begin(), lists.end(), name);
  if (it == lists.end()) throw InternalError(fmt::format("persons: source type {} is not a list of the table", name));
  return 1u << (it - lists.begin());
}

// Why a link run of fewer than two source types cannot be estimated from, and what to do:
// which source types hold victims in the run and in the store, and the step that adds one.
std::string too_few_sources(Store& store, std::int64_t run_id, const LinkedPersons& linked) {
  std::vector<std::string> held, others;
  std::set<std::string> held_types;
  for (const auto& c : store.field_completeness(Role::victim))
    if (c.records > 0) {
      held.push_back(fmt::format("{} ({} records)", c.source_type, c.records));
      held_types.insert(c.source_type);
    }
  for (const auto t : kSourceTypeNames)
    if (!held_types.contains(std::string(t))) others.emplace_back(t);
  const std::string in_run =
      linked.lists.empty()
          ? fmt::format("the latest link run of victims (run {}) has no victims", run_id)
          : fmt::format("every victim of the latest link run (run {}, {} persons) was recorded by {} alone", run_id,
                        linked.persons.size(), linked.lists.front());
  const std::string in_store =
      held.empty() ? "the store holds no victim records"
                   : fmt::format("the store holds victim records from {}", fmt::join(held, ", "));
  const std::string next =
      held.size() >= 2 ? "the store holds more source types than the link run saw: run `joindots link --db ...` "
                         "again, then estimate"
                       : fmt::format("ingest the victims' file of an agency of another source type ({}; a second "
                                     "agency of the same type adds to the same list) with `joindots ingest --db ... "
                                     "FILE`, run `joindots link --db ...`, then estimate",
                                     fmt::join(others, ", "));
  return fmt::format("estimation needs at least two sources: capture-recapture counts the victims no source "
                     "recorded from how the sources' lists of victims overlap, so it needs victims recorded by at "
                     "least two source types (lists); {}; {}. To estimate, {}",
                     in_run, in_store, next);
}

}  // namespace

LinkedPersons read_linked_persons(Store& store, std::int64_t run_id, Role role) {
  LinkedPersons out;
  std::set<SourceType> seen_lists;
  std::vector<std::vector<SourceType>> sources_of;
  store.for_each_linked_person(run_id, role, [&](const LinkedPerson& lp, const std::optional<Date>& dob) {
    PersonRow p;
    p.lad_cd = lp.lad_cd;
    p.age_band = lp.age_band;
    p.sex = std::string(to_string(lp.sex));
    p.first_date = lp.first_date;
    p.last_date = lp.last_date;
    p.dob = dob;
    p.offences = lp.offence_count;
    seen_lists.insert(lp.capture_history.begin(), lp.capture_history.end());
    sources_of.push_back(lp.capture_history);
    out.persons.push_back(std::move(p));
  });
  for (const auto s : seen_lists) out.lists.emplace_back(to_string(s));  // in the schema's order
  if (out.lists.size() < 2) throw UsageError(too_few_sources(store, run_id, out));
  for (std::size_t i = 0; i < out.persons.size(); ++i)
    for (const auto s : sources_of[i]) out.persons[i].pattern |= list_bit(out.lists, to_string(s));
  return out;
}

std::vector<PersonRow> persons_of_partition(const std::vector<Record>& records,
                                            const std::vector<std::uint32_t>& cluster,
                                            const std::vector<std::string>& lists) {
  if (records.size() != cluster.size())
    throw InternalError(fmt::format("persons: {} records against a partition of {}", records.size(), cluster.size()));
  std::uint32_t clusters = 0;
  for (auto c : cluster) clusters = std::max(clusters, c + 1);
  const auto summaries = link::summarise_persons(records, cluster, clusters);
  // The store's date of birth of a linked person: its records' most precise, then most
  // frequent, then first in text order (SqliteStore::for_each_linked_person).
  std::vector<std::map<std::string, int>> dobs(clusters);
  for (std::size_t i = 0; i < records.size(); ++i)
    if (records[i].dob) ++dobs[cluster[i]][records[i].dob->str()];
  std::vector<PersonRow> out;
  out.reserve(clusters);
  for (std::uint32_t c = 0; c < clusters; ++c) {
    const auto& s = summaries[c];
    if (s.records == 0) continue;  // an id no record took
    PersonRow p;
    for (auto source : s.sources) p.pattern |= list_bit(lists, to_string(source));
    p.lad_cd = s.lad_cd;
    p.age_band = s.age_band;
    p.sex = std::string(to_string(s.sex));
    p.first_date = s.first_date;
    p.last_date = s.last_date;
    p.offences = s.offence_count;
    const std::pair<const std::string, int>* best = nullptr;
    for (const auto& entry : dobs[c])  // text order: the first of equals wins
      if (!best || entry.first.size() > best->first.size() ||
          (entry.first.size() == best->first.size() && entry.second > best->second))
        best = &entry;
    if (best) p.dob = Date::parse(best->first);
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<double> age_on_date(const PersonRow& p, const Date& on) {
  if (p.dob) {
    Date mid = *p.dob;
    if (!mid.month) mid.month = 7, mid.day = 1;
    if (!mid.day) mid.day = 15;
    return age_on(mid, on);
  }
  static const std::map<std::string, double> kMidpoint = {
      {"0-9", 5.0}, {"10-12", 11.5}, {"13-15", 14.5}, {"16-17", 17.0}, {"18+", 30.0}};
  auto it = kMidpoint.find(p.age_band);
  if (it == kMidpoint.end()) return std::nullopt;
  return it->second + static_cast<double>(on.days() - p.first_date.days()) / 365.2425;
}

Involvement still_involved(const PersonRow& p, const Date& reference) {
  const std::int64_t ref = reference.days();
  if (p.last_date.days() < ref - 365 || p.last_date.days() > ref) return Involvement::no;
  const auto age = age_on_date(p, reference);
  if (!age) return Involvement::age_unknown;
  return *age < 18 ? Involvement::yes : Involvement::no;
}

estimate::CaptureTable table_of(const std::vector<const PersonRow*>& persons, const std::vector<std::string>& lists) {
  std::vector<std::int64_t> counts(std::size_t{1} << lists.size(), 0);
  for (const auto* p : persons) ++counts[p->pattern];
  return estimate::CaptureTable::from_counts(lists, std::move(counts));
}

std::string stratum_of(const PersonRow& p, const std::string& dim, const AreaTable& areas) {
  if (dim == "region" || dim == "pfa") {
    const Area* a = p.lad_cd.empty() ? nullptr : areas.find(p.lad_cd);
    if (!a) return "";
    return dim == "region" ? a->region_name : a->pfa_name;
  }
  if (dim == "year") return std::to_string(p.first_date.year);
  if (dim == "age_band") return p.age_band == "unknown" ? "" : p.age_band;
  return p.sex == "unknown" ? "" : p.sex;
}

}  // namespace joindots::questions
