#pragma once
// Reading the districts' reference files into core's AreaTable: the region, police force
// area and populations from geo/lad23_ew_region_pfa_pop_mid2023.csv, each district's map
// centroid from geo/lad23_ew_super_generalised.geojson (in io/ because it reads CSV and
// JSON; core/ holds the table and reads nothing).
#include <filesystem>

#include "core/areas.hpp"

namespace joindots {

/// Loads the districts from `data_dir`/geo. Throws InternalError naming the file on failure.
AreaTable load_area_table(const std::filesystem::path& data_dir);

}  // namespace joindots
