#include "link/config.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace joindots::link {
namespace {

std::string usage_error(const std::string& toml) {
  try {
    parse_link_settings(toml, "link.toml");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(LinkConfig, UnknownFieldListsValidFields) {
  const auto msg = usage_error("[columns]\nshoe_size = \"shoes\"\n");
  EXPECT_NE(msg.find("shoe_size"), std::string::npos) << msg;
  EXPECT_NE(msg.find("given_name"), std::string::npos) << msg;
  const auto msg2 = usage_error("[compare]\nfields = [\"given_name\", \"hair\"]\n");
  EXPECT_NE(msg2.find("unknown field 'hair'"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("family_name"), std::string::npos) << msg2;
}

TEST(LinkConfig, UnknownComparatorListsValidComparators) {
  const auto msg = usage_error("[compare]\ngiven_name = \"soundalike\"\n");
  EXPECT_NE(msg.find("unknown comparator 'soundalike'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("jaro_winkler"), std::string::npos) << msg;
  EXPECT_NE(msg.find("damerau_levenshtein"), std::string::npos) << msg;
}

TEST(LinkConfig, UnknownSectionKeyTransformAndRange) {
  EXPECT_NE(usage_error("[clusters]\nthreshold = 0.5\n").find("valid sections are"), std::string::npos);
  EXPECT_NE(usage_error("[cluster]\nthreshhold = 0.5\n").find("threshold"), std::string::npos);
  EXPECT_NE(usage_error("[blocking]\nrules = [[\"dob.decade\"]]\n").find("valid transforms"), std::string::npos);
  EXPECT_NE(usage_error("[cluster]\nthreshold = 1.5\n").find("out of range"), std::string::npos);
  EXPECT_NE(usage_error("[cluster\n").find("link.toml:"), std::string::npos);
}

TEST(LinkConfig, ParsesAndResolvesAgainstAvailableFields) {
  const auto s = parse_link_settings(R"(
[columns]
id = "rec_id"
given_name = "first"
family_name = "last"
dob = "born"
[compare]
family_name = "jaro_winkler"
[blocking]
rules = [["dob"], ["family_name.soundex", "dob.year"]]
max_pairs = 1000
[cluster]
threshold = 0.7
)",
                                     "t.toml");
  EXPECT_EQ(s.mapping.column[static_cast<std::size_t>(Field::given_name)], "first");
  std::bitset<kFieldCount> avail;
  avail.set(static_cast<std::size_t>(Field::given_name));
  avail.set(static_cast<std::size_t>(Field::family_name));
  avail.set(static_cast<std::size_t>(Field::dob));
  const LinkConfig c = resolve_link_config(s, avail);
  ASSERT_EQ(c.comparisons.size(), 3u);
  EXPECT_EQ(c.comparisons[1].comparator, Comparator::jaro_winkler);
  EXPECT_TRUE(c.comparisons[1].tf_adjust);
  EXPECT_EQ(c.blocking.size(), 2u);
  EXPECT_EQ(c.max_pairs, 1000);
  EXPECT_DOUBLE_EQ(c.threshold, 0.7);
  // Default rules keep only those over compared fields.
  const LinkConfig d = resolve_link_config(LinkSettings{}, avail);
  for (const auto& rule : d.blocking)
    for (const auto& k : rule.keys) EXPECT_TRUE(avail[static_cast<std::size_t>(k.field)]) << rule.text();
  // A rule over a field the input lacks is a usage error.
  auto bad = parse_link_settings("[blocking]\nrules = [[\"postcode\"]]\n", "t.toml");
  EXPECT_THROW(resolve_link_config(bad, avail), UsageError);
}

}  // namespace
}  // namespace joindots::link
