#include "report/bundle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "disclose/disclosure.hpp"
#include "estimate/sparse_rule.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "link/store_link.hpp"
#include "questions/four_questions.hpp"
#include "questions/method_details.hpp"
#include "report/publish.hpp"
#include "simulate/scenarios.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots::report {

namespace {

using nlohmann::json;

questions::Answer answer(std::int64_t known, double estimate, double low, double high) {
  questions::Answer a;
  a.known = known;
  a.estimate = estimate;
  a.interval = {low, high};
  a.method = "auto: loglinear [12,13] (bic-selected)";
  a.assumption = "closed population";
  return a;
}

estimate::MethodEstimate method(const std::string& name, double estimate, double low, double high,
                                const std::string& kind, nlohmann::ordered_json details) {
  estimate::MethodEstimate m;
  m.method = name;
  m.estimate = estimate;
  m.interval = {low, high, 0.95, kind};
  m.details = std::move(details);
  return m;
}

/// The four answers as an estimate run saves them (questions::FourAnswers), three lists, 120
/// known victims.
questions::FourAnswers estimate_summary() {
  questions::FourAnswers a;
  a.reference_date = *Date::parse_full("2025-12-31");
  a.link_run = 1;
  a.lists = {"police", "health", "nrm"};
  a.victims = answer(120, 200.4, 150.2, 290.7);
  a.areas = answer(30, 40.2, 35.0, 45.0);
  a.offences = answer(300, 500.0, 400.0, 600.0);
  a.still_involved = answer(50, 80.0, 60.0, 100.0);
  // Patterns as bitmasks over the lists: police 1, health 2, nrm 4.
  a.victims_pattern_counts = {0, 40, 30, 12, 20, 7, 6, 5};
  questions::StratumEstimate london, north_east;
  london.dimension = north_east.dimension = "region";
  london.value = "London";
  london.observed = 100;
  london.estimate = 160.0;
  london.interval = {120.0, 210.0};
  north_east.value = "North East";
  north_east.observed = 20;
  north_east.flag = "sparse: too few on two or more lists";
  a.strata = {london, north_east};

  questions::LogLinearDetails ll;
  ll.fitted = true;
  ll.model = "[12,13]";
  ll.interactions = {"police:health", "police:nrm"};
  ll.criterion = "bic";
  ll.search = "exhaustive";
  ll.criterion_value = 41.5;
  ll.deviance = 3.2;
  ll.df = 2;
  ll.gof_p_value = 0.2;
  ll.models_considered = 8;
  ll.models_excluded = 1;
  ll.excluded = {{"[123]", {}, "no_mle", "a zero margin"}};
  ll.excluded_total = 1;
  ll.top_models = {{"[12,13]", {}, 200.4, 41.5, 0.7, 3.2, 2, 5, questions::Bounds{150.2, 290.7}, 0},
                   {"[12]", {}, 181.3, 43.2, 0.3, 9.1, 3, 4, questions::Bounds{140.0, 240.0}, 0}};
  questions::LcmcrDetails lcmcr;
  lcmcr.rhat = 1.01;
  lcmcr.ess = 900.0;
  lcmcr.chains = 4;
  auto& v = a.victims_detail;
  v.observed = 120;
  v.estimate = 200.4;
  v.interval = {150.2, 290.7, 0.95, "hull"};
  v.method = a.victims.method;
  v.headline = "loglinear";
  v.lists = a.lists;
  v.methods = {method("loglinear", 200.4, 150.2, 290.7, "profile likelihood", ll.to_json()),
               method("lcmcr", 190.0, 160.0, 230.0, "posterior", lcmcr.to_json())};
  v.notes = {"a note"};
  return a;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<SqliteStore>(dir_ / "hub.db", true);
    store_->ensure_areas(testing::test_areas());
  }
  void add_estimate_run(const questions::FourAnswers& answers) {
    const auto run = store_->start_run("estimate", "{}");
    store_->finish_run(run, "done", answers.to_json().dump());
  }
  json bundle(Tier tier) { return build_bundle(*store_, testing::test_areas(), tier); }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

/// The published overlap as the attacker sees it: the known victims, the patterns adding up
/// to them, and each list's total adding up its patterns.
disclose::AuditResult audit_overlap(const json& b) {
  std::vector<disclose::PublishedCell> cells;
  auto add = [&](const json& c) {
    cells.push_back(c["value"].is_null()
                        ? disclose::PublishedCell{disclose::CellStatus::Primary, 0}
                        : disclose::PublishedCell{disclose::CellStatus::Published, c["value"].get<std::int64_t>()});
    return cells.size() - 1;
  };
  std::vector<disclose::Relation> relations;
  const auto total = add(b["headline"]["victims"]["known"]);
  std::vector<std::size_t> patterns;
  for (const auto& p : b["overlap"]["patterns"]) patterns.push_back(add(p["count"]));
  relations.push_back({total, patterns});
  const auto& lists = b["overlap"]["lists"];
  for (std::size_t k = 0; k < lists.size(); ++k) {
    std::vector<std::size_t> parts;
    for (std::size_t i = 0; i < patterns.size(); ++i)
      if (b["overlap"]["patterns"][i]["pattern"].get<std::string>()[k] == '1') parts.push_back(patterns[i]);
    relations.push_back({add(b["overlap"]["list_totals"][k]["count"]), parts});
  }
  return disclose::audit(cells, relations);
}

}  // namespace

