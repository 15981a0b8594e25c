#pragma once
// Validation of agency files against the input schema (docs/schema.md): the header first,
// then every row, turning text into a Record or into issues that name file, line and field.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/areas.hpp"
#include "core/error.hpp"
#include "core/record.hpp"
#include "core/date.hpp"

namespace joindots {

class RecordValidator {
 public:
  /// Checks the header: every required column present, no unknown or repeated column
  /// (attr_<name> columns are allowed). Throws BadInputError naming the file otherwise.
  /// `delivery_date` is the date the file was delivered: no date in it may be later (plus
  /// limits::kDeliveryGraceDays); default: today (UTC), the day it is ingested.
  /// `set_aside`: columns the caller reads itself (an encoded file's clk and tokens), neither
  /// validated here nor unknown.
  RecordValidator(const std::string& file, const std::vector<std::string>& header, const AreaTable& areas,
                  std::optional<Date> delivery_date = std::nullopt, const std::set<std::string>& set_aside = {});

  /// Validates one row. Returns the record, or nullopt after adding every problem of the row
  /// to `issues`. A valid record that is plausible but odd (core/limits.hpp) adds a warning
  /// to `warnings`, when given, and is still returned.
  std::optional<Record> validate(const std::vector<std::string>& fields, std::int64_t line, IssueCollector& issues,
                                 IssueCollector* warnings = nullptr) const;

  const Date& delivery_date() const { return delivery_date_; }

 private:
  void add_plausibility_warnings(const Record& record, IssueCollector& warnings) const;

  std::string file_;
  const AreaTable& areas_;
  Date delivery_date_;
  std::vector<int> index_;  // position of each kRecordColumns entry in the file, or -1
  std::vector<std::pair<int, std::string>> attrs_;  // (position, name without attr_)
};

}  // namespace joindots
