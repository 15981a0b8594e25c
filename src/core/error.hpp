#pragma once
// The error policy of joindots (see docs/errors.md):
// - an exception aborts an operation; its kind decides the CLI exit code
//   (Usage -> 1, BadInput -> 2, Internal -> 3) and, later, the HTTP status;
// - bad input names the file, line and field of every problem found;
// - expected outcomes ("already ingested") are return values, not exceptions.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace joindots {

enum class ErrorKind { Usage = 1, BadInput = 2, Internal = 3 };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

/// A wrong command line or configuration: exit code 1.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorKind::Usage, message) {}
};

/// A bug or an environment failure (disk full, database locked): exit code 3.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(ErrorKind::Internal, message) {}
};

/// One problem in an input file, reported as `FILE:LINE: field: message`.
struct InputIssue {
  std::string file;
  std::int64_t line = 0;  // 1-based physical line where the record starts; 0 = whole file
  std::string field;      // column name, "header", or empty
  std::string message;

  std::string to_string() const;
};

/// Input that cannot be accepted: exit code 2, nothing written.
/// Holds the first issues found (at most `kMaxIssuesKept`) and the total count.
class BadInputError : public Error {
 public:
  static constexpr std::size_t kMaxIssuesKept = 20;

  BadInputError(std::vector<InputIssue> issues, std::size_t total);
  explicit BadInputError(InputIssue issue);

  const std::vector<InputIssue>& issues() const { return issues_; }
  std::size_t total() const { return total_; }

 private:
  std::vector<InputIssue> issues_;
  std::size_t total_;
};

/// Collects input issues while a file is read: keeps the first 20, counts the rest.
class IssueCollector {
 public:
  void add(InputIssue issue);
  bool empty() const { return total_ == 0; }
  std::size_t total() const { return total_; }
  const std::vector<InputIssue>& kept() const { return kept_; }
  /// Throws BadInputError if any issue was collected.
  void throw_if_any() const;

 private:
  std::vector<InputIssue> kept_;
  std::size_t total_ = 0;
};

}  // namespace joindots
