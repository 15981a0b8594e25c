#include "simulate/truth_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "core/error.hpp"
#include "io/csv_reader.hpp"

namespace joindots {

namespace {

/// Calls fn(row, column indices) for every row of DIR/truth/NAME.
template <typename Fn>
void read_truth_csv(const std::filesystem::path& dir, const std::string& name,
                    const std::vector<std::string_view>& columns, Fn fn) {
  const auto path = dir / "truth" / name;
  if (!std::filesystem::exists(path))
    throw UsageError(fmt::format("--truth {}: no truth/{} there (give the folder `simulate --out` wrote)",
                                 dir.string(), name));
  CsvReader in(path);
  const auto& h = in.header();
  std::vector<std::size_t> idx;
  for (auto c : columns) {
    auto it = std::find(h.begin(), h.end(), c);
    if (it == h.end()) throw BadInputError(InputIssue{path.string(), 1, "header", fmt::format("no column '{}'", c)});
    idx.push_back(static_cast<std::size_t>(it - h.begin()));
  }
  CsvRow row;
  while (in.next(row)) fn(row.fields, idx);
}

std::vector<std::string> split_bar(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t end = std::min(s.find('|', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

SimulatedTruth read_simulated_truth(const std::filesystem::path& dir) {
  SimulatedTruth t;
  read_truth_csv(dir, "records.csv", {"source_org", "record_id", "person_id"},
                 [&](const auto& f, const auto& i) { t.person_of[{f[i[0]], f[i[1]]}] = f[i[2]]; });
  read_truth_csv(dir, "offenders.csv", {"person_id", "group_id"},
                 [&](const auto& f, const auto& i) { t.group_of_offender[f[i[0]]] = f[i[1]]; });
  std::set<std::string> lads;
  read_truth_csv(dir, "victims.csv", {"person_id", "group_ids", "lad_cd", "moved_to_lad_cd", "still_involved"},
                 [&](const auto& f, const auto& i) {
                   t.groups_of_victim[f[i[0]]] = split_bar(f[i[1]]);
                   ++t.victims;
                   lads.insert(f[i[2]]);
                   if (!f[i[3]].empty()) lads.insert(f[i[3]]);
                   t.still_involved += f[i[4]] == "1";
                 });
  t.areas = static_cast<std::int64_t>(lads.size());
  read_truth_csv(dir, "groups.csv", {"group_id", "cross_force"},
                 [&](const auto& f, const auto& i) { t.group_cross_force[f[i[0]]] = f[i[1]] == "1"; });
  read_truth_csv(dir, "offences.csv", {}, [&](const auto&, const auto&) { ++t.offences; });
  return t;
}

}  // namespace joindots
