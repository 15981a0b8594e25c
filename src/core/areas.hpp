#pragma once
// The 318 local authority districts of England and Wales (2023 GSS codes) with their
// region, police force area, child populations and map centroids, as
// io/area_file.hpp reads them from the reference data folder.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace joindots {

struct Area {
  std::string code;  // lad23cd, e.g. E08000018
  std::string name;
  std::string lad_type;  // E06, E07, E08, E09, W06
  std::string region_code, region_name, country;
  std::string pfa_code, pfa_name;  // police force area
  std::int64_t pop_all = 0, pop_0_17 = 0, pop_0_15 = 0, pop_10_17 = 0;
  double lon = 0, lat = 0;  // centroid of the largest polygon (WGS84)
};

class AreaTable {
 public:
  AreaTable() = default;
  /// The districts in this order (io/area_file.hpp reads them from the reference data).
  explicit AreaTable(std::vector<Area> areas);

  const std::vector<Area>& all() const { return areas_; }
  std::size_t size() const { return areas_.size(); }
  /// Index of a district by GSS code, or -1.
  int index_of(std::string_view code) const;
  const Area* find(std::string_view code) const;
  const Area& operator[](std::size_t i) const { return areas_[i]; }
  /// Distance in kilometres between two districts' centroids (haversine).
  double distance_km(std::size_t a, std::size_t b) const;
  /// The `k` districts nearest to district `i` by centroid, nearest first (excluding i).
  std::vector<std::size_t> nearest(std::size_t i, std::size_t k) const;

 private:
  std::vector<Area> areas_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace joindots
