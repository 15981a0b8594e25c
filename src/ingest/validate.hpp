#pragma once
// Validation of agency files against the input schema (docs/schema.md): the header first,
// then every row, turning text into a Record or into issues that name file, line and field.
#include <optional>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "core/record.hpp"

namespace joindots {

class RecordValidator {
 public:
  /// Checks the header: every required column present, no unknown or repeated column
  /// (attr_<name> columns are allowed). Throws BadInputError naming the file otherwise.
  RecordValidator(const std::string& file, const std::vector<std::string>& header, const AreaTable& areas);

  /// Validates one row. Returns the record, or nullopt after adding every problem of the row
  /// to `issues`.
  std::optional<Record> validate(const std::vector<std::string>& fields, std::int64_t line, IssueCollector& issues) const;

 private:
  std::string file_;
  const AreaTable& areas_;
  std::vector<int> index_;  // position of each kRecordColumns entry in the file, or -1
  std::vector<std::pair<int, std::string>> attrs_;  // (position, name without attr_)
};

}  // namespace joindots
