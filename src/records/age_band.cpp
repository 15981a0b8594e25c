#include "records/age_band.hpp"

namespace joindots::link {

std::string age_band(const std::optional<Date>& dob, const Date& on) {
  if (!dob) return "unknown";
  // A partial dob gives the age at its middle.
  Date mid = *dob;
  if (!mid.month) mid.month = 7, mid.day = 1;
  if (!mid.day) mid.day = 15;
  const int age = age_on(mid, on);
  if (age < 0) return "unknown";
  if (age <= 9) return "0-9";
  if (age <= 12) return "10-12";
  if (age <= 15) return "13-15";
  if (age <= 17) return "16-17";
  return "18+";
}

}  // namespace joindots::link
