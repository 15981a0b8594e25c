#include "io/area_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/error.hpp"
#include "io/csv_reader.hpp"

namespace joindots {

namespace {

std::int64_t to_int(const std::string& s, const std::string& file, std::int64_t line, const char* field) {
  try {
    std::size_t used = 0;
    auto v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw InternalError(fmt::format("{}:{}: {}: '{}' is not an integer", file, line, field, s));
}

// Signed area and centroid of one ring by the shoelace formula (planar in lon/lat, which is
// fine for placing a marker inside a district).
void ring_centroid(const nlohmann::json& ring, double& area, double& cx, double& cy) {
  area = cx = cy = 0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    const double x0 = ring[i][0], y0 = ring[i][1], x1 = ring[i + 1][0], y1 = ring[i + 1][1];
    const double cross = x0 * y1 - x1 * y0;
    area += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  area /= 2;
  if (area != 0) {
    cx /= 6 * area;
    cy /= 6 * area;
  }
}

}  // namespace

AreaTable load_area_table(const std::filesystem::path& data_dir) {
  std::vector<Area> areas;
  std::unordered_map<std::string, std::size_t> index;
  const auto csv_path = data_dir / "geo" / "lad23_ew_region_pfa_pop_mid2023.csv";
  {
    CsvReader reader(csv_path);
    const auto& header = reader.header();
    auto col = [&](const char* name) {
      auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end())
        throw InternalError(fmt::format("{}: column '{}' missing", csv_path.string(), name));
      return static_cast<std::size_t>(it - header.begin());
    };
    const auto c_code = col("lad23cd"), c_name = col("lad23nm"), c_type = col("lad_type"),
               c_rgn = col("rgn_cd"), c_rgn_nm = col("rgn_nm"), c_ctry = col("country"),
               c_pfa = col("pfa23cd"), c_pfa_nm = col("pfa23nm"), c_all = col("pop_all_mid2023"),
               c_017 = col("pop_0_17_mid2023"), c_015 = col("pop_0_15_mid2023"),
               c_1017 = col("pop_10_17_mid2023");
    CsvRow row;
    while (reader.next(row)) {
      const auto f = csv_path.string();
      Area a;
      a.code = row.fields[c_code];
      a.name = row.fields[c_name];
      a.lad_type = row.fields[c_type];
      a.region_code = row.fields[c_rgn];
      a.region_name = row.fields[c_rgn_nm];
      a.country = row.fields[c_ctry];
      a.pfa_code = row.fields[c_pfa];
      a.pfa_name = row.fields[c_pfa_nm];
      a.pop_all = to_int(row.fields[c_all], f, row.line, "pop_all_mid2023");
      a.pop_0_17 = to_int(row.fields[c_017], f, row.line, "pop_0_17_mid2023");
      a.pop_0_15 = to_int(row.fields[c_015], f, row.line, "pop_0_15_mid2023");
      a.pop_10_17 = to_int(row.fields[c_1017], f, row.line, "pop_10_17_mid2023");
      index.emplace(a.code, areas.size());
      areas.push_back(std::move(a));
    }
  }
  if (areas.empty()) throw InternalError(fmt::format("{}: no districts", csv_path.string()));

  const auto geo_path = data_dir / "geo" / "lad23_ew_super_generalised.geojson";
  std::ifstream in(geo_path);
  if (!in) throw InternalError(fmt::format("{}: cannot open", geo_path.string()));
  nlohmann::json geo;
  try {
    geo = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InternalError(fmt::format("{}: not valid JSON: {}", geo_path.string(), e.what()));
  }
  for (const auto& feature : geo.at("features")) {
    const std::string code = feature.at("properties").at("lad23cd");
    const auto found = index.find(code);
    if (found == index.end()) continue;
    Area& district = areas[found->second];
    const auto& geom = feature.at("geometry");
    std::vector<const nlohmann::json*> outer_rings;
    if (geom.at("type") == "Polygon") {
      outer_rings.push_back(&geom.at("coordinates")[0]);
    } else {
      for (const auto& poly : geom.at("coordinates")) outer_rings.push_back(&poly[0]);
    }
    double best = -1;
    for (const auto* ring : outer_rings) {
      double area, cx, cy;
      ring_centroid(*ring, area, cx, cy);
      if (std::fabs(area) > best) {
        best = std::fabs(area);
        district.lon = cx;
        district.lat = cy;
      }
    }
  }
  return AreaTable(std::move(areas));
}

}  // namespace joindots
