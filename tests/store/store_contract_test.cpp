// The Store contract, run for every backend of store_backends(): every method of
// store/store.hpp, all-or-nothing writes, and readers on other connections while a writer
// writes. Only the interface is used here, so a second store passes or fails on the same
// terms as the first.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/limits.hpp"
#include "store/store_contract.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::StoreBackendFactory;

class StoreContract : public testing::StoreContractTest {
 protected:
  /// A district of the reference table (the store checks lad_cd against its areas).
  static std::string lad(std::size_t i) { return testing::test_areas().all().at(i).code; }

  /// A record with every field set; `i` makes its id, names and dates differ.
  static Record record(int i, Role role = Role::victim, SourceType type = SourceType::police) {
    Record r;
    r.record_id = "R" + std::to_string(i);
    r.source_type = type;
    r.source_org = type == SourceType::police ? "E23000013" : "RX1";
    r.role = role;
    r.record_type = RecordType::referral;
    r.event_date = Date{2021, 1 + i % 12, 1 + i % 28};
    r.last_date = Date{2022, 1 + i % 12, 2};
    r.case_ref = "OP-" + std::to_string(i % 3);
    r.offence_count = i % 4;
    r.lad_cd = lad(static_cast<std::size_t>(i % 3));
    r.given_name = "Given" + std::to_string(i);
    r.family_name = "O'Family";
    r.other_names = "Alias|Nick";
    r.dob = Date{2008, 5, 0};
    r.sex = i % 2 ? Sex::M : Sex::F;
    r.postcode = "TS24 7QS";
    r.nhs_number = "9434765919";
    r.upn = "A123";
    r.pnc_id = "21/123456A";
    r.attrs = {{"disability", "yes"}, {"care", "no, \"never\""}};
    r.line = i + 2;
    return r;
  }

  /// Ingests `records` as one file; returns the stored file.
  static FileInfo ingest(Store& store, const std::string& sha, const std::vector<Record>& records) {
    FileInfo existing;
    auto batch = store.begin_ingest("/data/" + sha + ".csv", sha, 1000 + static_cast<std::int64_t>(records.size()),
                                    existing);
    EXPECT_TRUE(batch) << "file " << sha << " already stored";
    if (!batch) return existing;
    EXPECT_EQ(batch->set_mode(false), "");
    for (const auto& r : records) EXPECT_FALSE(batch->add(r)) << r.record_id;
    return batch->commit(static_cast<std::int64_t>(records.size()));
  }

  static std::vector<StoredRecord> all_records(Store& store, std::optional<Role> role = std::nullopt) {
    std::vector<StoredRecord> out;
    store.for_each_record(role, [&](const StoredRecord& r) { out.push_back(r); });
    return out;
  }

};

void expect_same_record(const Record& got, const Record& want) {
  EXPECT_EQ(got.record_id, want.record_id);
  EXPECT_EQ(got.source_type, want.source_type);
  EXPECT_EQ(got.source_org, want.source_org);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.record_type, want.record_type);
  EXPECT_EQ(got.event_date, want.event_date);
  EXPECT_EQ(got.last_date, want.last_date);
  EXPECT_EQ(got.case_ref, want.case_ref);
  EXPECT_EQ(got.offence_count, want.offence_count);
  EXPECT_EQ(got.lad_cd, want.lad_cd);
  EXPECT_EQ(got.given_name, want.given_name);
  EXPECT_EQ(got.family_name, want.family_name);
  EXPECT_EQ(got.other_names, want.other_names);
  EXPECT_EQ(got.dob, want.dob);
  EXPECT_EQ(got.sex, want.sex);
  EXPECT_EQ(got.postcode, want.postcode);
  EXPECT_EQ(got.nhs_number, want.nhs_number);
  EXPECT_EQ(got.upn, want.upn);
  EXPECT_EQ(got.pnc_id, want.pnc_id);
  auto sorted = [](auto attrs) {
    std::sort(attrs.begin(), attrs.end());
    return attrs;
  };
  EXPECT_EQ(sorted(got.attrs), sorted(want.attrs));
  EXPECT_EQ(got.line, want.line);
}

}  // namespace

