#include "simulate/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "simulate/agency_writer.hpp"
#include "simulate/identity_noise.hpp"
#include "simulate/population.hpp"
#include "simulate/recording.hpp"
#include "simulate/synthetic_ids.hpp"
#include "simulate/tally.hpp"
#include "simulate/truth_writer.hpp"
#include "simulate/world.hpp"

namespace joindots::simulate {

namespace {

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

/// The mean number of further records a source makes of a victim it records.
double repeat_mean(const SimConfig& c, SimSource s) {
  return s == SimSource::police              ? c.police_repeat_mean
         : s == SimSource::children_services ? c.children_services_repeat_mean
         : s == SimSource::health            ? c.health_repeat_mean
         : s == SimSource::nrm               ? c.nrm_repeat_mean
                                             : c.charity_repeat_mean;
}

/// One police force's case about a group: an operation reference shared by every record
/// (when the force runs an operation), the day of its first record, and the offenders its
/// victims' offences implicate.
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

/// The force cases of one group, opened as the group's victims reach each force, drawn from
/// the group's own stream Rng(seed, "cases", group).
class GroupCases {
 public:
  GroupCases(const SimConfig& c, std::uint64_t seed, const Group& g)
      : c_(c), seed_(seed), group_(g.id), rng_(seed, "cases", g.id) {}

  ForceCase& of_force(std::uint16_t pfa) {
    auto it = cases_.find(pfa);
    if (it != cases_.end()) return it->second;
    ForceCase fc;
    if (rng_.bernoulli(c_.operation_share)) {
      fc.op_ref = scrambled_record_id("OP", static_cast<std::uint64_t>(group_) * 64 + pfa, seed_ ^ 0x6f70ULL);
    }
    return cases_.emplace(pfa, std::move(fc)).first->second;
  }
  const std::map<std::uint16_t, ForceCase>& all() const { return cases_; }
  Rng& rng() { return rng_; }

 private:
  const SimConfig& c_;
  std::uint64_t seed_;
  std::uint32_t group_;
  Rng rng_;
  std::map<std::uint16_t, ForceCase> cases_;
};

/// What a victim's records add up to as they are written.
struct VictimRecording {
  std::uint8_t mask = 0;  // SourceType bits of the sources that recorded the child
  std::int64_t n_records = 0;
  std::string first_cs_org;  // children's services' first record: where associates are noted
  std::int64_t first_cs_day = kNever;
  std::map<std::uint16_t, std::string> crime_refs;  // per force, outside operations
};

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
      if (entry.is_regular_file() &&
          (ends(".csv") || ends(".csv.tmp") || ends(".csv.unsorted") || name == "summary.json"))
        stale.push_back(entry.path());
    }
    for (const auto& p : stale) std::filesystem::remove(p, ec);
  }
}

class Simulator {
 public:
  Simulator(const SimConfig& config, const SimulateOptions& options, const AreaTable& areas)
      : c_(config), opt_(options), areas_(areas), seed_(options.seed), noise_(config, areas) {}

  SimulateSummary run();

 private:
  void prepare_output() const;
  void build_structure();
  void process_group(const Group& g);
  void process_victim(const Group& g, std::uint64_t index, GroupCases& cases);
  std::set<std::uint64_t> write_offences(const Victim& v, const std::string& pid);
  VictimRecording write_victim_records(const Victim& v, const std::string& pid, Rng& rng, GroupCases& cases);
  std::int64_t police_event(const Victim& v, Rng& rng, GroupCases& cases, VictimRecording& rec, RecordRow& row,
                            std::string& org);
  std::int64_t agency_event(SimSource sim, const Victim& v, Rng& rng, VictimRecording& rec, RecordRow& row,
                            std::string& org) const;
  void write_cs_associates(const std::set<std::uint64_t>& offenders, const VictimRecording& rec, Rng& rng);
  void write_police_suspects(GroupCases& cases);
  void write_record(SourceType type, const std::string& org, RecordRow& row, const std::string& pid, Role role);
  SimulateSummary summarise(std::chrono::steady_clock::time_point t0);
  nlohmann::ordered_json truth_summary(const SimulateSummary& summary, nlohmann::ordered_json realised) const;