TEST_F(BundleTest, OverlapIsExactInTheRestrictedTierAndAddsUp) {
  add_estimate_run(estimate_summary());
  const auto b = bundle(Tier::Restricted);
  const auto& o = b["overlap"];
  ASSERT_TRUE(o.is_object()) << b.dump();
  EXPECT_EQ(o["lists"], json({"police", "health", "nrm"}));
  ASSERT_EQ(o["patterns"].size(), 7u);
  std::int64_t sum = 0;
  for (const auto& p : o["patterns"]) sum += p["count"]["value"].get<std::int64_t>();
  EXPECT_EQ(sum, b["headline"]["victims"]["known"]["value"].get<std::int64_t>());
  // In the order questions writes them: by bitmask (police 1, health 2, nrm 4).
  EXPECT_EQ(o["patterns"][2]["pattern"], "110");
  EXPECT_EQ(o["patterns"][2]["lists"], json({"police", "health"}));
  // police: 40 + 12 + 7 + 5; health: 30 + 12 + 6 + 5; nrm: 20 + 7 + 6 + 5.
  EXPECT_EQ(o["list_totals"][0]["count"]["value"], 64);
  EXPECT_EQ(o["list_totals"][1]["count"]["value"], 53);
  EXPECT_EQ(o["list_totals"][2]["count"]["value"], 38);
}

TEST_F(BundleTest, PublicOverlapSuppressesSmallPatternsAndNoneCanBeRecovered) {
  add_estimate_run(estimate_summary());
  const auto b = bundle(Tier::Public);
  const auto& o = b["overlap"];
  int suppressed = 0;
  for (const auto& p : o["patterns"]) {
    const auto& v = p["count"]["value"];
    if (v.is_null()) {
      ++suppressed;
      continue;
    }
    EXPECT_TRUE(v == 0 || (v.get<int>() >= 10 && v.get<int>() % 5 == 0)) << p;
  }
  EXPECT_GE(suppressed, 3);  // 7, 6 and 5 at least
  EXPECT_EQ(o["patterns"][4]["count"]["suppressed"], "primary");  // 101: 7
  const auto audit = audit_overlap(b);
  EXPECT_TRUE(audit.safe()) << "a suppressed pattern can be recovered from the totals";
}

TEST_F(BundleTest, TheAuditCatchesAnOverlapBuiltToLeak) {
  // The checker itself: publish one pattern suppressed alone beside its total and it leaks.
  json b = {
      {"headline", {{"victims", {{"known", {{"value", 120}}}}}}},
      {"overlap",
       {{"lists", {"a", "b"}},
        {"patterns",
         {{{"pattern", "10"}, {"count", {{"value", 60}}}},
          {{"pattern", "01"}, {"count", {{"value", 55}}}},
          {{"pattern", "11"}, {"count", {{"value", nullptr}}}}}},
        {"list_totals", {{{"list", "a"}, {"count", {{"value", 65}}}}, {{"list", "b"}, {"count", {{"value", 60}}}}}}}}};
  EXPECT_FALSE(audit_overlap(b).safe());
}