TEST_P(StoreContract, ANewStoreIsEmptyAtItsSchemaVersionAndLoadsAreasOnce) {
  EXPECT_GT(store_->schema_version(), 0);
  auto s = store_->summary();
  EXPECT_EQ(s.schema_version, store_->schema_version());
  EXPECT_EQ(s.files, 0);
  EXPECT_EQ(s.records, 0);
  EXPECT_EQ(s.runs, 0);
  EXPECT_EQ(s.areas, static_cast<std::int64_t>(testing::test_areas().all().size()));
  store_->ensure_areas(testing::test_areas());
  EXPECT_EQ(store_->summary().areas, s.areas);
  EXPECT_TRUE(store_->files().empty());
  EXPECT_FALSE(store_->encoding());
  EXPECT_FALSE(store_->latest_link_run(Role::victim));
  EXPECT_FALSE(store_->latest_network_run());
  EXPECT_FALSE(store_->latest_run_summary("estimate"));
}

TEST_P(StoreContract, AFileIsStoredWholeAndEveryFieldOfItsRecordsComesBack) {
  std::vector<Record> records;
  for (int i = 0; i < 5; ++i) records.push_back(record(i, i < 3 ? Role::victim : Role::suspect));
  records[1].last_date.reset();
  records[1].offence_count.reset();
  records[1].dob = Date{2007, 0, 0};
  records[1].lad_cd.clear();
  records[1].attrs.clear();
  records[1].sex = Sex::unknown;
  records[2].dob.reset();
  records[2].given_name.clear();
  const FileInfo info = ingest(*store_, "aa11", records);
  EXPECT_GT(info.file_id, 0);
  EXPECT_EQ(info.path, "/data/aa11.csv");
  EXPECT_EQ(info.sha256, "aa11");
  EXPECT_EQ(info.bytes, 1005);
  EXPECT_EQ(info.rows, 5);
  EXPECT_EQ(info.ingested_at.size(), 20u);  // 2026-12-02T12:00:00Z
  ASSERT_EQ(store_->files().size(), 1u);
  EXPECT_EQ(store_->files()[0].sha256, "aa11");
  ASSERT_TRUE(store_->find_file("aa11"));
  EXPECT_EQ(store_->find_file("aa11")->file_id, info.file_id);
  EXPECT_FALSE(store_->find_file("bb22"));

  const auto stored = all_records(*store_);
  ASSERT_EQ(stored.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(stored[i].file_id, info.file_id);
    if (i) EXPECT_GT(stored[i].record_pk, stored[i - 1].record_pk);  // record_pk order
    expect_same_record(stored[i].record, records[i]);
  }
  EXPECT_EQ(all_records(*store_, Role::victim).size(), 3u);
  EXPECT_EQ(all_records(*store_, Role::suspect).size(), 2u);
  EXPECT_TRUE(all_records(*store_, Role::associate).empty());
}

TEST_P(StoreContract, AFileNotCommittedLeavesNothingAndTheSameFileAgainIsRecognised) {
  {
    FileInfo existing;
    auto batch = store_->begin_ingest("/data/x.csv", "cc33", 10, existing);
    ASSERT_TRUE(batch);
    EXPECT_FALSE(batch->add(record(1)));
    EXPECT_FALSE(batch->add(record(2)));
  }  // dropped mid-file, as when a later row fails
  EXPECT_EQ(store_->summary().records, 0);
  EXPECT_EQ(store_->summary().sources, 0);
  EXPECT_TRUE(store_->files().empty());
  EXPECT_FALSE(store_->find_file("cc33"));

  const FileInfo first = ingest(*store_, "cc33", {record(1), record(2)});
  FileInfo existing;
  EXPECT_FALSE(store_->begin_ingest("/elsewhere/y.csv", "cc33", 10, existing));
  EXPECT_EQ(existing.file_id, first.file_id);
  EXPECT_EQ(existing.path, first.path);
  EXPECT_EQ(store_->summary().records, 2);
  EXPECT_EQ(store_->files().size(), 1u);
  // The store is still writable after the refused file.
  ingest(*store_, "dd44", {record(3)});
  EXPECT_EQ(store_->summary().records, 3);
}

