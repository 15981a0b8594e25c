#include "core/identifiers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace joindots {

TEST(NhsNumber, AcceptsTheNhsTestNumber) {
  // 943 476 5919 is the example NHS number used in NHS Digital's documentation.
  auto n = normalise_nhs_number("943 476 5919");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, "9434765919");
  EXPECT_EQ(nhs_check_digit("943476591"), 9);
}

TEST(NhsNumber, RejectsAWrongCheckDigitOrShape) {
  std::string why;
  EXPECT_FALSE(normalise_nhs_number("9434765918", &why));
  EXPECT_NE(why.find("check digit"), std::string::npos);
  EXPECT_FALSE(normalise_nhs_number("943476591", &why));
  EXPECT_NE(why.find("10 digits"), std::string::npos);
  EXPECT_FALSE(normalise_nhs_number("94347659A9"));
}

TEST(NhsNumber, StemsWhoseCheckWouldBeTenAreInvalid) {
  // Sum 10*1 + ... : find a stem whose remainder is 1, so 11 - 1 = 10 is not a digit.
  int found = 0;
  for (int i = 0; i < 2000 && !found; ++i) {
    char stem[10];
    std::snprintf(stem, sizeof stem, "%09d", 100000000 + i * 7);
    if (nhs_check_digit(stem) == -1) {
      for (char c = '0'; c <= '9'; ++c) EXPECT_FALSE(normalise_nhs_number(std::string(stem) + c));
      found = 1;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Upn, CheckLetterDetectsEverySingleCharacterChange) {
  const std::string body = "801200100001";
  const std::string upn = std::string(1, upn_check_letter(body)) + body;
  EXPECT_TRUE(normalise_upn(upn));
  for (std::size_t i = 1; i < upn.size(); ++i) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == upn[i]) continue;
      std::string changed = upn;
      changed[i] = c;
      EXPECT_FALSE(normalise_upn(changed)) << changed;
    }
  }
}

TEST(PncId, Shapes) {
  EXPECT_EQ(*normalise_pnc_id("09/123456x"), "09/123456X");
  EXPECT_TRUE(normalise_pnc_id("98/1234567A"));
  EXPECT_FALSE(normalise_pnc_id("1998/123A"));
  EXPECT_FALSE(normalise_pnc_id("09123456X"));
}

struct PostcodeCase {
  const char* in;
  const char* out;  // nullptr: invalid
};

class Postcodes : public ::testing::TestWithParam<PostcodeCase> {};

TEST_P(Postcodes, NormaliseOrReject) {
  auto got = normalise_postcode(GetParam().in);
  if (GetParam().out) {
    ASSERT_TRUE(got) << GetParam().in;
    EXPECT_EQ(*got, GetParam().out);
  } else {
    EXPECT_FALSE(got) << GetParam().in << " -> " << got.value_or("");
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Postcodes,
                         ::testing::Values(PostcodeCase{"sw1a 1aa", "SW1A 1AA"}, PostcodeCase{"M11AE", "M1 1AE"},
                                           PostcodeCase{"B33 8TH", "B33 8TH"}, PostcodeCase{"CR2 6XH", "CR2 6XH"},
                                           PostcodeCase{"DN55 1PT", "DN55 1PT"}, PostcodeCase{"S60 1", "S60 1"},
                                           PostcodeCase{"S60", "S60"}, PostcodeCase{"LS", "LS"},
                                           PostcodeCase{"123 4AB", nullptr}, PostcodeCase{"SW1A 1A", nullptr},
                                           PostcodeCase{"S-60", nullptr}, PostcodeCase{"ABC1 1AA", nullptr}),
                         [](const ::testing::TestParamInfo<PostcodeCase>& info) {
                           return std::string(info.param.out ? "valid" : "invalid") + std::to_string(info.index);
                         });

}  // namespace joindots