TEST_F(BundleTest, ACaptureTableThatDoesNotAddUpIsAnError) {
  auto s = estimate_summary();
  s.victims_pattern_counts[1] = 41;
  add_estimate_run(s);
  EXPECT_THROW(bundle(Tier::Public), InternalError);
}

TEST_F(BundleTest, ModelsComparedMatchTheEstimateRun) {
  const auto s = estimate_summary();
  add_estimate_run(s);
  const auto exact = bundle(Tier::Restricted)["models"];
  const auto methods = json(estimate::to_json(s.victims_detail))["methods"];
  ASSERT_EQ(exact["methods"].size(), methods.size());
  for (const auto& row : exact["methods"]) {
    const auto& m = methods.at(row["method"].get<std::string>());
    EXPECT_DOUBLE_EQ(row["estimate"].get<double>(), m["estimate"].get<double>());
    EXPECT_EQ(row["interval"], m["interval"]);
    EXPECT_FALSE(row["label"].get<std::string>().empty());
    EXPECT_EQ(row["chosen"], row["method"] == "loglinear");
  }
  EXPECT_EQ(exact["loglinear"]["model"], "[12,13]");
  EXPECT_EQ(exact["loglinear"]["deviance"], 3.2);
  EXPECT_EQ(exact["loglinear"]["excluded"][0]["reason"], "a zero margin");
  EXPECT_EQ(exact["loglinear"]["top_models"].size(), 2u);
  EXPECT_EQ(exact["lcmcr"]["rhat"], 1.01);
  EXPECT_EQ(exact["known"]["value"], 120);

  // Public: estimates rounded like the headline's, intervals rounded outward.
  const auto pub = bundle(Tier::Public)["models"];
  for (const auto& row : pub["methods"]) {
    const auto& m = methods.at(row["method"].get<std::string>());
    const double e = row["estimate"].get<double>();
    EXPECT_EQ(e, std::round(e));
    EXPECT_LE(row["interval"][0].get<double>(), m["interval"][0].get<double>());
    EXPECT_GE(row["interval"][1].get<double>(), m["interval"][1].get<double>());
  }
  EXPECT_EQ(pub["methods"][0]["estimate"], bundle(Tier::Public)["headline"]["victims"]["estimate"]);
}

TEST_F(BundleTest, PublicStrataFlagsSayTheKindWithoutTheSmallCounts) {
  // The flags questions writes carry exact small counts and method messages; the public
  // tier keeps only the kind (issue 14: "too sparse: 3 known persons" leaked a count that
  // disclosure control suppresses in the table beside it).
  auto summary = estimate_summary();
  const std::vector<std::string> flags = {
      "too sparse: 3 known persons (fewer than 50)", "too sparse: police recorded only 2 (fewer than 5)",
      "not estimable: the table has 7 people on one list",
      "not estimable: no finite estimate or 95% interval (the lists cannot bound the number unseen)",
      "not recorded: shown so the unrecorded share is visible, not estimated"};
  summary.strata.clear();
  for (std::size_t i = 0; i < flags.size(); ++i) {
    questions::StratumEstimate st;
    st.dimension = "region";
    st.value = "R" + std::to_string(i);
    st.observed = 3;
    st.flag = flags[i];
    summary.strata.push_back(st);
  }
  add_estimate_run(summary);
  const auto pub = bundle(Tier::Public), restricted = bundle(Tier::Restricted);
  ASSERT_EQ(pub["strata"].size(), flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) {
    const auto flag = pub["strata"][i]["flag"].get<std::string>();
    EXPECT_FALSE(flag.empty()) << i;
    EXPECT_EQ(flag.find_first_of("0123456789"), std::string::npos) << flag;
    EXPECT_EQ(restricted["strata"][i]["flag"], flags[i]);
  }
  EXPECT_TRUE(pub["strata"][0]["flag"].get<std::string>().starts_with("too sparse"));
  EXPECT_TRUE(pub["strata"][4]["flag"].get<std::string>().starts_with("not recorded"));
}