  const SimConfig& c_;
  const SimulateOptions& opt_;
  const AreaTable& areas_;
  std::uint64_t seed_;
  Geography geo_;
  std::vector<Group> groups_;
  std::vector<std::vector<std::uint32_t>> groups_in_lad_;
  ForceIndex forces_;
  std::unique_ptr<PopulationMaker> people_;
  IdentityNoise noise_;

  std::unique_ptr<AgencyWriters> agencies_;
  std::unique_ptr<TruthWriter> truth_;
  std::vector<OffenderStats> offender_stats_;
  std::vector<std::uint32_t> group_second_victims_;
  Tally tally_;
};

void Simulator::write_record(SourceType type, const std::string& org, RecordRow& row, const std::string& pid,
                             Role role) {
  row[kRole] = std::string(to_string(role));
  const std::string& rid = agencies_->write(type, org, row);
  truth_->record(org, rid, pid, role);
  ++tally_.records_by_type[static_cast<std::size_t>(type)];
  if (role == Role::victim)
    ++tally_.victim_records;
  else
    ++tally_.offender_records;
}

void Simulator::process_group(const Group& g) {
  // Offenders of this group: truth identities.
  for (std::uint8_t k = 0; k < g.n_offenders; ++k) {
    const Offender o = people_->offender(g.offender_base + k, g);
    truth_->person(person_id('O', o.index), "offender", o.id);
  }
  GroupCases cases(c_, seed_, g);
  for (std::uint32_t vi = 0; vi < g.n_victims; ++vi) process_victim(g, g.victim_base + vi, cases);
  write_police_suspects(cases);
}

void Simulator::process_victim(const Group& g, std::uint64_t index, GroupCases& cases) {
  Rng rng(seed_, "victim", index);
  const Victim v = people_->victim(index, g, rng);
  const std::string pid = person_id('V', index);
  tally_.count_victim(v);
  if (v.second_group != kNoGroup) ++group_second_victims_[v.second_group];
  const std::set<std::uint64_t> victim_offenders = write_offences(v, pid);
  const VictimRecording rec = write_victim_records(v, pid, rng, cases);
  write_cs_associates(victim_offenders, rec, rng);
  tally_.count_capture(rec.mask);
  const bool still = age_on(v.id.dob, c_.reference_date) < 18 && v.end >= c_.reference_date.days() - 365;
  tally_.still_involved += still;
  truth_->victim(pid, v, rec.mask, rec.n_records, still);
  truth_->person(pid, "victim", v.id);
}

// The truth of the victim's offences, and each offender's counts; returns the offenders.
std::set<std::uint64_t> Simulator::write_offences(const Victim& v, const std::string& pid) {
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
    truth_->offence(v.index, k, pid, ids, o);
  }
  for (auto o : victim_offenders) offender_stats_[o].victims++;
  return victim_offenders;
}

