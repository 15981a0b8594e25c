#pragma once
// Helpers shared by the tests: the reference data folder, scratch folders, files, and
// running the CLI as a child process.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/areas.hpp"
#include "io/area_file.hpp"

namespace joindots::testing {

inline std::filesystem::path test_data_dir() { return JOINDOTS_TEST_DATA_DIR; }

/// The 318 districts, loaded once for all tests.
inline const AreaTable& test_areas() {
  static const AreaTable table = load_area_table(test_data_dir());
  return table;
}

/// A fresh scratch folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "joindots-test-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

/// Runs the joindots CLI with `args` (a shell-quoted string), capturing stdout and stderr.
CommandResult run_cli(const std::string& args, const std::string& env = "");

}  // namespace joindots::testing
