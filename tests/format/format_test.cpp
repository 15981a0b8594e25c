// The format check (issue 15, item 6): every C++ file in src/ and tests/ keeps to the column
// limit the code is written to (120 characters, counted as UTF-8 code points, not bytes),
// with no tab, no trailing white space, no carriage return, and a final newline; no file in
// src/ is over 600 lines (issue 15, item 5: functions over 100 lines are listed by
// scripts/long-functions). A failure names FILE:LINE and what is wrong, as the project's
// other checks do. It checks, it does not reformat.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace joindots::testing {
namespace {

constexpr std::size_t kColumnLimit = 120;
constexpr std::size_t kMaxSourceLines = 600;

std::size_t code_points(const std::string& line) {
  // Every byte but a UTF-8 continuation byte (10xxxxxx) starts a character.
  return static_cast<std::size_t>(
      std::count_if(line.begin(), line.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The problems of one file's text, each "FILE:LINE: what".
std::vector<std::string> format_problems(const std::string& file, const std::string& text) {
  std::vector<std::string> out;
  std::size_t line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::string where = file + ":" + std::to_string(++line_no) + ": ";
    if (code_points(line) > kColumnLimit)
      out.push_back(where + std::to_string(code_points(line)) + " characters, over " + std::to_string(kColumnLimit));
    if (line.find('\t') != std::string::npos) out.push_back(where + "a tab");
    if (line.find('\r') != std::string::npos) out.push_back(where + "a carriage return");
    if (!line.empty() && line.back() == ' ') out.push_back(where + "trailing white space");
    if (end == text.size()) out.push_back(where + "no newline at the end of the file");
    start = end + 1;
  }
  return out;
}

TEST(FormatCheck, FindsEachKindOfProblemAndPassesCleanText) {
  EXPECT_TRUE(format_problems("a.cpp", "int x = 1;\n// caf\xc3\xa9 " + std::string(112, 'x') + "\n").empty())
      << "120 characters with a two-byte one among them are within the limit";
  const auto problems = format_problems("a.cpp", std::string(121, 'x') + "\n\tint y;\nint z; \nint w;\r\nend");
  const std::vector<std::string> expected = {"a.cpp:1: 121 characters, over 120", "a.cpp:2: a tab",
                                             "a.cpp:3: trailing white space", "a.cpp:4: a carriage return",
                                             "a.cpp:5: no newline at the end of the file"};
  EXPECT_EQ(problems, expected);
}

TEST(FormatCheck, SourcesAndTestsKeepTheFormat) {
  const std::filesystem::path root = JOINDOTS_TEST_SOURCE_DIR;
  std::size_t files = 0;
  for (const char* folder : {"src", "tests"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      ++files;
      const auto rel = std::filesystem::relative(entry.path(), root).string();
      const std::string text = read_file(entry.path());
      for (const auto& p : format_problems(rel, text)) ADD_FAILURE() << p;
      const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
      if (std::string(folder) == "src" && lines > kMaxSourceLines)
        ADD_FAILURE() << rel << ": " << lines << " lines, over " << kMaxSourceLines << " (split it along its parts)";
    }
  }
  EXPECT_GT(files, 100u) << "the check read too few files: is JOINDOTS_TEST_SOURCE_DIR the repository?";
}

}  // namespace
}  // namespace joindots::testing