TEST_F(BundleTest, AWeakFigureSaysSoInBothTiersAndThePublicOneWithoutTheTablesZeros) {
  // issue 13: auto's headline on a sparse table is flagged weak; a stratum's and a question's
  // figure carry the flag into the bundle. The reason names how many cells are empty (counts of
  // zero), which the public tier does not publish: it says the kind only.
  auto summary = estimate_summary();
  const std::string reason = "sparse table: 5 of 7 cells empty, 1 of 3 pairs of lists never share a person, so ...";
  summary.strata[0].weak_headline = reason;
  summary.still_involved.weak_headline = reason;
  add_estimate_run(summary);
  const auto pub = bundle(Tier::Public), restricted = bundle(Tier::Restricted);
  EXPECT_EQ(restricted["strata"][0]["weak"], reason);
  EXPECT_EQ(restricted["headline"]["still_involved"]["weak"], reason);
  for (const auto* b : {&pub["strata"][0], &pub["headline"]["still_involved"]}) {
    const auto text = b->at("weak").get<std::string>();
    EXPECT_TRUE(text.starts_with("the figure is weak: the table supports an interval")) << text;
    EXPECT_EQ(text.find_first_of("0123456789"), std::string::npos) << text;
  }
  // Not weak, or not estimated: no such key.
  for (const auto* b : {&pub, &restricted}) {
    EXPECT_FALSE((*b)["strata"][1].contains("weak"));
    EXPECT_FALSE((*b)["headline"]["victims"].contains("weak"));
  }
}

// A method chosen by name on a sparse table (estimate --db --method stepwise, say) is weak for
// another reason: its own interval missed often there, and auto's is the one to quote. The
// public tier says that, not "quote the interval"; auto's shrinkage reason keeps the words above.
TEST_F(BundleTest, AWeakFigureFromAMethodByNameTellsThePublicToQuoteTheDefaultsInterval) {
  std::vector<std::int64_t> counts(8, 0);
  counts[0b001] = 40, counts[0b010] = 30, counts[0b011] = 3, counts[0b100] = 35;  // 4 of 7 cells empty
  const auto table = estimate::CaptureTable::from_counts({"A", "B", "C"}, counts);
  auto summary = estimate_summary();
  summary.strata[0].weak_headline = estimate::sparse_weak_reason(table, "stepwise");
  summary.still_involved.weak_headline = estimate::sparse_selection_warning(table);
  summary.victims.weak_headline = estimate::sparse_weak_reason(table, "loglinear_shrinkage");
  ASSERT_FALSE(summary.strata[0].weak_headline.empty());
  add_estimate_run(summary);
  const auto pub = bundle(Tier::Public), restricted = bundle(Tier::Restricted);
  EXPECT_EQ(restricted["strata"][0]["weak"], summary.strata[0].weak_headline);
  for (const auto* b : {&pub["strata"][0], &pub["headline"]["still_involved"]}) {
    const auto text = b->at("weak").get<std::string>();
    EXPECT_NE(text.find("this method's interval often missed the true size"), std::string::npos) << text;
    EXPECT_NE(text.find("the default's interval is the one to quote"), std::string::npos) << text;
    EXPECT_EQ(text.find_first_of("0123456789"), std::string::npos) << text;
  }
  const auto shrinkage = pub["headline"]["victims"].value("weak", std::string());
  EXPECT_TRUE(shrinkage.starts_with("the figure is weak: the table supports")) << shrinkage;
}

