#pragma once
#include <filesystem>
#include <string>

namespace joindots {

/// Hex SHA-256 of a file's bytes (libsodium), read in 1 MiB blocks.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace joindots
