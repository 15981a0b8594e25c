#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace joindots {

/// A whole file's bytes. Throws InternalError naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// Writes `content` to `path` whole or not at all: to `path.tmp`, then renamed into place.
/// On failure the .tmp is removed and InternalError says why, naming a full disk as such.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// A write error's reason in words: strerror, and "the disk is full" for ENOSPC.
std::string write_error_text(int error_number);

/// The current UTC time as ISO 8601, e.g. 2026-11-29T01:13:12Z.
std::string utc_timestamp();

}  // namespace joindots