TEST_F(BundleTest, NetworksReachThePublicBundleThroughTheirAllowListOnly) {
  const json published = {{"tier", "public"}, {"threshold", 10}, {"rounding_base", 5}, {"networks", 40},
                           {"cross_force_networks", 10}, {"multi_district_networks", 15},
                           {"size_distribution", {{"1", 20}, {"2", 10}, {"3-4", 10}, {"5-9", 0}, {"10+", 0}}},
                           {"size_unit", "suspects per network"}, {"top_area_pairs", json::array()},
                           {"large_networks", json::array()}, {"run_id", 1}, {"link_runs", {{"victim", 1}}},
                           {"min_bridge", 2}, {"cross_source_suspect", true}, {"diagnostics", {{"cases", 30}}}};
  // What the networks stage also saves: its evaluation against a simulator's truth, its
  // time, and a key a later version might add.
  const json withheld = {{"ari", 0.9}, {"pairwise_f1", 0.91}, {"true_networks", 41}, {"groups", 600},
                         {"groups_cross_force", 58}, {"true_networks_declared_cross_force", 42},
                         {"seconds", 1.5}, {"a_new_figure", 7}};
  json summary = published;
  summary.update(withheld);
  const auto run = store_->start_run("networks", "{}");
  store_->finish_run(run, "done", summary.dump());
  const auto published_bundle = publishable_bundle(*store_, testing::test_areas(), Tier::Public);
  EXPECT_EQ(published_bundle.bundle["networks"], published);
  for (const auto& [key, value] : withheld.items())
    EXPECT_FALSE(published_bundle.bundle["networks"].contains(key)) << key;
  // Its counts are in the exact audit with the others.
  const auto& names = published_bundle.audit->names;
  EXPECT_NE(std::find(names.begin(), names.end(), "networks.size_distribution[3-4]"), names.end());
  const auto restricted = publishable_bundle(*store_, testing::test_areas(), Tier::Restricted);
  EXPECT_FALSE(restricted.audit);
  EXPECT_EQ(restricted.bundle["tier"], "restricted");
}

TEST_F(BundleTest, WithoutAnEstimateRunOverlapAndModelsAreNull) {
  const auto b = bundle(Tier::Public);
  EXPECT_TRUE(b["overlap"].is_null());
  EXPECT_TRUE(b["models"].is_null());
  EXPECT_TRUE(b["linkage"].is_array());
  EXPECT_TRUE(b["linkage"].empty());
}

TEST_F(BundleTest, LinkageDiagnosticsWithoutBlockingKeysAndWithCountsControlled) {
  testing::write_file(dir_ / "a.csv", testing::sample_file(40));
  ingest_file(*store_, testing::test_areas(), dir_ / "a.csv");
  std::vector<std::int64_t> victims;
  store_->for_each_record(Role::victim, [&](const StoredRecord& r) { victims.push_back(r.record_pk); });
  ASSERT_GE(victims.size(), 4u);
  const json diag = {
      {"role", "victim"},
      {"records", 5534},
      {"persons", 1683},
      {"candidate_pairs", 40741},
      {"blocking",
       {{{"rule", "nhs_number"},
         {"pairs_implied", 870},
         {"pairs_new", 868},
         {"largest_blocks", {{{"key", "6042559087"}, {"records", 7}, {"pairs", 21}}}}}}},
      {"model",
       {{"em_iterations", 12},
        {"em_converged", true},
        {"prior", 0.001},
        {"fields",
         {{{"field", "dob"},
           {"comparator", "date"},
           {"levels",
            {{{"level", "else"}, {"m", 0.01}, {"u", 0.8}}, {{"level", "exact"}, {"m", 0.88}, {"u", 0.0011}}}}}}}}},
      {"cluster", {{"largest", 13}, {"refused_hard_rule", 27}, {"refused_cohesion", 3}, {"refused_clerical", 0}}}};
  const auto run = store_->start_run("link", R"({"threshold": 0.6})");
  LinkRunOutput out;
  out.role = Role::victim;
  out.pairs = {
      {victims[0], victims[1], 9.0, 0.99}, {victims[1], victims[2], 5.0, 0.91}, {victims[2], victims[3], 0.0, 0.3}};
  out.diagnostics_json = diag.dump();
  store_->save_link_run(run, out);
  store_->finish_run(run, "done", "{}");

  const auto diagnostics = store_->latest_link_diagnostics();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].run_id, run);
  EXPECT_EQ(diagnostics[0].linked_pairs, 2);  // the pair at 0.3 is under the run's threshold
  EXPECT_NEAR(diagnostics[0].mean_probability, 0.95, 1e-9);

  const auto pub = bundle(Tier::Public);
  EXPECT_EQ(pub.dump().find("6042559087"), std::string::npos) << "a blocking key reached the bundle";
  const auto& l = pub["linkage"][0];
  EXPECT_EQ(l["role"], "victim");
  EXPECT_EQ(l["threshold"], 0.6);
  EXPECT_NEAR(l["estimated_precision"].get<double>(), 0.95, 1e-9);
  EXPECT_EQ(l["records"]["value"], 5535);
  EXPECT_EQ(l["persons"]["value"], 1685);
  EXPECT_TRUE(l["refused_merges"]["cohesion"]["value"].is_null());  // 3: suppressed
  EXPECT_FALSE(l.contains("largest_cluster"));
  EXPECT_EQ(l["blocking"][0]["pairs_new"]["value"], 870);
  const auto& exact_level = l["fields"][0]["levels"][1];
  EXPECT_NEAR(exact_level["weight"].get<double>(), std::log2(0.88 / 0.0011), 1e-9);

  const auto restricted = bundle(Tier::Restricted)["linkage"][0];
  EXPECT_EQ(restricted["records"]["value"], 5534);
  EXPECT_EQ(restricted["largest_cluster"], 13);
}

