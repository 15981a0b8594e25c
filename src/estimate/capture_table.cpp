#include "estimate/capture_table.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <stdexcept>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/csv_reader.hpp"

namespace joindots::estimate {

std::int64_t CaptureTable::observed() const {
  std::int64_t n = 0;
  for (std::size_t c = 1; c < counts.size(); ++c) n += counts[c];
  return n;
}

std::int64_t CaptureTable::list_total(int j) const {
  std::int64_t n = 0;
  for (std::size_t c = 1; c < counts.size(); ++c)
    if (c >> j & 1u) n += counts[c];
  return n;
}

CaptureTable CaptureTable::from_counts(std::vector<std::string> lists,
                                       std::vector<std::int64_t> counts) {
  const int k = static_cast<int>(lists.size());
  if (k < 2 || k > kMaxLists)
    throw std::invalid_argument(
        fmt::format("CaptureTable::from_counts: lists: need 2 to {} lists, got {}", kMaxLists, k));
  if (counts.size() != (std::size_t{1} << k))
    throw std::invalid_argument(
        fmt::format("CaptureTable::from_counts: counts: need 2^{} = {} cells, got {}", k,
                    std::size_t{1} << k, counts.size()));
  if (counts[0] != 0)
    throw std::invalid_argument("CaptureTable::from_counts: counts: cell 0 (unobserved) must be 0");
  for (auto c : counts)
    if (c < 0) throw std::invalid_argument("CaptureTable::from_counts: counts: negative count");
  CaptureTable t;
  t.lists = std::move(lists);
  t.counts = std::move(counts);
  return t;
}

std::string pattern_string(std::uint32_t pattern, int k) {
  std::string s(static_cast<std::size_t>(k), '0');
  for (int j = 0; j < k; ++j)
    if (pattern >> j & 1u) s[static_cast<std::size_t>(j)] = '1';
  return s;
}

bool read_count_cell(const std::string& text, const std::string& file, std::int64_t line,
                     IssueCollector& issues, std::int64_t& total, std::int64_t& count) {
  count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    issues.add({file, line, "count", fmt::format("must be a whole number >= 0, got `{}`", text)});
    return false;
  }
  if (count < 0) {
    issues.add({file, line, "count", fmt::format("must be >= 0, got {}", count)});
    return false;
  }
  if (count > limits::kMaxCaptureTotal - total) {
    issues.add(
        {file, line, "count",
         fmt::format(
             "the counts add up to more than {} (10^15) by this row; no population is that large",
             limits::kMaxCaptureTotal)});
    return false;
  }
  total += count;
  return true;
}

CaptureTable read_capture_table(const std::filesystem::path& path) {
  const std::string file = path.string();
  IssueCollector issues;
  CsvReader reader(path, &issues);
  const auto& header = reader.header();
  auto fail_header = [&](const std::string& message) {
    issues.add({file, 1, "header", message});
    issues.throw_if_any();
  };
  if (header.empty() || header.back() != "count")
    fail_header("the last column must be `count` (one 0/1 column per list, then count)");
  const int k = static_cast<int>(header.size()) - 1;
  if (k < 2)
    fail_header(fmt::format(
        "need at least 2 lists, found {}: capture-recapture counts the children no list recorded from how "
        "often lists record the same children, so one list alone says nothing about them; add a 0/1 column "
        "for another list (another kind of agency, not a second one of the same kind)",
        k));
  if (k > kMaxLists)
    fail_header(fmt::format("at most {} lists are supported, found {}", kMaxLists, k));
  for (int j = 0; j < k; ++j) {
    if (header[static_cast<std::size_t>(j)].empty())
      fail_header(fmt::format("list column {} has no name", j + 1));
    for (int i = 0; i < j; ++i)
      if (header[static_cast<std::size_t>(i)] == header[static_cast<std::size_t>(j)])
        fail_header(
            fmt::format("list name `{}` appears twice", header[static_cast<std::size_t>(j)]));
  }

  std::vector<std::int64_t> counts(std::size_t{1} << k, 0);
  std::vector<std::int64_t> seen_on_line(counts.size(), 0);
  std::int64_t total = 0;  // of the counts read so far, kept below limits::kMaxCaptureTotal
  CsvRow row;
  while (reader.next(row)) {
    bool ok = true;
    std::uint32_t pattern = 0;
    for (int j = 0; j < k; ++j) {
      const std::string& cell = row.fields[static_cast<std::size_t>(j)];
      if (cell == "1") {
        pattern |= std::uint32_t{1} << j;
      } else if (cell != "0") {
        issues.add({file, row.line, header[static_cast<std::size_t>(j)],
                    fmt::format("must be 0 or 1, got `{}`", cell)});
        ok = false;
      }
    }
    std::int64_t count = 0;
    if (!read_count_cell(row.fields.back(), file, row.line, issues, total, count)) ok = false;
    if (!ok) continue;
    if (pattern == 0) {
      issues.add({file, row.line, header[0],
                  "the all-zero pattern (people on no list) cannot be observed; drop the row"});
      continue;
    }
    if (seen_on_line[pattern] != 0) {
      issues.add({file, row.line, header[0],
                  fmt::format("pattern {} already given on line {}", pattern_string(pattern, k),
                              seen_on_line[pattern])});
      continue;
    }
    seen_on_line[pattern] = row.line;
    counts[pattern] = count;
  }
  issues.throw_if_any();
  std::int64_t n = 0;
  for (auto c : counts) n += c;
  if (n == 0) {
    issues.add({file, 0, "count", "no one is observed: every count is 0"});
    issues.throw_if_any();
  }
  return CaptureTable::from_counts({header.begin(), header.end() - 1}, std::move(counts));
}

}  // namespace joindots::estimate
