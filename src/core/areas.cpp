#include "core/areas.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>


namespace joindots {

AreaTable::AreaTable(std::vector<Area> areas) : areas_(std::move(areas)) {
  for (std::size_t i = 0; i < areas_.size(); ++i) index_.emplace(areas_[i].code, static_cast<int>(i));
}

int AreaTable::index_of(std::string_view code) const {
  auto it = index_.find(std::string(code));
  return it == index_.end() ? -1 : it->second;
}

const Area* AreaTable::find(std::string_view code) const {
  const int i = index_of(code);
  return i < 0 ? nullptr : &areas_[static_cast<std::size_t>(i)];
}

double AreaTable::distance_km(std::size_t a, std::size_t b) const {
  constexpr double kRad = std::numbers::pi / 180.0;
  const double lat1 = areas_[a].lat * kRad, lat2 = areas_[b].lat * kRad;
  const double dlat = lat2 - lat1, dlon = (areas_[b].lon - areas_[a].lon) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1) * std::cos(lat2) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(h)));
}

std::vector<std::size_t> AreaTable::nearest(std::size_t i, std::size_t k) const {
  std::vector<std::size_t> order;
  for (std::size_t j = 0; j < areas_.size(); ++j)
    if (j != i) order.push_back(j);
  k = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      const double da = distance_km(i, a), db = distance_km(i, b);
                      return da != db ? da < db : a < b;
                    });
  order.resize(k);
  return order;
}

}  // namespace joindots