TEST_F(BundleTest, ReviewPairsAreInTheRestrictedBundleOnlyAndThePublicOneNamesNoRecordOrPerson) {
  testing::write_file(dir_ / "a.csv", testing::sample_file(40));
  ingest_file(*store_, testing::test_areas(), dir_ / "a.csv");
  std::vector<std::int64_t> victims;
  std::vector<std::string> record_ids;
  store_->for_each_record(Role::victim, [&](const StoredRecord& r) {
    victims.push_back(r.record_pk);
    record_ids.push_back(r.record.record_id);
  });
  ASSERT_GE(victims.size(), 4u);
  const json diag = {
      {"role", "victim"},
      {"records", static_cast<std::int64_t>(victims.size())},
      {"persons", 3},
      {"candidate_pairs", 10},
      {"model",
       {{"em_iterations", 5},
        {"em_converged", true},
        {"prior", 0.01},
        {"fields",
         {{{"field", "dob"},
           {"comparator", "date"},
           {"levels",
            {{{"level", "else"}, {"m", 0.01}, {"u", 0.8}}, {{"level", "exact"}, {"m", 0.88}, {"u", 0.0011}}}}},
          {{"field", "postcode"},
           {"comparator", "postcode"},
           {"levels", {{{"level", "else"}, {"m", 0.1}, {"u", 0.9}}}}}}}}}};
  const auto run = store_->start_run("link", R"({"threshold": 0.5, "review": [0.2, 0.8]})");
  LinkRunOutput out;
  out.role = Role::victim;
  // Persons 913579001 (records 0 and 1) and 913579002 (record 2), 913579003 (the others).
  for (std::size_t i = 0; i < victims.size(); ++i)
    out.person_of_record.emplace_back(victims[i], i < 2 ? 913579001 : i == 2 ? 913579002 : 913579003);
  for (std::int64_t id : {913579001, 913579002, 913579003}) {
    LinkedPerson p;
    p.person_id = id;
    p.role = Role::victim;
    p.capture_history = {SourceType::police};
    p.first_date = p.last_date = Date{2024, 1, 1};
    p.age_band = "13-15";
    p.sex = Sex::F;
    out.persons.push_back(p);
  }
  out.pairs = {{victims[0], victims[1], 1.5, 0.6}, {victims[1], victims[2], -0.5, 0.3}};
  out.review = {{victims[1], victims[2], -0.5, 0.3, R"({"dob":"else","postcode":"else"})"},
                {victims[0], victims[1], 1.5, 0.6, R"({"dob":"exact","postcode":"else"})"}};
  out.diagnostics_json = diag.dump();
  store_->save_link_run(run, out);
  store_->finish_run(run, "done", "{}");

  const auto restricted = bundle(Tier::Restricted);
  ASSERT_EQ(restricted["review"].size(), 1u);
  const auto& r = restricted["review"][0];
  EXPECT_EQ(r["role"], "victim");
  EXPECT_EQ(r["band"], json({0.2, 0.8}));
  EXPECT_EQ(r["fields"], json({"dob", "postcode"}));
  EXPECT_EQ(r["pairs_in_band"], 2);
  ASSERT_EQ(r["pairs"].size(), 2u);
  const auto& top = r["pairs"][0];  // most probable first
  EXPECT_EQ(top["probability"], 0.6);
  EXPECT_EQ(top["weight"], 1.5);
  EXPECT_EQ(top["a"]["record_id"], record_ids[0]);
  EXPECT_EQ(top["b"]["record_id"], record_ids[1]);
  EXPECT_EQ(top["a"]["source_type"], "police");
  EXPECT_EQ(top["a"]["person_id"], 913579001);
  EXPECT_TRUE(top["same_person"].get<bool>());
  EXPECT_EQ(top["levels"]["dob"], "exact");
  EXPECT_FALSE(r["pairs"][1]["same_person"].get<bool>());

  // The public bundle: no review, and no record id or person id anywhere in it.
  const auto pub = bundle(Tier::Public);
  EXPECT_FALSE(pub.contains("review"));
  const std::string text = pub.dump();
  for (const char* key : {"record_id", "person_id", "record_pk", "\"review\"", "same_person"})
    EXPECT_EQ(text.find(key), std::string::npos) << key << " in the public bundle";
  for (const auto& id : record_ids)
    EXPECT_EQ(text.find(id), std::string::npos) << "record id " << id << " in the public bundle";
  EXPECT_EQ(text.find("913579001"), std::string::npos);
}

