// The contract of clerical review in the store (store/review_store.hpp, schema version 10):
// decisions appended, the latest per pair winning, history kept, records named by their key so
// that decisions outlive a re-link; the review band read a page at a time with identifiers and
// decisions. Run for
// every backend of store_backends(), as store_contract_test.cpp is.
#include <gtest/gtest.h>

#include "store/review_store.hpp"
#include "store/store_contract.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

using testing::StoreBackendFactory;

class ReviewContract : public testing::StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (IsSkipped()) return;
    FileInfo existing;
    auto batch = store_->begin_ingest("/hub/in/a.csv", "sha-a", 100, existing);
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->set_mode(false), "");
    add(*batch, "P1", "E23000013", SourceType::police, Role::victim, 2);
    add(*batch, "H1", "RX1", SourceType::health, Role::victim, 3);
    add(*batch, "H2", "RX1", SourceType::health, Role::victim, 4);
    add(*batch, "S1", "E23000013", SourceType::police, Role::suspect, 5);
    batch->commit(4);
    store_->for_each_record(std::nullopt, [&](const StoredRecord& r) { pk_[r.record.record_id] = r.record_pk; });
    run_ = link_run();
    reviews_ = ReviewStore::open(backend_->location());
  }

  static void add(IngestBatch& batch, const std::string& id, const std::string& org, SourceType type, Role role,
                  int line) {
    Record r;
    r.record_id = id;
    r.source_type = type;
    r.source_org = org;
    r.role = role;
    r.record_type = type == SourceType::police ? RecordType::crime : RecordType::attendance;
    r.event_date = Date{2021, 3, 4};
    r.given_name = "Amelia";
    r.family_name = id == "H2" ? "Stones" : "Stone";
    r.dob = Date{2007, 5, 6};
    r.sex = Sex::F;
    r.nhs_number = id == "P1" ? "" : "9434765919";
    r.attrs = {{"care", "yes"}};
    r.line = line;
    ASSERT_FALSE(batch.add(r));
  }

  /// A finished link run of victims whose review band holds (P1, H1), p 0.6, and (H1, H2), p 0.3.
  std::int64_t link_run() {
    const auto run = store_->start_run("link", R"({"review": [0.2, 0.8]})");
    LinkRunOutput out;
    out.role = Role::victim;
    for (std::int64_t i = 0; i < 3; ++i) {
      LinkedPerson p;
      p.person_id = i + 1;
      p.capture_history = {SourceType::police};
      p.first_date = p.last_date = Date{2021, 3, 4};
      p.age_band = "13-15";
      p.records = 1;
      out.persons.push_back(p);
    }
    out.person_of_record = {{pk_["P1"], 1}, {pk_["H1"], 2}, {pk_["H2"], 3}};
    out.review = {{pk_["P1"], pk_["H1"], 1.5, 0.6, R"({"dob":"exact"})"},
                  {pk_["H1"], pk_["H2"], -1.0, 0.3, R"({"dob":"exact","family_name":"close"})"}};
    out.diagnostics_json = "{}";
    store_->save_link_run(run, out);
    store_->finish_run(run, "done", "{}");
    return run;
  }

  static ClericalDecision decision(const std::string& org_a, const std::string& id_a, const std::string& org_b,
                                   const std::string& id_b, ClericalVerdict verdict, Role role = Role::victim) {
    ClericalDecision d;
    d.role = role;
    d.org_a = org_a;
    d.record_id_a = id_a;
    d.org_b = org_b;
    d.record_id_b = id_b;
    d.verdict = verdict;
    d.actor = "token-file";
    return d;
  }

  /// The message of the UsageError `fn` throws ("" when it throws none).
  template <typename Fn>
  static std::string refusal(Fn fn) {
    try {
      fn();
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  }

  std::unique_ptr<ReviewStore> reviews_;
  std::map<std::string, std::int64_t> pk_;
  std::int64_t run_ = 0;
};

}  // namespace

