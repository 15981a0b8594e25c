#include "records/normalise.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "records/fields.hpp"

namespace joindots::link {
namespace {

TEST(LinkNormalise, TextFoldsCaseAccentsPunctuationAndSpaces) {
  const std::pair<const char*, const char*> cases[] = {
      {"  José  Ñúñez-Smith ", "jose nunez smith"},
      {"O'Brien", "obrien"},
      {"O\u2019Brien", "obrien"},
      {"STRAßE", "strasse"},
      {"Søren Ærø", "soren aero"},
      {"ﬁona", "fiona"},  // NFKC ligature
      {"Anne-Marie  (Annie)", "anne marie annie"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(normalise_text(in), out) << in;
}

TEST(LinkNormalise, NamesDropTitlesAndJoinParticles) {
  EXPECT_EQ(normalise_name("Mr John Smith"), "john smith");
  EXPECT_EQ(normalise_name("Van der Berg"), "vanderberg");
  EXPECT_EQ(normalise_name("Mc Donald"), "mcdonald");
  EXPECT_EQ(normalise_name("De La Cruz"), "delacruz");
  EXPECT_EQ(normalise_name("Miss"), "miss");  // a title alone is kept
}

TEST(LinkNormalise, NicknamesMapToFormalNames) {
  auto f = formal_given_names("bob");
  EXPECT_NE(std::find(f.begin(), f.end(), "robert"), f.end());
  EXPECT_TRUE(formal_given_names("zebedee").empty());
}

TEST(LinkNormalise, PartialDates) {
  EXPECT_EQ(*parse_link_date("2009-03-14"), (LinkDate{2009, 3, 14}));
  EXPECT_EQ(*parse_link_date("20090314"), (LinkDate{2009, 3, 14}));
  EXPECT_EQ(*parse_link_date("14/03/2009"), (LinkDate{2009, 3, 14}));
  EXPECT_EQ(*parse_link_date("2009-03"), (LinkDate{2009, 3, 0}));
  EXPECT_EQ(*parse_link_date("2009"), (LinkDate{2009, 0, 0}));
  EXPECT_EQ(*parse_link_date("1630-08-01"), (LinkDate{1630, 8, 1}));  // historical dates too
  EXPECT_FALSE(parse_link_date("soon"));
  EXPECT_FALSE(parse_link_date(""));
  EXPECT_EQ(parse_link_date("2009-03-14")->digits(), "20090314");
  EXPECT_EQ(*date_from_parts("1949", "7", "22"), (LinkDate{1949, 7, 22}));
  EXPECT_EQ(*date_from_parts("1949", "", ""), (LinkDate{1949, 0, 0}));
}

TEST(LinkNormalise, UkPostcodesSplitIntoParts) {
  auto p = split_postcode("tq13 8df");
  EXPECT_TRUE(p.uk);
  EXPECT_EQ(p.area, "TQ");
  EXPECT_EQ(p.district, "TQ13");
  EXPECT_EQ(p.sector, "TQ138");
  EXPECT_EQ(p.unit, "TQ138DF");
  EXPECT_EQ(split_postcode("TQ138DF").unit, "TQ138DF");
  EXPECT_EQ(split_postcode("SW1A 1AA").district, "SW1A");
  auto partial = split_postcode("LS6 2");
  EXPECT_TRUE(partial.uk);
  EXPECT_EQ(partial.sector, "LS62");
  EXPECT_EQ(partial.unit, "");
  auto district = split_postcode("M1");
  EXPECT_EQ(district.district, "M1");
  EXPECT_EQ(district.area, "M");
  auto au = split_postcode("4011");
  EXPECT_FALSE(au.uk);
  EXPECT_EQ(au.unit, "4011");
}

TEST(LinkNormalise, RecordGetsAliasesNicknamesAndTokens) {
  RawRecord raw;
  raw.value[static_cast<std::size_t>(Field::given_name)] = "Bob";
  raw.value[static_cast<std::size_t>(Field::family_name)] = "Smith-Jones";
  raw.value[static_cast<std::size_t>(Field::dob)] = "2008-05";
  raw.value[static_cast<std::size_t>(Field::sex)] = "Male";
  raw.other_names = "Bobby|Rob Smith";
  const LinkRecord r = normalise_record(raw);
  EXPECT_EQ(r[Field::given_name], "bob");
  EXPECT_EQ(r[Field::dob], "200805");
  EXPECT_EQ(r[Field::sex], "m");
  EXPECT_NE(std::find(r.given_alts.begin(), r.given_alts.end(), "robert"), r.given_alts.end());
  EXPECT_NE(std::find(r.given_alts.begin(), r.given_alts.end(), "bobby"), r.given_alts.end());
  EXPECT_NE(std::find(r.family_alts.begin(), r.family_alts.end(), "jones"), r.family_alts.end());
}

}  // namespace
}  // namespace joindots::link
