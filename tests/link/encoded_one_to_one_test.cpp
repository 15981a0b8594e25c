// The one-to-one mode of linkage on encodings (link/encoded_model.hpp, fit_one_to_one_model):
// two files of one record a person, FEBRL4's case, against the stage's standard fit.
#include <gtest/gtest.h>

#include <cstdio>

#include "../../bench/encoded_febrl_data.hpp"
#include "link/encoded_model.hpp"
#include "test_support.hpp"

namespace joindots::link {
namespace {

std::filesystem::path febrl(const char* name) { return testing::test_data_dir() / "linkage" / name; }

// The bench's FEBRL run (bench/encoded_febrl.cpp, `joindots_encoded_febrl DIR 15 EM_FIX_U`).
RoleRun link_febrl(const bench::FebrlEncoded& f, bool em_fix_u) {
  LinkConfig config;
  if (!f.dedup) config.max_per_source = 1;
  config.hard_fields.clear();
  config.em_fix_u = em_fix_u;
  StoreLinkOptions options;
  options.truth = f.truth;
  options.quiet = true;
  encode::Candidates cand;
  return link_encoded_records(f.d, Role::victim, config, options, cand);
}

bench::FebrlScheme four_fields() {
  bench::FebrlScheme s;
  s.suburb_bits = 15;
  return s;
}

TEST(EncodedOneToOne, AppliesOnlyToTwoSourcesOfOneRecordAPerson) {
  EncodedRole d;
  d.orgs = {"a", "b"};
  d.source = {0, 1, 0, 1};
  LinkConfig config;
  EXPECT_FALSE(one_to_one_applies(d, config)) << "no limit of one record a source";
  config.max_per_source = 1;
  EXPECT_TRUE(one_to_one_applies(d, config));
  d.orgs.push_back("c");
  d.source.push_back(2);
  EXPECT_FALSE(one_to_one_applies(d, config)) << "three sources";
  d.orgs = {"a"};
  d.source = {0, 0, 0};
  EXPECT_FALSE(one_to_one_applies(d, config)) << "one source";
  config.max_per_source = 2;
  d.orgs = {"a", "b"};
  d.source = {0, 1};
  EXPECT_FALSE(one_to_one_applies(d, config)) << "two records a source";
}

TEST(EncodedOneToOne, Febrl4OnFourFieldsLinksAsPlaintextDoes) {
  const bench::FebrlEncoded f = bench::encode_febrl(febrl("febrl4"), four_fields());
  ASSERT_FALSE(f.dedup);
  ASSERT_EQ(f.d.size(), 10'000u);
  const RoleRun rr = link_febrl(f, false);
  const auto& enc = rr.diagnostics_extra["encoded"];
  EXPECT_EQ(enc["em_mode"], "one_to_one");
  EXPECT_EQ(enc["one_to_one"], true);
  EXPECT_EQ(enc["em_u"], "fitted");
  EXPECT_LE(enc["one_to_one_assigned"].get<std::int64_t>(), 5000);
  ASSERT_TRUE(rr.evaluation);
  // The stage's standard fit gave 0.905 here (u among the candidates by the guard) and 0.981
  // with u fixed; plaintext on the same four fields 0.977 (bench/README.md).
  EXPECT_GE(rr.evaluation->f1, 0.98);
  EXPECT_TRUE(rr.result.warnings.empty());
  // em_fix_u does not apply to the mode: the same fit.
  const RoleRun fixed = link_febrl(f, true);
  ASSERT_TRUE(fixed.evaluation);
  EXPECT_EQ(fixed.evaluation->f1, rr.evaluation->f1);
  EXPECT_EQ(fixed.result.model.lambda_candidates, rr.result.model.lambda_candidates);
  std::printf("[ measured ] FEBRL4 four fields, one to one: F1 %.4f (precision %.4f, recall %.4f), share %.4f\n",
              rr.evaluation->f1, rr.evaluation->precision, rr.evaluation->recall, rr.result.model.lambda_candidates);
}

TEST(EncodedOneToOne, Febrl3OneFileWithDuplicatesKeepsTheStandardFit) {
  const bench::FebrlEncoded f = bench::encode_febrl(febrl("febrl3"), four_fields());
  ASSERT_TRUE(f.dedup);
  const RoleRun rr = link_febrl(f, false);
  const auto& enc = rr.diagnostics_extra["encoded"];
  EXPECT_EQ(enc["em_mode"], "standard");
  EXPECT_EQ(enc["one_to_one"], false);
  ASSERT_TRUE(rr.evaluation);
  // bench/README.md: 0.857 by the stage's rule on u (before the one-to-one mode too).
  EXPECT_NEAR(rr.evaluation->f1, 0.857, 0.002);
  std::printf("[ measured ] FEBRL3 four fields, standard fit: F1 %.4f\n", rr.evaluation->f1);
}

}  // namespace
}  // namespace joindots::link
