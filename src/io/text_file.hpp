#pragma once
#include <filesystem>
#include <string>

namespace joindots {

/// A whole file's bytes. Throws InternalError naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// The current UTC time as ISO 8601, e.g. 2026-11-29T01:13:12Z.
std::string utc_timestamp();

}  // namespace joindots
