#pragma once
// Hand-built linkage inputs for the tests of the linkage draws and their groups
// (linkage_draws_test.cpp, unseen_links_draws_test.cpp).
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "estimate/estimate.hpp"
#include "questions/linkage_draws.hpp"
#include "questions/linkage_subgroups.hpp"
#include "questions/persons.hpp"

namespace joindots::questions::test_inputs {

/// The headline method on a table, headline only, no bootstrap.
inline std::pair<double, estimate::Interval> headline(const estimate::CaptureTable& t) {
  estimate::EstimateOptions o;
  o.headline_only = true;
  o.bootstrap_replicates = 0;
  const auto r = estimate::estimate_all(t, o);
  return {r.estimate, r.interval};
}

/// A record of `person` on list `list` (its own source, no hard value); returns its index.
inline std::uint32_t add_record(LinkageInput& in, std::uint32_t list, std::uint32_t person) {
  in.list_of_record.push_back(list);
  in.source.push_back(list);
  in.hard_values.push_back({""});
  in.link_person.push_back(person);
  return static_cast<std::uint32_t>(in.list_of_record.size() - 1);
}

/// One person's records joined by pairs at p = 1.
inline void join_records(LinkageInput& in, const std::vector<std::uint32_t>& records) {
  for (std::size_t x = 0; x < records.size(); ++x)
    for (std::size_t y = x + 1; y < records.size(); ++y)
      in.pairs.push_back({records[x], records[y], 10.0f, 1.0f, false});
}

/// Three source types' records of `persons` children (girls at even indices, boys at odd),
/// each recorded by police, health and the NRM independently (0.5, 0.4, 0.6, seeded by
/// `rng_label`; no one on no list), with the records a person summary is made from; a
/// person's records joined by pairs at p = 1, and with `zero_pairs` pairs at p = 0 between
/// different persons.
inline LinkageInput three_sources_with_records(int persons, std::string_view rng_label, bool zero_pairs) {
  LinkageInput in;
  in.lists = {"police", "health", "nrm"};
  const SourceType types[] = {SourceType::police, SourceType::health, SourceType::nrm};
  Rng rng(20251231, rng_label);
  const Date start = *Date::parse_full("2024-01-01");
  for (int p = 0; p < persons; ++p) {
    std::vector<std::uint32_t> records;
    for (std::uint32_t j = 0; j < 3; ++j) {
      const bool recorded = rng.bernoulli(0.5 + (j == 1 ? -0.1 : j == 2 ? 0.1 : 0.0));
      if (!recorded && !(j == 2 && records.empty())) continue;  // no one is on no list
      Record rec;
      rec.source_type = types[j];
      rec.source_org = std::string(to_string(types[j]));
      rec.event_date = Date::from_days(start.days() + p);
      rec.sex = p % 2 == 0 ? Sex::F : Sex::M;
      in.records.push_back(rec);
      records.push_back(add_record(in, j, static_cast<std::uint32_t>(p)));
    }
    join_records(in, records);
  }
  const auto r = static_cast<std::uint32_t>(in.list_of_record.size());
  if (zero_pairs)
    for (std::uint32_t a = 0; a + 5 < r; a += 7) in.pairs.push_back({a, a + 5, -5.0f, 0.0f, false});
  return in;
}

/// Girls and boys as groups, each with its plain figure on the link's own persons.
inline std::vector<VictimGroup> girls_and_boys(const LinkageInput& in) {
  const auto persons = persons_of_partition(in.records, in.link_person, in.lists);
  std::vector<VictimGroup> groups;
  for (const char* sex : {"F", "M"}) {
    VictimGroup g;
    g.member = [sex = std::string(sex)](const PersonRow& p) { return p.sex == sex; };
    std::vector<const PersonRow*> members;
    for (const auto& p : persons)
      if (g.member(p)) members.push_back(&p);
    std::tie(g.estimate, g.interval) = headline(table_of(members, in.lists));
    g.refit = headline;
    groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace joindots::questions::test_inputs