TEST_P(StoreContract, ARecordIdTakenInItsOrganisationNamesWhereItCameFrom) {
  ingest(*store_, "ee55", {record(1), record(2)});
  FileInfo existing;
  auto batch = store_->begin_ingest("/data/second.csv", "ff66", 10, existing);
  ASSERT_TRUE(batch);
  auto again = record(2);
  again.line = 40;
  const auto origin = batch->add(again);  // taken by the earlier file
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->path, "/data/ee55.csv");
  EXPECT_EQ(origin->line, record(2).line);
  auto fresh = record(3);
  fresh.line = 7;
  EXPECT_FALSE(batch->add(fresh));
  fresh.line = 9;
  const auto twice = batch->add(fresh);  // taken earlier in this file
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->path, "/data/second.csv");
  EXPECT_EQ(twice->line, 7);
  auto other_org = record(2, Role::victim, SourceType::health);  // same id, another organisation
  EXPECT_FALSE(batch->add(other_org));
  batch->commit(3, 2, {{"/data/second.csv", 9, "dob", "odd"}});
  EXPECT_EQ(store_->summary().records, 4);
  EXPECT_EQ(store_->summary().ingest_warnings, 2);
}

TEST_P(StoreContract, SummaryAreaCountsAndCompletenessCountWhatWasStored) {
  std::vector<Record> records;
  for (int i = 0; i < 6; ++i)
    records.push_back(record(i, Role::victim, i < 4 ? SourceType::police : SourceType::health));
  records.push_back(record(6, Role::suspect));
  records[0].lad_cd.clear();
  records[1].given_name.clear();
  records[1].sex = Sex::unknown;
  records[4].nhs_number.clear();
  ingest(*store_, "a1", records);
  const auto s = store_->summary();
  EXPECT_EQ(s.files, 1);
  EXPECT_EQ(s.records, 7);
  EXPECT_EQ(s.sources, 2);
  EXPECT_EQ(s.records_by_role.at("victim"), 6);
  EXPECT_EQ(s.records_by_role.at("suspect"), 1);
  EXPECT_EQ(s.records_by_source_type.at("police"), 5);
  EXPECT_EQ(s.records_by_source_type.at("health"), 2);
  EXPECT_EQ(s.sources_by_source_type.at("health"), 1);
  EXPECT_EQ(s.areas_with_records, 3);

  std::map<std::string, std::int64_t> want;
  for (int i = 0; i < 6; ++i) ++want[records[static_cast<std::size_t>(i)].lad_cd];
  EXPECT_EQ(store_->records_by_area(Role::victim), want);
  EXPECT_EQ(store_->records_by_area(Role::suspect), (std::map<std::string, std::int64_t>{{lad(0), 1}}));

  const auto completeness = store_->field_completeness(Role::victim);
  ASSERT_EQ(completeness.size(), 2u);
  const auto& health = completeness[0].source_type == "health" ? completeness[0] : completeness[1];
  const auto& police = completeness[0].source_type == "police" ? completeness[0] : completeness[1];
  EXPECT_EQ(police.records, 4);
  EXPECT_EQ(police.with_value.at("given_name"), 3);
  EXPECT_EQ(police.with_value.at("sex"), 3);
  EXPECT_EQ(police.with_value.at("lad_cd"), 3);
  EXPECT_EQ(police.with_value.at("dob"), 4);
  EXPECT_EQ(health.records, 2);
  EXPECT_EQ(health.with_value.at("nhs_number"), 1);
}

TEST_P(StoreContract, TheLatestRecordDateIgnoresDatesAfterTheirFilesDelivery) {
  auto early = record(1);
  early.event_date = Date{2020, 3, 1};
  early.last_date = Date{2020, 6, 30};
  auto later = record(2);
  later.event_date = Date{2020, 5, 1};
  later.last_date.reset();
  auto future = record(3);  // after the day it was ingested: never used
  future.event_date = Date{2099, 1, 1};
  future.last_date.reset();
  auto suspect = record(4, Role::suspect);
  suspect.event_date = Date{2021, 1, 1};
  suspect.last_date.reset();
  ingest(*store_, "b2", {early, later, future, suspect});
  const auto latest = store_->latest_record_date(Role::victim);
  EXPECT_EQ(latest.date, (Date{2020, 6, 30}));
  EXPECT_EQ(latest.ignored, 1);
  EXPECT_EQ(store_->latest_record_date(Role::suspect).date, (Date{2021, 1, 1}));
  EXPECT_FALSE(store_->latest_record_date(Role::associate).date);
}

