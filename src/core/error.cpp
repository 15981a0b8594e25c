#include "core/error.hpp"

#include <fmt/format.h>

namespace joindots {

std::string InputIssue::to_string() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}", line);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

static std::string summarise(const std::vector<InputIssue>& issues, std::size_t total) {
  std::string out;
  for (const auto& issue : issues) {
    if (!out.empty()) out += '\n';
    out += issue.to_string();
  }
  if (total > issues.size()) {
    out += fmt::format("\n... and {} more problem{} ({} in all)", total - issues.size(),
                       total - issues.size() == 1 ? "" : "s", total);
  }
  return out;
}

BadInputError::BadInputError(std::vector<InputIssue> issues, std::size_t total)
    : Error(ErrorKind::BadInput, summarise(issues, total)), issues_(std::move(issues)), total_(total) {}

BadInputError::BadInputError(InputIssue issue)
    : BadInputError(std::vector<InputIssue>{std::move(issue)}, 1) {}

void IssueCollector::add(InputIssue issue) {
  ++total_;
  if (kept_.size() < BadInputError::kMaxIssuesKept) kept_.push_back(std::move(issue));
}

void IssueCollector::throw_if_any() const {
  if (total_ > 0) throw BadInputError(kept_, total_);
}

}  // namespace joindots
