#pragma once
#include <filesystem>

namespace joindots {

/// The reference data folder (geo/, mse/, linkage/): $JOINDOTS_DATA_DIR when set, else the
/// folder fixed at build time (../shared/data beside the source tree). Throws UsageError
/// naming both when neither holds geo/.
std::filesystem::path data_dir();

}  // namespace joindots