TEST_P(StoreContract, RunsAreResultsOnlyWhenDone) {
  const auto failed = store_->start_run("estimate", R"({"seed": 1})");
  store_->finish_run(failed, "failed", R"({"error": "x"})");
  const auto first = store_->start_run("estimate", "{}");
  store_->finish_run(first, "done", R"({"n": 1})");
  const auto second = store_->start_run("estimate", "{}");
  store_->finish_run(second, "done", R"({"n": 2})");
  const auto running = store_->start_run("estimate", "{}");
  EXPECT_LT(failed, first);
  EXPECT_LT(second, running);
  const auto latest = store_->latest_run_summary("estimate");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->first, second);
  EXPECT_EQ(latest->second, R"({"n": 2})");
  EXPECT_FALSE(store_->latest_run_summary("link"));
  const auto s = store_->summary();
  EXPECT_EQ(s.runs, 2);
  EXPECT_EQ(s.runs_by_status.at("done"), 2);
  EXPECT_EQ(s.runs_by_status.at("failed"), 1);
  EXPECT_EQ(s.runs_by_status.at("running"), 1);
  EXPECT_TRUE(s.abandoned_runs.empty());  // this process is alive
}

namespace {

/// A link run of victims over `pks` (record_pks): persons 1 (records 0, 1) and 2 (the rest).
LinkRunOutput victims_run(const std::vector<std::int64_t>& pks) {
  LinkRunOutput out;
  out.role = Role::victim;
  LinkedPerson one;
  one.person_id = 1;
  one.capture_history = {SourceType::police, SourceType::health};
  one.lad_cd = "";
  one.first_date = Date{2021, 1, 2};
  one.last_date = Date{2022, 3, 4};
  one.age_band = "13-15";
  one.sex = Sex::F;
  one.offence_count = 3;
  one.records = 2;
  LinkedPerson two = one;
  two.person_id = 2;
  two.capture_history = {SourceType::police};
  two.lad_cd = testing::test_areas().all().at(5).code;
  two.sex = Sex::unknown;
  two.age_band = "unknown";
  two.records = static_cast<std::int64_t>(pks.size()) - 2;
  out.persons = {one, two};
  for (std::size_t i = 0; i < pks.size(); ++i) out.person_of_record.emplace_back(pks[i], i < 2 ? 1 : 2);
  out.pairs = {{pks[0], pks[1], 9.5, 0.99}, {pks[1], pks[2], -1.0, 0.3}, {pks[0], pks[2], 0.5, 0.6}};
  out.review = {{pks[1], pks[2], -1.0, 0.3, R"({"dob":"else"})"}, {pks[0], pks[2], 0.5, 0.6, R"({"dob":"exact"})"}};
  out.diagnostics_json = R"({"model": {"fields": []}})";
  return out;
}

std::vector<std::int64_t> record_pks(Store& store) {
  std::vector<std::int64_t> out;
  store.for_each_record(std::nullopt, [&](const StoredRecord& r) { out.push_back(r.record_pk); });
  return out;
}

}  // namespace

