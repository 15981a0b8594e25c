#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace joindots {

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

Progress::Progress(std::string label, std::string unit, std::int64_t total, bool quiet)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  if (!finished_ && tty_ && !quiet_ && last_print_ != start_) std::fputc('\n', stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!quiet_) maybe_print(true);
}

void Progress::maybe_print(bool final) {
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_print_).count();
  const double interval = tty_ ? 0.25 : 5.0;
  if (!final && since_last < interval) return;
  if (final && last_print_ == start_ && elapsed_seconds() < 1.0) return;  // quick work: no noise
  last_print_ = now;
  const double elapsed = elapsed_seconds();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  // Bytes read better as MB.
  const bool bytes = unit_ == "bytes";
  auto amount = [&](double n) {
    return bytes ? fmt::format("{:.1f}", n / 1e6) : with_commas(static_cast<std::int64_t>(n));
  };
  const std::string unit = bytes ? "MB" : unit_;
  std::string line = fmt::format("{}: {}", label_, amount(static_cast<double>(done_)));
  if (total_ > 0) {
    line += fmt::format("/{} {} ({:.0f}%)", amount(static_cast<double>(total_)), unit,
                        100.0 * static_cast<double>(done_) / static_cast<double>(total_));
  } else {
    line += " " + unit;
  }
  line += fmt::format(", {} {}/s", amount(rate), unit);
  if (!secondary_unit_.empty()) line += fmt::format(", {} {}", with_commas(secondary_), secondary_unit_);
  if (final) {
    line += fmt::format(", {:.1f}s", elapsed);
  } else if (total_ > 0 && rate > 0 && done_ < total_) {
    line += fmt::format(", ETA {:.0f}s", static_cast<double>(total_ - done_) / rate);
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace joindots