// Which sources record the child, and their records (each with its identifiers noised).
VictimRecording Simulator::write_victim_records(const Victim& v, const std::string& pid, Rng& rng,
                                                GroupCases& cases) {
  const std::int64_t study_end = c_.study_end.days();
  const auto exposure = coverage_exposure(c_, v.start, v.end);
  const auto in = draw_sources(c_, v.z, rng, exposure);
  tally_.unexposed_health += exposure[static_cast<std::size_t>(SimSource::health)] == 0;
  tally_.unexposed_charity += exposure[static_cast<std::size_t>(SimSource::charity)] == 0;
  // Within-source duplicates draw from their own stream, so the rest never shifts.
  std::optional<Rng> duplicate_rng;
  if (c_.duplicate_rate > 0) duplicate_rng.emplace(seed_, "duplicate", v.index);
  VictimRecording rec;
  for (std::size_t s = 0; s < kSimSources; ++s) {
    if (!in[s]) continue;
    const auto sim = static_cast<SimSource>(s);
    const SourceType type = to_source_type(sim);
    const auto t = static_cast<std::size_t>(type);
    rec.mask |= static_cast<std::uint8_t>(1u << t);
    ++tally_.victims_by_type[t];
    const auto n = 1 + rng.poisson(repeat_mean(c_, sim));
    for (std::int64_t r = 0; r < n; ++r) {
      RecordRow row;
      std::string org;
      const std::int64_t day = sim == SimSource::police ? police_event(v, rng, cases, rec, row, org)
                                                        : agency_event(sim, v, rng, rec, row, org);
      row[kEvent] = day_str(day);
      if (rng.bernoulli(0.6)) {
        const auto last = std::min(study_end, day + static_cast<std::int64_t>(rng.exponential(1.0 / 60.0)));
        row[kLast] = day_str(std::max(last, day));
      }
      std::optional<RecordRow> duplicate;
      if (duplicate_rng && duplicate_rng->bernoulli(c_.duplicate_rate)) duplicate = row;
      noise_.fill(row, v.id, day, true, type, rng);
      write_record(type, org, row, pid, Role::victim);
      ++rec.n_records;
      if (duplicate) {  // the same event entered again, its identifiers noised anew
        noise_.fill(*duplicate, v.id, day, true, type, *duplicate_rng);
        write_record(type, org, *duplicate, pid, Role::victim);
        ++rec.n_records;
        ++tally_.duplicate_records;
      }
    }
  }
  return rec;
}

// A police record of one of the victim's offences, under the force case (or a crime
// reference) of the force where it happened; returns the record's day.
std::int64_t Simulator::police_event(const Victim& v, Rng& rng, GroupCases& cases, VictimRecording& rec,
                                     RecordRow& row, std::string& org) {
  const Offence& o = v.offences[rng.below(v.offences.size())];
  const std::int64_t day =
      std::min(c_.study_end.days(), o.day + static_cast<std::int64_t>(rng.exponential(1.0 / 30.0)));
  const std::uint16_t pfa = forces_.of_lad[o.lad];
  org = forces_.codes[pfa];
  row[kRecordType] = "crime";
  ForceCase& fc = cases.of_force(pfa);
  fc.first_day = std::min(fc.first_day, day);
  std::string ref = fc.op_ref;
  if (ref.empty()) {
    auto it = rec.crime_refs.find(pfa);
    if (it == rec.crime_refs.end()) {
      std::string cr = rng.bernoulli(c_.crime_ref_share)
                           ? scrambled_record_id("CR", v.index * 64 + pfa, seed_ ^ 0x6372ULL)
                           : std::string();
      it = rec.crime_refs.emplace(pfa, std::move(cr)).first;
    }
    ref = it->second;
  }
  row[kCaseRef] = ref;
  std::int64_t in_force = 0;
  for (const auto& off : v.offences) {
    if (forces_.of_lad[off.lad] != pfa) continue;
    ++in_force;
    for (std::uint8_t j = 0; j < off.n; ++j) {
      auto& imp = fc.offenders[off.offenders[j]];
      imp.group = off.group;
      imp.offences++;
      if (imp.crime_ref.empty()) imp.crime_ref = ref;
    }
  }
  row[kOffenceCount] = std::to_string(1 + rng.binomial(std::max<std::int64_t>(0, in_force - 1), 0.5));
  return day;
}

