// The acceptance test of issue 15 ("no output changes"): the public bundle of a small
// simulated country at a fixed seed, through the whole pipeline, against the reference
// committed in tests/report/reference/ (bundle_reference.sh says when regenerating it is
// legitimate), and the comparison itself against perturbed copies of that reference.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "report/json_compare.hpp"
#include "test_support.hpp"

namespace joindots::testing {

namespace {

using nlohmann::json;

const std::filesystem::path kSourceDir = JOINDOTS_TEST_SOURCE_DIR;

json reference_bundle() {
  const auto path = kSourceDir / "tests" / "report" / "reference" / "bundle-public.json";
  return json::parse(read_file(path));
}

/// The moment the bundle was written is the one field that must differ between runs.
JsonCompareOptions bundle_options() {
  JsonCompareOptions o;
  o.ignored_paths = {"$.generated_at"};
  return o;
}

}  // namespace

TEST(ReportReference, PublicBundleMatchesTheReference) {
  TempDir dir;
  const std::string cmd = "JOINDOTS_DATA_DIR='" + test_data_dir().string() + "' '" +
                          (kSourceDir / "tests" / "report" / "bundle_reference.sh").string() + "' '" + JOINDOTS_CLI +
                          "' '" + (dir / "run").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const json actual = json::parse(read_file(dir / "run" / "bundle-public.json"));
  const json expected = reference_bundle();
  ASSERT_EQ(expected.value("tier", ""), "public");
  const auto difference = first_json_difference(expected, actual, bundle_options());
  EXPECT_FALSE(difference) << "the public bundle differs from tests/report/reference/bundle-public.json at "
                           << *difference << " (see tests/report/bundle_reference.sh before regenerating it)";
}

TEST(ReportReference, TheComparisonFindsOnePerturbedFigure) {
  const json expected = reference_bundle();
  ASSERT_TRUE(expected["headline"]["victims"]["estimate"].is_number()) << "the reference should hold an estimate";
  EXPECT_FALSE(first_json_difference(expected, expected, bundle_options()));

  json perturbed = expected;
  const double estimate = expected["headline"]["victims"]["estimate"].get<double>();
  perturbed["headline"]["victims"]["estimate"] = estimate * (1 + 1e-7);
  const auto d = first_json_difference(expected, perturbed, bundle_options());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rfind("$.headline.victims.estimate: expected", 0), 0u) << *d;

  // Within the tolerance: the same figure.
  perturbed["headline"]["victims"]["estimate"] = estimate * (1 + 1e-11);
  EXPECT_FALSE(first_json_difference(expected, perturbed, bundle_options()));

  // The first stratum's published count, deep in an array.
  ASSERT_FALSE(expected["strata"].empty());
  perturbed = expected;
  auto& known = perturbed["strata"][0]["known"]["value"];
  known = known.is_null() ? json(5) : json(known.get<std::int64_t>() + 5);
  const auto ds = first_json_difference(expected, perturbed, bundle_options());
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->rfind("$.strata[0].known.value:", 0), 0u) << *ds;
}

TEST(ReportReference, TheComparisonFindsAMissingOrAddedKeyAndAShorterArray) {
  const json expected = reference_bundle();
  json missing = expected;
  missing["headline"]["victims"].erase("method");
  auto d = first_json_difference(expected, missing, bundle_options());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rfind("$.headline.victims.method: missing (expected \"auto: ", 0), 0u) << *d;

  json added = expected;
  added["headline"]["victims"]["truth"] = 1;
  d = first_json_difference(expected, added, bundle_options());
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "$.headline.victims.truth: not expected (found 1)");

  json shorter = expected;
  shorter["areas"].erase(shorter["areas"].size() - 1);
  d = first_json_difference(expected, shorter, bundle_options());
  ASSERT_TRUE(d);
  EXPECT_EQ(*d,
            fmt::format("$.areas: expected {} elements, found {}", expected["areas"].size(), shorter["areas"].size()));

  json retyped = expected;
  retyped["tier"] = nullptr;
  d = first_json_difference(expected, retyped, bundle_options());
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "$.tier: expected string \"public\", found null null");

  // Only the ignored path may differ freely.
  json later = expected;
  later["generated_at"] = "2099-01-01T00:00:00Z";
  EXPECT_FALSE(first_json_difference(expected, later, bundle_options()));
  EXPECT_TRUE(first_json_difference(expected, later, {}));
}

}  // namespace joindots::testing
