#include "fuzz_support.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace joindots::fuzz {

std::filesystem::path scratch_path(std::string_view suffix) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir = tmp && *tmp ? tmp : "/tmp";
  return dir / fmt::format("joindots-fuzz-{}{}", ::getpid(), suffix);
}

void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out.flush()) fail(fmt::format("cannot write the scratch file {}", path.string()));
}

void fail(std::string_view what) {
  std::fprintf(stderr, "joindots fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

void check_bad_input(const BadInputError& error, const std::string& file) {
  if (error.issues().empty() || error.total() < error.issues().size())
    fail(fmt::format("BadInputError with {} issues kept of {}: {}", error.issues().size(),
                     error.total(), error.what()));
  for (const auto& issue : error.issues()) {
    if (issue.file != file) fail("an issue names another file: " + issue.to_string());
    if (issue.line < 0) fail("an issue has a negative line: " + issue.to_string());
    if (issue.message.empty()) fail("an issue without a message: " + issue.to_string());
  }
}

void fail_on_unexpected_exception() {
  try {
    throw;
  } catch (const Error& e) {
    fail(fmt::format("unexpected joindots error (kind {}): {}", static_cast<int>(e.kind()),
                     e.what()));
  } catch (const std::exception& e) {
    fail(fmt::format("unexpected exception: {}", e.what()));
  } catch (...) {
    fail("unexpected exception of unknown type");
  }
}

}  // namespace joindots::fuzz