TEST_P(StoreContract, ALinkRunComesBackTypedPersonByPersonAndPairByPair) {
  std::vector<Record> records = {record(0), record(1, Role::victim, SourceType::health), record(2)};
  records[0].dob = Date{2008, 5, 6};  // person 1: one full date and a partial one: the full one
  records[1].dob = Date{2008, 0, 0};
  records[2].dob.reset();
  ingest(*store_, "c3", records);
  const auto pks = record_pks(*store_);
  const auto run = store_->start_run("link", R"({"threshold": 0.5})");
  store_->save_link_run(run, victims_run(pks));
  EXPECT_FALSE(store_->latest_link_run(Role::victim));  // not done yet
  store_->finish_run(run, "done", "{}");
  ASSERT_EQ(store_->latest_link_run(Role::victim), run);
  EXPECT_FALSE(store_->latest_link_run(Role::suspect));

  std::vector<std::pair<LinkedPerson, std::optional<Date>>> persons;
  store_->for_each_linked_person(run, Role::victim, [&](const LinkedPerson& p, const std::optional<Date>& dob) {
    persons.emplace_back(p, dob);
  });
  ASSERT_EQ(persons.size(), 2u);
  const auto want = victims_run(pks).persons;
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const auto& got = persons[i].first;
    EXPECT_EQ(got.person_id, want[i].person_id);
    EXPECT_EQ(got.role, Role::victim);
    EXPECT_EQ(got.capture_history, want[i].capture_history);
    EXPECT_EQ(got.lad_cd, want[i].lad_cd);
    EXPECT_EQ(got.first_date, want[i].first_date);
    EXPECT_EQ(got.last_date, want[i].last_date);
    EXPECT_EQ(got.age_band, want[i].age_band);
    EXPECT_EQ(got.sex, want[i].sex);
    EXPECT_EQ(got.offence_count, want[i].offence_count);
    EXPECT_EQ(got.records, want[i].records);
  }
  EXPECT_EQ(persons[0].second, (Date{2008, 5, 6}));
  EXPECT_FALSE(persons[1].second);

  std::vector<LinkedRecord> linked;
  store_->for_each_linked_record(run, Role::victim, [&](const LinkedRecord& r) { linked.push_back(r); });
  ASSERT_EQ(linked.size(), 3u);
  EXPECT_EQ(linked[1].record_pk, pks[1]);
  EXPECT_EQ(linked[1].person_id, 1);
  EXPECT_EQ(linked[1].source_type, SourceType::health);
  EXPECT_EQ(linked[1].record_id, records[1].record_id);
  EXPECT_EQ(linked[1].event_date, records[1].event_date);
  EXPECT_EQ(linked[2].person_id, 2);
  EXPECT_EQ(linked[2].case_ref, records[2].case_ref);
  EXPECT_EQ(linked[2].offence_count, records[2].offence_count);

  std::vector<LinkedPair> pairs;
  store_->for_each_link_pair(run, Role::victim, [&](const LinkedPair& p) { pairs.push_back(p); });
  ASSERT_EQ(pairs.size(), 3u);  // in (a, b) order
  EXPECT_EQ(std::pair(pairs[0].record_pk_a, pairs[0].record_pk_b), std::pair(pks[0], pks[1]));
  EXPECT_EQ(std::pair(pairs[1].record_pk_a, pairs[1].record_pk_b), std::pair(pks[0], pks[2]));
  EXPECT_DOUBLE_EQ(pairs[1].probability, 0.6);
  EXPECT_DOUBLE_EQ(pairs[2].weight, -1.0);

  std::int64_t total = 0;
  const auto review = store_->review_pairs(run, Role::victim, 1, total);
  EXPECT_EQ(total, 2);
  ASSERT_EQ(review.size(), 1u);  // the most probable first
  EXPECT_DOUBLE_EQ(review[0].probability, 0.6);
  EXPECT_EQ(review[0].levels_json, R"({"dob":"exact"})");
  EXPECT_EQ(review[0].a.source_type, SourceType::police);
  EXPECT_EQ(review[0].a.record_id, records[0].record_id);
  EXPECT_EQ(review[0].a.event_date, records[0].event_date);
  EXPECT_EQ(review[0].a.person_id, 1);
  EXPECT_EQ(review[0].b.person_id, 2);

  const auto diagnostics = store_->latest_link_diagnostics();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].run_id, run);
  EXPECT_EQ(diagnostics[0].role, Role::victim);
  EXPECT_EQ(diagnostics[0].diagnostics_json, R"({"model": {"fields": []}})");
  EXPECT_EQ(diagnostics[0].params_json, R"({"threshold": 0.5})");
  EXPECT_EQ(diagnostics[0].linked_pairs, 2);  // probabilities 0.99 and 0.6 at threshold 0.5
  EXPECT_NEAR(diagnostics[0].mean_probability, (0.99 + 0.6) / 2, 1e-12);
}

TEST_P(StoreContract, ALinkRunThatFailsMidWriteLeavesNothing) {
  ingest(*store_, "d4", {record(0), record(1), record(2)});
  const auto pks = record_pks(*store_);
  const auto run = store_->start_run("link", "{}");
  auto broken = victims_run(pks);
  broken.person_of_record.push_back(broken.person_of_record.front());  // one record twice
  EXPECT_ANY_THROW(store_->save_link_run(run, broken));
  store_->finish_run(run, "done", "{}");
  EXPECT_FALSE(store_->latest_link_run(Role::victim));
  int persons = 0, pairs = 0;
  store_->for_each_linked_person(run, Role::victim,
                                 [&](const LinkedPerson&, const std::optional<Date>&) { ++persons; });
  store_->for_each_link_pair(run, Role::victim, [&](const LinkedPair&) { ++pairs; });
  EXPECT_EQ(persons, 0);
  EXPECT_EQ(pairs, 0);
  EXPECT_TRUE(store_->latest_link_diagnostics().empty());
  // The store takes the run whole afterwards.
  const auto retry = store_->start_run("link", "{}");
  store_->save_link_run(retry, victims_run(pks));
  store_->finish_run(retry, "done", "{}");
  EXPECT_EQ(store_->latest_link_run(Role::victim), retry);
}