// Issue 11's acceptance, "where no method can meet it, say so, and show that the report then
// warns": a trap-happy country (a first record raises the odds of a later one on another list
// by e^1.5), through simulate, ingest, link and estimate. The total comes out far below the
// truth with an interval that misses it, and the public bundle's victims card carries the
// caution of the assumption the lists cannot test.
TEST(BundleBehaviour, ATrapHappyCountrysPublicBundleWarnsOfTheAssumptionTheListsCannotTest) {
  testing::TempDir dir;
  auto config = simulate::scenario_config("behaviour_happy_strong");
  simulate::set_param(config, "scale", 0.3);
  const auto country = testing::simulate_ingest_link_victims(dir.path(), config, 11);
  SqliteStore& store = *country.store;
  questions::QuestionsOptions qo;
  qo.estimate.bootstrap_replicates = 20;
  qo.linkage_draws = 0;
  qo.thresholds.clear();
  const auto answers = questions::answer_four_questions(store, testing::test_areas(), qo);
  const auto run = store.start_run("estimate", "{}");
  store.finish_run(run, "done", answers.to_json().dump());

  const auto truth = read_simulated_truth(country.country);
  const auto victims = build_bundle(store, testing::test_areas(), Tier::Public)["headline"]["victims"];
  const double high = victims["interval"][1].get<double>();
  // The mechanism at work: the interval misses a truth well above it.
  EXPECT_LT(high, 0.9 * static_cast<double>(truth.victims)) << victims.dump();
  // The offences' floor is said on its card.
  const auto offences = build_bundle(store, testing::test_areas(), Tier::Public)["headline"]["offences"];
  ASSERT_EQ(offences["cautions"].size(), 1u) << offences.dump();
  EXPECT_TRUE(offences["cautions"][0].get<std::string>().starts_with("A floor, not the tally"));
  bool warned = false;
  for (const auto& c : victims["cautions"])
    warned = warned || c.get<std::string>().find("being recorded by one agency does not in itself change a child's "
                                                 "chance of being recorded by another") != std::string::npos;
  EXPECT_TRUE(warned) << victims["cautions"].dump();
}

}  // namespace joindots::report