TEST_P(ReviewContract, TheLatestDecisionOnAPairWinsAndTheHistoryIsKept) {
  EXPECT_TRUE(reviews_->decisions(std::nullopt, true).empty());
  Account analyst;
  analyst.token_id = "0123456789ab";
  analyst.token_hash = "$argon2id$stand-in";
  analyst.org = "HUB";
  analyst.role = AccountRole::analyst;
  const auto account = store_->add_account(analyst);
  // Named B then A: stored in the pair's order, (E23000013, P1) before (RX1, H1).
  auto first = decision("RX1", "H1", "E23000013", "P1", ClericalVerdict::match);
  first.account_id = account;
  first.actor = "account:" + std::to_string(account);
  first.note = "same NHS number on the health side only";
  const auto id1 = reviews_->add_decision(first, run_);
  const auto id2 = reviews_->add_decision(decision("E23000013", "P1", "RX1", "H1", ClericalVerdict::non_match));
  const auto id3 = reviews_->add_decision(decision("RX1", "H1", "RX1", "H2", ClericalVerdict::unsure));
  EXPECT_LT(id1, id2);
  EXPECT_LT(id2, id3);

  // Read on a connection of its own, as another process would.
  const auto history = ReviewStore::open(backend_->location())->decisions(Role::victim, true);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].decision_id, id1);
  EXPECT_EQ(history[0].org_a, "E23000013");
  EXPECT_EQ(history[0].record_id_a, "P1");
  EXPECT_EQ(history[0].org_b, "RX1");
  EXPECT_EQ(history[0].record_id_b, "H1");
  EXPECT_EQ(history[0].verdict, ClericalVerdict::match);
  EXPECT_EQ(history[0].account_id, account);
  EXPECT_EQ(history[0].actor, "account:" + std::to_string(account));
  EXPECT_EQ(history[0].note, "same NHS number on the health side only");
  EXPECT_EQ(history[0].decided_at.size(), 20u) << history[0].decided_at;
  EXPECT_TRUE(history[0].records_stored);
  EXPECT_FALSE(history[1].account_id);
  EXPECT_EQ(history[1].note, "");
  EXPECT_EQ(history[2].verdict, ClericalVerdict::unsure);

  // The latest per pair: (P1, H1) now a non-match; (H1, H2) unsure. By pair.
  const auto latest = reviews_->decisions(Role::victim, false);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].decision_id, id2);
  EXPECT_EQ(latest[0].verdict, ClericalVerdict::non_match);
  EXPECT_EQ(latest[1].decision_id, id3);
  EXPECT_EQ(reviews_->decisions(std::nullopt, false).size(), 2u);
  EXPECT_TRUE(reviews_->decisions(Role::suspect, true).empty());
}