namespace {

StoredNetwork network(std::int64_t id, std::vector<std::string> pfas) {
  StoredNetwork n;
  n.network_id = id;
  n.suspects = 2;
  n.victims = 3;
  n.cases = 1;
  n.records = 9;
  n.lads = {"E06000001", "E06000002"};
  n.pfas = std::move(pfas);
  n.first_date = Date{2021, 1, 1};
  n.last_date = Date{2021, 6, 30};
  return n;
}

}  // namespace

TEST_P(StoreContract, ANetworksRunReplacesTheLastWholeOrNotAtAll) {
  const auto link = store_->start_run("link", "{}");
  const auto first_run = store_->start_run("networks", "{}");
  NetworkRunOutput first;
  first.networks = {network(1, {"E23000003", "E23000005"}), network(2, {"E23000005"})};
  first.members = {{2, Role::victim, link, 30}, {1, Role::suspect, link, 7}, {1, Role::victim, link, 30}};
  store_->save_network_run(first_run, first);
  EXPECT_EQ(store_->latest_network_run(), first_run);
  const auto nets = store_->networks();
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0].network_id, 1);
  EXPECT_EQ(nets[0].pfas, (std::vector<std::string>{"E23000003", "E23000005"}));
  EXPECT_EQ(nets[0].lads, (std::vector<std::string>{"E06000001", "E06000002"}));
  EXPECT_EQ(nets[0].first_date, (Date{2021, 1, 1}));
  EXPECT_EQ(nets[1].last_date, (Date{2021, 6, 30}));
  EXPECT_EQ(nets[1].records, 9);
  EXPECT_EQ(store_->networks_of_person(link, 30), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(store_->networks_of_person(link, 99).empty());
  std::vector<NetworkMember> members;
  store_->for_each_network_member([&](const NetworkMember& m) { members.push_back(m); });
  ASSERT_EQ(members.size(), 3u);  // by network, role's name, person
  EXPECT_EQ(members[0].network_id, 1);
  EXPECT_EQ(members[0].role, Role::suspect);
  EXPECT_EQ(members[0].person_id, 7);
  EXPECT_EQ(members[1].role, Role::victim);
  EXPECT_EQ(members[2].network_id, 2);

  // A run that fails mid-write (one member twice) leaves the held run as it was.
  NetworkRunOutput broken;
  broken.networks = {network(1, {"E23000001"})};
  broken.members = {{1, Role::suspect, link, 8}, {1, Role::suspect, link, 8}};
  EXPECT_ANY_THROW(store_->save_network_run(store_->start_run("networks", "{}"), broken));
  EXPECT_EQ(store_->latest_network_run(), first_run);
  EXPECT_EQ(store_->networks().size(), 2u);

  const auto empty_run = store_->start_run("networks", "{}");
  store_->save_network_run(empty_run, {});
  EXPECT_EQ(store_->latest_network_run(), empty_run);  // named even with no network
  EXPECT_TRUE(store_->networks().empty());
  EXPECT_TRUE(store_->networks_of_person(link, 30).empty());
}

