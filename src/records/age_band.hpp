#pragma once
// The age band of a person at a date: linkage's persons carry it, and an encoded file keeps
// it in plaintext in place of the date of birth (encode/encoder.hpp), so it sits below both.
#include <optional>
#include <string>

#include "core/date.hpp"

namespace joindots::link {

/// Age bands at first event: "0-9", "10-12", "13-15", "16-17", "18+" or "unknown".
std::string age_band(const std::optional<Date>& dob, const Date& on);

}  // namespace joindots::link
