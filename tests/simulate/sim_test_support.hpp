#pragma once
// Helpers for the simulator tests: whole CSV files as tables, and the reference areas.
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.hpp"
#include "io/area_file.hpp"
#include "io/csv_reader.hpp"
#include "test_support.hpp"

namespace joindots::testing {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t col(std::string_view name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::runtime_error("no column " + std::string(name));
    return static_cast<std::size_t>(it - header.begin());
  }
};

inline Table read_table(const std::filesystem::path& path) {
  CsvReader reader(path);
  Table t;
  t.header = reader.header();
  CsvRow row;
  while (reader.next(row)) t.rows.push_back(row.fields);
  return t;
}

inline const AreaTable& sim_areas() {
  static const AreaTable table = load_area_table(test_data_dir());
  return table;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace joindots::testing