TEST_P(StoreContract, AnEncodedStoreKeepsOneKeyAndNeverMixesModes) {
  const StoreEncoding key{"joindots-clk-1/1024", std::string(32, 'a')};
  EncodedColumns columns;
  columns.clk = {0x01, 0x80, 0xff, 0x00};
  columns.clk_weight = 10;
  columns.age_band = "13-15";
  columns.tokens_json = R"({"tok_nhs_number":"abc"})";
  {
    FileInfo existing;
    auto batch = store_->begin_ingest("/e/one.csv", "e1", 10, existing);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->set_mode(true), "");
    EXPECT_EQ(batch->use_encoding(key), "");
    auto r = record(1);
    r.given_name = r.family_name = r.other_names = r.postcode = r.nhs_number = r.upn = r.pnc_id = "";
    r.dob.reset();
    EXPECT_FALSE(batch->add_encoded(r, columns));
    EXPECT_TRUE(batch->add_encoded(r, columns));  // its id is taken
    batch->commit(1);
  }
  ASSERT_TRUE(store_->encoding());
  EXPECT_EQ(store_->encoding()->key_fingerprint, key.key_fingerprint);
  EXPECT_EQ(store_->encoding()->scheme, key.scheme);
  std::vector<std::pair<std::int64_t, EncodedColumns>> encoded;
  store_->for_each_encoded_record(Role::victim,
                                  [&](std::int64_t pk, const EncodedColumns& e) { encoded.emplace_back(pk, e); });
  ASSERT_EQ(encoded.size(), 1u);
  EXPECT_EQ(encoded[0].first, record_pks(*store_).at(0));
  EXPECT_EQ(encoded[0].second.clk, columns.clk);
  EXPECT_EQ(encoded[0].second.clk_weight, 10);
  EXPECT_EQ(encoded[0].second.age_band, "13-15");
  EXPECT_EQ(encoded[0].second.tokens_json, columns.tokens_json);
  int suspects = 0;
  store_->for_each_encoded_record(Role::suspect, [&](std::int64_t, const EncodedColumns&) { ++suspects; });
  EXPECT_EQ(suspects, 0);

  FileInfo existing;
  auto other_key = store_->begin_ingest("/e/two.csv", "e2", 10, existing);
  ASSERT_TRUE(other_key);
  EXPECT_EQ(other_key->set_mode(true), "");
  EXPECT_NE(other_key->use_encoding({key.scheme, std::string(32, 'b')}), "");
  EXPECT_NE(other_key->use_encoding({"joindots-clk-1/2048", key.key_fingerprint}), "");
  other_key.reset();
  auto plaintext = store_->begin_ingest("/p/three.csv", "p3", 10, existing);
  ASSERT_TRUE(plaintext);
  EXPECT_NE(plaintext->set_mode(false), "");
  plaintext.reset();
  EXPECT_EQ(store_->files().size(), 1u);
  EXPECT_EQ(store_->encoding()->key_fingerprint, key.key_fingerprint);
}

TEST_P(StoreContract, APlaintextStoreRefusesAnEncodedFile) {
  ingest(*store_, "p1", {record(1)});
  FileInfo existing;
  auto batch = store_->begin_ingest("/e/one.csv", "e1", 10, existing);
  ASSERT_TRUE(batch);
  EXPECT_NE(batch->set_mode(true), "");
  batch.reset();
  EXPECT_FALSE(store_->encoding());
  EXPECT_EQ(store_->files().size(), 1u);
}

TEST_P(StoreContract, AnotherConnectionSeesAFileOnlyOnceItIsCommitted) {
  auto reader = backend_->connect();
  FileInfo existing;
  auto batch = store_->begin_ingest("/data/w.csv", "w1", 10, existing);
  ASSERT_TRUE(batch);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(batch->add(record(i)));
  // The writer holds its transaction open: the reader is not blocked and sees none of it.
  EXPECT_EQ(reader->summary().records, 0);
  EXPECT_TRUE(reader->files().empty());
  batch->commit(50);
  EXPECT_EQ(reader->summary().records, 50);
  EXPECT_EQ(reader->files().size(), 1u);
  // And the other way round: a write through the second connection is seen by the first.
  ingest(*reader, "w2", {record(100)});
  EXPECT_EQ(store_->summary().records, 51);
}

TEST_P(StoreContract, ReadersOnOtherConnectionsSeeWholeFilesWhileAWriterIngests) {
  constexpr int kFiles = 20, kRows = 40;
  std::atomic<bool> writing = true;
  std::thread writer([&] {
    auto store = backend_->connect();
    for (int f = 0; f < kFiles; ++f) {
      std::vector<Record> rows;
      for (int i = 0; i < kRows; ++i) rows.push_back(record(f * kRows + i));
      ingest(*store, "f" + std::to_string(f), rows);
    }
    writing = false;
  });
  std::vector<std::int64_t> seen;
  {
    auto reader = backend_->connect();
    while (writing) {
      const auto s = reader->summary();
      seen.push_back(s.records);
      EXPECT_EQ(s.records, s.files * kRows);  // never part of a file
      std::int64_t streamed = 0;
      reader->for_each_record(Role::victim, [&](const StoredRecord&) { ++streamed; });
      EXPECT_EQ(streamed % kRows, 0);
      EXPECT_GE(streamed, s.records);  // later reads see at least as much
    }
  }
  writer.join();
  EXPECT_EQ(store_->summary().records, kFiles * kRows);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(testing::store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace joindots
