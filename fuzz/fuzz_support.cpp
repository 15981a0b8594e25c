#include "fuzz_support.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <system_error>
#include <vector>

namespace joindots::fuzz {
namespace {

// The scratch paths handed out, removed when the process exits normally (libFuzzer ends a
// timed run with exit(0); the replay driver returns from main). A finding aborts and leaves
// them in place, beside the crash input, on purpose.
class ScratchRegistry {
 public:
  void add(const std::filesystem::path& path) {
    std::lock_guard lock(mutex_);
    paths_.push_back(path);
  }
  ~ScratchRegistry() {
    for (const auto& path : paths_) {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
      // SQLite's companions of a store written under the path.
      for (const char* companion : {"-wal", "-shm", "-journal"})
        std::filesystem::remove(path.string() + companion, ignored);
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::filesystem::path> paths_;
};

ScratchRegistry& scratch_registry() {
  static ScratchRegistry registry;
  return registry;
}

}  // namespace

std::filesystem::path scratch_path(std::string_view suffix) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir = tmp && *tmp ? tmp : "/tmp";
  auto path = dir / fmt::format("joindots-fuzz-{}{}", ::getpid(), suffix);
  scratch_registry().add(path);
  return path;
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