TEST_P(ReviewContract, ADecisionOnAnUnknownRecordAnotherRoleOrAPairOutsideTheBandIsRefusedNamingTheField) {
  const auto unknown = refusal([&] {
    reviews_->add_decision(decision("E23000013", "P9", "RX1", "H1", ClericalVerdict::match));
  });
  EXPECT_EQ(unknown.rfind("a: ", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("P9"), std::string::npos) << unknown;
  const auto suspect = refusal([&] {
    reviews_->add_decision(decision("E23000013", "P1", "E23000013", "S1", ClericalVerdict::match));
  });
  EXPECT_EQ(suspect.rfind("b: ", 0), 0u) << suspect;
  EXPECT_NE(suspect.find("suspect"), std::string::npos) << suspect;
  const auto same = refusal([&] {
    reviews_->add_decision(decision("RX1", "H1", "RX1", "H1", ClericalVerdict::match));
  });
  EXPECT_EQ(same.rfind("b: ", 0), 0u) << same;
  // (P1, H2) are both stored victims, but not a pair of the run's band.
  const auto outside = refusal([&] {
    reviews_->add_decision(decision("E23000013", "P1", "RX1", "H2", ClericalVerdict::match), run_);
  });
  EXPECT_EQ(outside.rfind("pair: ", 0), 0u) << outside;
  EXPECT_TRUE(reviews_->decisions(std::nullopt, true).empty());  // nothing written
  // Without a band to check, a pair of stored victims is taken.
  EXPECT_GT(reviews_->add_decision(decision("E23000013", "P1", "RX1", "H2", ClericalVerdict::match)), 0);
}

TEST_P(ReviewContract, ThePageHoldsBothRecordsIdentifiersAndEachPairsLatestDecision) {
  auto page = reviews_->page(run_, Role::victim, 0, 10);
  EXPECT_EQ(page.total, 2);
  EXPECT_EQ(page.decided, 0);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_DOUBLE_EQ(page.items[0].pair.probability, 0.6);  // the most probable first
  EXPECT_EQ(page.items[0].pair.a.record_id, "P1");
  EXPECT_EQ(page.items[0].pair.b.record_id, "H1");
  EXPECT_EQ(page.items[0].pair.b.person_id, 2);
  EXPECT_FALSE(page.items[0].decision);
  using Ids = std::vector<std::pair<std::string, std::string>>;
  // Identifiers only: P1 has no NHS number; no record's attributes, no unknown sex.
  EXPECT_EQ(page.items[0].identifiers_a,
            (Ids{{"given_name", "Amelia"}, {"family_name", "Stone"}, {"dob", "2007-05-06"}, {"sex", "F"}}));
  EXPECT_EQ(page.items[0].identifiers_b, (Ids{{"given_name", "Amelia"},
                                              {"family_name", "Stone"},
                                              {"dob", "2007-05-06"},
                                              {"sex", "F"},
                                              {"nhs_number", "9434765919"}}));

  reviews_->add_decision(decision("RX1", "H1", "RX1", "H2", ClericalVerdict::match), run_);
  reviews_->add_decision(decision("RX1", "H2", "RX1", "H1", ClericalVerdict::unsure), run_);
  page = reviews_->page(run_, Role::victim, 1, 10);  // the second pair only
  EXPECT_EQ(page.total, 2);
  EXPECT_EQ(page.decided, 1);  // unsure counts: the pair was seen
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].pair.a.record_id, "H1");
  ASSERT_TRUE(page.items[0].decision);
  EXPECT_EQ(page.items[0].decision->verdict, ClericalVerdict::unsure);
  EXPECT_EQ(page.items[0].identifiers_b[1], (std::pair<std::string, std::string>{"family_name", "Stones"}));
  EXPECT_TRUE(reviews_->page(run_, Role::victim, 2, 10).items.empty());
  EXPECT_EQ(reviews_->page(run_, Role::suspect, 0, 10).total, 0);
}

TEST_P(ReviewContract, DecisionsOutliveARelinkAndSayWhenARecordIsNoLongerStored) {
  reviews_->add_decision(decision("E23000013", "P1", "RX1", "H1", ClericalVerdict::match), run_);
  reviews_->add_decision(decision("RX1", "H1", "RX1", "H2", ClericalVerdict::non_match), run_);
  // A later run's band holds the same pairs under the same records: the decisions are on them.
  const auto rerun = link_run();
  const auto page = reviews_->page(rerun, Role::victim, 0, 10);
  EXPECT_EQ(page.decided, 2);
  ASSERT_EQ(page.items.size(), 2u);
  ASSERT_TRUE(page.items[0].decision);
  EXPECT_EQ(page.items[0].decision->verdict, ClericalVerdict::match);
  // A record whose id changed (re-delivered under another id): its decision no longer names
  // a stored pair, and says so.
  backend_->exec_sql("UPDATE records SET record_id = 'H2-new' WHERE record_id = 'H2'");
  const auto latest = reviews_->decisions(Role::victim, false);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_TRUE(latest[0].records_stored);
  EXPECT_EQ(latest[1].record_id_b, "H2");
  EXPECT_FALSE(latest[1].records_stored);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewContract, ::testing::ValuesIn(testing::store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace joindots