// A record by children's services, health, the NRM or a charity, on a day within the
// child's exploitation (and the source's own period in an open population); returns the day.
std::int64_t Simulator::agency_event(SimSource sim, const Victim& v, Rng& rng, VictimRecording& rec, RecordRow& row,
                                     std::string& org) const {
  std::int64_t first = v.start, last = std::min(v.end, c_.study_end.days());
  if (c_.list_period_share < 1) {  // open population: the source's own period
    const auto [cover_first, cover_last] = coverage_period(c_, sim);
    first = std::max(first, cover_first);
    last = std::max(first, std::min(last, cover_last));
  }
  const std::int64_t day = rng.between(first, last);
  const std::uint16_t lad = v.id.lad_on(day);
  switch (sim) {
    case SimSource::children_services:
      org = areas_[lad].code;
      row[kRecordType] = rng.bernoulli(0.6) ? "assessment" : "referral";
      if (day < rec.first_cs_day) {
        rec.first_cs_day = day;
        rec.first_cs_org = org;
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
  return day;
}

// Children's services sometimes record the child's abusers (often only a street name).
void Simulator::write_cs_associates(const std::set<std::uint64_t>& offenders, const VictimRecording& rec, Rng& rng) {
  if (rec.first_cs_org.empty()) return;
  for (auto oi : offenders) {
    if (!rng.bernoulli(c_.cs_associate_p)) continue;
    const Offender o = people_->offender(oi);
    RecordRow row;
    row[kRecordType] = "referral";
    row[kEvent] = day_str(rec.first_cs_day);
    noise_.fill(row, o.id, rec.first_cs_day, false, SourceType::children_services, rng);
    if (!o.id.street_name.empty() && rng.bernoulli(c_.suspect_street_name_only_rate)) {
      row[kGiven].clear();
      row[kFamily].clear();
      row[kDob].clear();
      row[kOther] = o.id.street_name;
    }
    write_record(SourceType::children_services, rec.first_cs_org, row, person_id('O', oi),
                 rng.bernoulli(0.7) ? Role::associate : Role::suspect);
    auto& st = offender_stats_[oi];
    st.records++;
    st.sources |= 1u << static_cast<unsigned>(SourceType::children_services);
  }
}

// Police suspects: each force case records some of the offenders of its victims.
void Simulator::write_police_suspects(GroupCases& cases) {
  const std::int64_t study_end = c_.study_end.days();
  Rng& case_rng = cases.rng();
  for (const auto& [pfa, fc] : cases.all()) {
    for (const auto& [oi, imp] : fc.offenders) {
      if (!case_rng.bernoulli(c_.suspect_record_p)) continue;
      const Offender o = people_->offender(oi, groups_[imp.group]);
      RecordRow row;
      row[kRecordType] = "crime";
      const std::int64_t day = std::min(study_end, fc.first_day + case_rng.between(0, 90));
      row[kEvent] = day_str(day);
      if (case_rng.bernoulli(0.5)) row[kLast] = day_str(std::min(study_end, day + case_rng.between(0, 365)));
      row[kCaseRef] = fc.op_ref.empty() ? imp.crime_ref : fc.op_ref;
      row[kOffenceCount] = std::to_string(imp.offences);
      noise_.fill(row, o.id, day, false, SourceType::police, case_rng);
      write_record(SourceType::police, forces_.codes[pfa], row, person_id('O', oi), Role::suspect);
      auto& st = offender_stats_[oi];
      st.records++;
      st.sources |= 1u << static_cast<unsigned>(SourceType::police);
    }
  }
}

void Simulator::prepare_output() const {
  if (opt_.out_dir.empty()) throw UsageError("simulate: an output folder is required (--out DIR)");
  std::error_code ec;
  std::filesystem::create_directories(opt_.out_dir / "agencies", ec);
  std::filesystem::create_directories(opt_.out_dir / "truth", ec);
  if (!std::filesystem::is_directory(opt_.out_dir / "agencies") ||
      !std::filesystem::is_directory(opt_.out_dir / "truth"))
    throw UsageError(fmt::format("simulate: cannot create output folders under '{}'", opt_.out_dir.string()));
  remove_old_output(opt_.out_dir);
}

// The fixed structure: geography, groups, forces; the per-offender and per-group counters.
void Simulator::build_structure() {
  geo_ = build_geography(areas_, c_, seed_);
  groups_ = build_groups(geo_, c_, seed_);
  groups_in_lad_ = groups_by_district(groups_, areas_.size());
  forces_ = build_force_index(areas_);
  people_ = std::make_unique<PopulationMaker>(c_, seed_, geo_, groups_, groups_in_lad_);
  const std::uint64_t n_offenders = groups_.empty() ? 0 : groups_.back().offender_base + groups_.back().n_offenders;
  offender_stats_.assign(n_offenders, OffenderStats{});
  group_second_victims_.assign(groups_.size(), 0);
}

SimulateSummary Simulator::run() {
  const auto t0 = std::chrono::steady_clock::now();
  validate(c_);
  prepare_output();
  build_structure();
  agencies_ = std::make_unique<AgencyWriters>(opt_.out_dir / "agencies", seed_);
  truth_ = std::make_unique<TruthWriter>(opt_.out_dir / "truth", areas_);

  Progress progress("simulate", "groups", static_cast<std::int64_t>(groups_.size()), opt_.quiet);
  for (const auto& g : groups_) {
    process_group(g);
    progress.advance();
  }
  progress.finish();

  truth_->close();
  truth_->write_offenders(groups_, *people_, offender_stats_);
  truth_->write_groups(groups_, forces_, group_second_victims_, geo_);
  return summarise(t0);
}

SimulateSummary Simulator::summarise(std::chrono::steady_clock::time_point t0) {
  SimulateSummary summary;
  summary.seed = seed_;
  summary.groups = static_cast<std::int64_t>(groups_.size());
  summary.victims = tally_.victims;
  summary.recorded_victims = tally_.recorded_victims;
  summary.offenders = static_cast<std::int64_t>(offender_stats_.size());
  for (const auto& st : offender_stats_) summary.recorded_offenders += st.records > 0;
  nlohmann::ordered_json realised = tally_.realised_json(c_, noise_.counters(), groups_, geo_, forces_);
  // Release the per-offender and per-group tables before sorting the agency files, so peak
  // memory is the larger of the two phases, not their sum.
  people_.reset();
  std::vector<OffenderStats>().swap(offender_stats_);
  std::vector<std::vector<std::uint32_t>>().swap(groups_in_lad_);
  std::vector<Group>().swap(groups_);
  std::vector<std::uint32_t>().swap(group_second_victims_);
  summary.files = agencies_->finish();
  summary.offences = tally_.offences;
  summary.records = agencies_->records();
  summary.victim_records = tally_.victim_records;
  summary.offender_records = tally_.offender_records;
  for (std::size_t t = 0; t < kTypes; ++t) {
    summary.records_by_source_type.emplace_back(std::string(kSourceTypeNames[t]), tally_.records_by_type[t]);
    summary.victims_by_source_type.emplace_back(std::string(kSourceTypeNames[t]), tally_.victims_by_type[t]);
  }
  summary.truth_summary = truth_summary(summary, std::move(realised));
  truth_->write_summary(summary.truth_summary);
  for (auto& f : truth_->files()) summary.files.push_back(std::move(f));
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

// The contents of truth/summary.json: config echo, counts and realised rates.
nlohmann::ordered_json Simulator::truth_summary(const SimulateSummary& summary, nlohmann::ordered_json realised) const {
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
  counts["still_involved_victims"] = tally_.still_involved;
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
  for (const auto& [k, v] : tally_.histories) hist[k.empty() ? "none" : k] = v;
  counts["capture_histories"] = hist;
  js["counts"] = counts;
  js["realised"] = std::move(realised);
  return js;
}

}  // namespace

nlohmann::ordered_json SimulateSummary::to_json() const {
  nlohmann::ordered_json js;
  js["seed"] = seed;
  js["groups"] = groups;
  js["offenders"] = offenders;
  js["victims"] = victims;
  js["recorded_victims"] = recorded_victims;
  js["share_unrecorded"] =
      victims ? static_cast<double>(victims - recorded_victims) / static_cast<double>(victims) : 0.0;
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
