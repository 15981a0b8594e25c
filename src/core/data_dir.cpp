#include "core/data_dir.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.hpp"

#ifndef JOINDOTS_DEFAULT_DATA_DIR
#define JOINDOTS_DEFAULT_DATA_DIR ""
#endif

namespace joindots {

std::filesystem::path data_dir() {
  std::filesystem::path dir = JOINDOTS_DEFAULT_DATA_DIR;
  if (const char* env = std::getenv("JOINDOTS_DATA_DIR"); env && *env) dir = env;
  if (!std::filesystem::is_directory(dir / "geo"))
    throw UsageError(fmt::format(
        "reference data not found: '{}' has no geo/ folder; set JOINDOTS_DATA_DIR to the folder "
        "holding geo/lad23_ew_region_pfa_pop_mid2023.csv",
        dir.string()));
  return dir;
}

}  // namespace joindots
