#include "simulate/synthetic_ids.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/identifiers.hpp"

namespace joindots::simulate {

TEST(SimulateIds, PermuteIsABijection) {
  for (std::uint64_t n : {1ULL, 2ULL, 37ULL, 1000ULL, 1024ULL, 4097ULL}) {
    std::set<std::uint64_t> seen;
    for (std::uint64_t x = 0; x < n; ++x) {
      const auto y = permute(x, n, 42);
      EXPECT_LT(y, n);
      seen.insert(y);
    }
    EXPECT_EQ(seen.size(), n);
  }
  EXPECT_NE(permute(5, 1000, 1), permute(5, 1000, 2));  // keyed
}

TEST(SimulateIds, RecordIdsAreUniqueAndDoNotFollowTheCounter) {
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < 100000; ++i) ids.insert(scrambled_record_id("PE23000013", i, 99));
  EXPECT_EQ(ids.size(), 100000u);
  const auto a = scrambled_record_id("PE23000013", 0, 99), b = scrambled_record_id("PE23000013", 1, 99);
  EXPECT_EQ(a.size(), 19u);
  EXPECT_EQ(a.substr(0, 11), "PE23000013-");
  EXPECT_NE(a.substr(11, 6), b.substr(11, 6));
}

TEST(SimulateIds, NhsNumbersUpnsAndPncIdsAreValidAndUnique) {
  std::set<std::string> nhs, upn, pnc;
  int missing = 0;
  for (std::uint64_t i = 0; i < 50000; ++i) {
    const auto n = synthetic_nhs_number(i, 7);
    if (n.empty()) {
      ++missing;
    } else {
      EXPECT_TRUE(normalise_nhs_number(n).has_value()) << n;
      nhs.insert(n);
    }
    const auto u = synthetic_upn(i, 7);
    EXPECT_TRUE(normalise_upn(u).has_value()) << u;
    upn.insert(u);
    const auto p = synthetic_pnc_id(i, 2000 + static_cast<int>(i % 25), 7);
    EXPECT_TRUE(normalise_pnc_id(p).has_value()) << p;
    pnc.insert(p.substr(3));
  }
  EXPECT_EQ(nhs.size() + static_cast<std::size_t>(missing), 50000u);
  EXPECT_LT(missing, 1000);  // about 1 in 121
  EXPECT_EQ(upn.size(), 50000u);
  EXPECT_EQ(pnc.size(), 50000u);
}

TEST(SimulateIds, SyntheticPostcodesAreValidAndOutwardCodesDistinctPerDistrict) {
  std::set<std::string> outward;
  Rng rng(1);
  for (std::size_t d = 0; d < 318; ++d) {
    for (int w = 0; w < kOutwardPerDistrict; ++w) {
      const auto o = synthetic_outward(d, w);
      EXPECT_TRUE(o[0] == 'Q' || o[0] == 'V' || o[0] == 'X') << o;
      EXPECT_TRUE(normalise_postcode(o).has_value()) << o;
      outward.insert(o);
    }
    const auto pc = synthetic_postcode(d, rng);
    const auto norm = normalise_postcode(pc);
    ASSERT_TRUE(norm.has_value()) << pc;
    EXPECT_EQ(*norm, pc);
  }
  EXPECT_EQ(outward.size(), 318u * kOutwardPerDistrict);
}

}  // namespace joindots::simulate
