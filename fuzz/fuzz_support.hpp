#pragma once
// Shared by the fuzz targets (fuzz/README.md). Each target states the contract its input
// must keep -- bytes in, a result or a FILE:LINE: field: message error out -- and aborts,
// which libFuzzer and the replay tests report as a finding, when anything else happens: an
// exception of another kind, an error naming no file, a crash or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace joindots::fuzz {

/// A file path private to this process under TMPDIR (or /tmp), ending in `suffix`; the
/// readers under test take paths, so each input is written there first. The path (a file or
/// a folder) is removed when the process exits normally; a finding's abort leaves it.
std::filesystem::path scratch_path(std::string_view suffix);

/// Writes `size` bytes to `path`, replacing it.
void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size);

/// Prints `what` to stderr and aborts: a finding.
[[noreturn]] void fail(std::string_view what);

/// The contract of a bad input file: at least one issue, each naming `file` with a line
/// >= 0 and a message. Aborts otherwise.
void check_bad_input(const BadInputError& error, const std::string& file);

/// Aborts naming the exception in flight (call inside catch (...)): anything but the error
/// kinds a target accepts is a finding.
[[noreturn]] void fail_on_unexpected_exception();

}  // namespace joindots::fuzz
