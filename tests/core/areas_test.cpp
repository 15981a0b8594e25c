#include "core/areas.hpp"

#include <gtest/gtest.h>

#include <set>

#include "io/area_file.hpp"
#include "test_support.hpp"

namespace joindots {

TEST(Areas, LoadsThe318DistrictsOfEnglandAndWales) {
  const AreaTable areas = load_area_table(testing::test_data_dir());
  ASSERT_EQ(areas.size(), 318u);
  std::set<std::string> pfas, codes;
  std::int64_t children = 0;
  for (const auto& a : areas.all()) {
    codes.insert(a.code);
    pfas.insert(a.pfa_code);
    children += a.pop_0_17;
    EXPECT_GT(a.pop_10_17, 0) << a.code;
    EXPECT_LE(a.pop_10_17, a.pop_0_17) << a.code;
    // Centroids inside the England and Wales bounding box given in geo/SOURCES.md.
    EXPECT_GT(a.lon, -6.40) << a.code;
    EXPECT_LT(a.lon, 1.76) << a.code;
    EXPECT_GT(a.lat, 49.87) << a.code;
    EXPECT_LT(a.lat, 55.81) << a.code;
  }
  EXPECT_EQ(codes.size(), 318u);
  EXPECT_EQ(pfas.size(), 43u);
  EXPECT_EQ(children, 12618614);  // E&W aged 0-17, mid-2023 (geo/SOURCES.md)
}

TEST(Areas, LookupAndNeighbours) {
  const AreaTable areas = load_area_table(testing::test_data_dir());
  const Area* rotherham = areas.find("E08000018");
  ASSERT_NE(rotherham, nullptr);
  EXPECT_EQ(rotherham->name, "Rotherham");
  EXPECT_EQ(areas.find("E99999999"), nullptr);
  const auto near = areas.nearest(static_cast<std::size_t>(areas.index_of("E08000018")), 3);
  ASSERT_EQ(near.size(), 3u);
  std::set<std::string> names;
  for (auto i : near) names.insert(areas[i].name);
  EXPECT_TRUE(names.count("Sheffield") || names.count("Barnsley") || names.count("Doncaster"));
  // Sheffield to Rotherham is about 10 km between centroids: well under 40.
  EXPECT_LT(areas.distance_km(static_cast<std::size_t>(areas.index_of("E08000018")),
                              static_cast<std::size_t>(areas.index_of("E08000019"))),
            40.0);
}

}  // namespace joindots
