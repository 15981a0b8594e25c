#include "simulate/truth_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdio>

#include "core/error.hpp"

namespace joindots::simulate {

std::string person_id(char prefix, std::uint64_t index) { return fmt::format("{}{:07}", prefix, index + 1); }
std::string group_id(std::uint32_t g) { return fmt::format("G{:06}", g + 1); }

TruthWriter::TruthWriter(const std::filesystem::path& truth_dir, const AreaTable& areas)
    : dir_(truth_dir),
      areas_(areas),
      records_(truth_dir / "records.csv", std::vector<std::string>{"source_org", "record_id", "person_id", "role"}),
      victims_(truth_dir / "victims.csv",
               std::vector<std::string>{"person_id", "group_ids", "lad_cd", "moved_to_lad_cd", "sex", "dob",
                                        "age_at_start", "start_date", "end_date", "n_offences", "visibility",
                                        "n_sources", "capture_history", "n_records", "still_involved"}),
      offences_(truth_dir / "offences.csv",
                std::vector<std::string>{"offence_id", "victim_id", "offender_ids", "date", "lad_cd", "group_id"}),
      persons_(truth_dir / "persons.csv",
               std::vector<std::string>{"person_id", "role", "given_name", "family_name", "dob", "sex", "postcode",
                                        "lad_cd", "nhs_number", "upn", "pnc_id", "new_family_name",
                                        "surname_change_date", "new_postcode", "new_lad_cd", "move_date",
                                        "street_name", "alias"}) {}

void TruthWriter::record(std::string_view org, std::string_view record_id, std::string_view pid, Role role) {
  records_.write_row({org, record_id, pid, to_string(role)});
}

void TruthWriter::offence(std::uint64_t victim_index, std::size_t k, std::string_view pid,
                          std::string_view offender_ids, const Offence& o) {
  offences_.write_row({std::string_view(fmt::format("F{:07}-{:03}", victim_index + 1, k + 1)), pid, offender_ids,
                       std::string_view(day_str(o.day)), std::string_view(areas_[o.lad].code),
                       std::string_view(group_id(o.group))});
}

void TruthWriter::victim(std::string_view pid, const Victim& v, std::uint8_t mask, std::int64_t n_records,
                         bool still_involved) {
  std::string gids = group_id(v.group);
  if (v.second_group != kNoGroup) gids += "|" + group_id(v.second_group);
  victims_.write_row({pid, std::string_view(gids), std::string_view(areas_[v.id.lad].code),
                      std::string_view(v.id.move_day != kNever ? areas_[v.id.new_lad].code : ""),
                      std::string_view(v.id.female ? "F" : "M"), std::string_view(v.id.dob.str()),
                      std::string_view(std::to_string(v.age)), std::string_view(day_str(v.start)),
                      std::string_view(day_str(v.end)), std::string_view(std::to_string(v.offences.size())),
                      std::string_view(fmt::format("{:.4f}", v.z)),
                      std::string_view(std::to_string(std::popcount(mask))), std::string_view(capture_string(mask)),
                      std::string_view(std::to_string(n_records)), std::string_view(still_involved ? "1" : "0")});
}

void TruthWriter::person(std::string_view pid, std::string_view role, const Identity& id) {
  const bool changed = id.surname_change_day != kNever, moved = id.move_day != kNever;
  persons_.write_row({pid, role, std::string_view(id.given), std::string_view(id.family),
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

void TruthWriter::write_offenders(const std::vector<Group>& groups, const PopulationMaker& people,
                                  const std::vector<OffenderStats>& stats) const {
  CsvWriter out(dir_ / "offenders.csv",
                std::vector<std::string>{"person_id", "group_id", "lad_cd", "sex", "dob", "age_at_group_start",
                                         "n_offences", "n_victims", "n_records", "capture_history"});
  for (const auto& g : groups) {
    for (std::uint8_t k = 0; k < g.n_offenders; ++k) {
      const std::uint64_t oi = g.offender_base + k;
      const Offender o = people.offender(oi, g);
      const auto& st = stats[oi];
      out.write_row({std::string_view(person_id('O', oi)), std::string_view(group_id(g.id)),
                     std::string_view(areas_[o.id.lad].code), std::string_view(o.id.female ? "F" : "M"),
                     std::string_view(o.id.dob.str()), std::string_view(std::to_string(o.age)),
                     std::string_view(std::to_string(st.offences)), std::string_view(std::to_string(st.victims)),
                     std::string_view(std::to_string(st.records)), std::string_view(capture_string(st.sources))});
    }
  }
  out.close();
}

void TruthWriter::write_groups(const std::vector<Group>& groups, const ForceIndex& forces,
                               const std::vector<std::uint32_t>& second_victims, const Geography& geo) const {
  CsvWriter out(dir_ / "groups.csv",
                std::vector<std::string>{"group_id", "home_lad", "lads", "pfas", "n_offenders", "n_victims",
                                         "n_second_victims", "start", "end", "cross_force", "hotspot"});
  for (const auto& g : groups) {
    std::string lads, pfas;
    std::vector<std::uint16_t> seen;
    for (std::uint8_t k = 0; k < g.n_lads; ++k) {
      if (k) lads += '|';
      lads += areas_[g.lads[k]].code;
      const auto p = forces.of_lad[g.lads[k]];
      if (std::find(seen.begin(), seen.end(), p) == seen.end()) {
        if (!seen.empty()) pfas += '|';
        pfas += forces.codes[p];
        seen.push_back(p);
      }
    }
    out.write_row({std::string_view(group_id(g.id)), std::string_view(areas_[g.lads[0]].code), std::string_view(lads),
                   std::string_view(pfas), std::string_view(std::to_string(g.n_offenders)),
                   std::string_view(std::to_string(g.n_victims)),
                   std::string_view(std::to_string(second_victims[g.id])), std::string_view(day_str(g.start)),
                   std::string_view(day_str(g.end)), std::string_view(seen.size() > 1 ? "1" : "0"),
                   std::string_view(std::to_string(geo.hotspot[g.lads[0]]))});
  }
  out.close();
}

void TruthWriter::close() {
  records_.close();
  victims_.close();
  offences_.close();
  persons_.close();
}

void TruthWriter::write_summary(const nlohmann::ordered_json& summary) const {
  const auto path = dir_ / "summary.json";
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw InternalError(fmt::format("{}: cannot create", tmp.string()));
  const std::string text = summary.dump(2) + "\n";
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw InternalError(fmt::format("{}: write failed", tmp.string()));
  std::filesystem::rename(tmp, path);
}

std::vector<std::filesystem::path> TruthWriter::files() const {
  std::vector<std::filesystem::path> out;
  for (const char* name : {"records.csv", "victims.csv", "offenders.csv", "offences.csv", "groups.csv", "persons.csv",
                           "summary.json"})
    out.push_back(dir_ / name);
  return out;
}

}  // namespace joindots::simulate
