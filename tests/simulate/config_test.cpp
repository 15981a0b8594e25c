#include "simulate/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "test_support.hpp"

namespace joindots::simulate {

namespace {

std::string usage_message(const std::string& toml) {
  try {
    parse_config(toml, "test.toml");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(SimulateConfig, TheTableIsWellFormedAndDefaultsAreInBounds) {
  std::set<std::string_view> names;
  for (const auto& spec : param_specs()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_FALSE(spec.source.empty()) << spec.name;
    EXPECT_FALSE(spec.group.empty()) << spec.name;
    if (spec.kind == ParamKind::Date) {
      EXPECT_NE(spec.date, nullptr);
      EXPECT_TRUE(Date::parse_full(spec.default_date).has_value()) << spec.name;
    } else {
      EXPECT_NE(spec.number, nullptr);
      EXPECT_GE(spec.default_value, spec.lo) << spec.name;
      EXPECT_LE(spec.default_value, spec.hi) << spec.name;
    }
  }
  EXPECT_NO_THROW(validate(SimConfig::defaults()));
  // The echo holds every parameter but the generating mechanisms left at their default (so
  // a default run's summary.json is unchanged by their existence).
  const auto mechanisms =
      std::count_if(param_specs().begin(), param_specs().end(),
                    [](const ParamSpec& spec) { return spec.group == "mechanisms"; });
  EXPECT_GT(mechanisms, 0);
  EXPECT_EQ(config_to_json(SimConfig::defaults()).size(),
            param_specs().size() - static_cast<std::size_t>(mechanisms));
}

TEST(SimulateConfig, TomlOverridesDefaultsFlatOrInTables) {
  const auto c = parse_config(
      "scale = 2\ntypo_rate = 0.05\n[period]\nstudy_start = 2019-04-01\n"
      "study_end = \"2024-03-31\"\nreference_date = 2024-03-31\n");
  EXPECT_EQ(c.scale, 2);
  EXPECT_EQ(c.typo_rate, 0.05);
  EXPECT_EQ(c.study_start.str(), "2019-04-01");
  EXPECT_EQ(c.study_end.str(), "2024-03-31");
  EXPECT_EQ(c.female_share, SimConfig::defaults().female_share);
}

TEST(SimulateConfig, UnknownKeyListsTheValidNames) {
  const auto msg = usage_message("typo_rat = 0.1\n");
  EXPECT_NE(msg.find("'typo_rat'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("valid parameters are"), std::string::npos) << msg;
  for (const auto& spec : param_specs())
    EXPECT_NE(msg.find(spec.name), std::string::npos) << spec.name;
  EXPECT_NE(usage_message("[noise]\nbogus = 1\n").find("'bogus'"), std::string::npos);
}

TEST(SimulateConfig, OutOfBoundsWrongTypeAndBadDatesNameTheParameter) {
  EXPECT_NE(
      usage_message("female_share = 1.5\n").find("'female_share' = 1.5 is out of bounds [0, 1]"),
      std::string::npos);
  EXPECT_NE(usage_message("groups = 10.5\n").find("'groups'"), std::string::npos);
  EXPECT_NE(usage_message("typo_rate = \"high\"\n").find("'typo_rate' must be a number"),
            std::string::npos);
  EXPECT_NE(usage_message("study_end = 2017-01-01\n").find("study_end"), std::string::npos);
  EXPECT_NE(usage_message("reference_date = 2020-01-01\n").find("reference_date"),
            std::string::npos);
  EXPECT_NE(usage_message("study_start = \"2019-13-01\"\n").find("study_start"), std::string::npos);
  EXPECT_NE(usage_message("scale = \n").find("test.toml"),
            std::string::npos);  // parse error names the file
  SimConfig c = SimConfig::defaults();
  EXPECT_THROW(set_param(c, "scale", 0.0), UsageError);
  EXPECT_THROW(set_param(c, "nope", 1.0), UsageError);
  EXPECT_NO_THROW(set_param(c, "scale", 3.0));
  EXPECT_EQ(c.scale, 3.0);
}

TEST(SimulateConfig, LoadConfigReadsAFile) {
  testing::TempDir dir;
  testing::write_file(dir / "c.toml", "groups = 10\n");
  EXPECT_EQ(load_config(dir / "c.toml").groups, 10);
  EXPECT_THROW(load_config(dir / "missing.toml"), UsageError);
}

}  // namespace joindots::simulate

namespace joindots::simulate {

TEST(SimulateConfig, DocsHoldTheParameterTableVerbatim) {
  const auto docs = std::filesystem::path(JOINDOTS_TEST_SOURCE_DIR) / "docs" / "simulator.md";
  const std::string text = testing::read_file(docs);
  ASSERT_FALSE(text.empty()) << docs;
  const std::string begin = "<!-- params:begin -->\n", end = "<!-- params:end -->";
  const auto b = text.find(begin), e = text.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(text.substr(b + begin.size(), e - b - begin.size()), params_markdown())
      << "regenerate the table in docs/simulator.md with `joindots simulate --params`";
}

}  // namespace joindots::simulate
