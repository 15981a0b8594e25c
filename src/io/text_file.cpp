#include "io/text_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace joindots {

std::string write_error_text(int error_number) {
  if (error_number == ENOSPC) return "the disk is full (no space left on device)";
  if (error_number == EDQUOT) return "the disk quota is exceeded";
  if (error_number == EFBIG) return "a file size limit was reached (file too large)";
  return std::strerror(error_number);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw InternalError(fmt::format("{}: cannot create: {}", tmp.string(), write_error_text(errno)));
  int error_number = 0;
  if (std::fwrite(content.data(), 1, content.size(), f) != content.size() || std::fflush(f) != 0) error_number = errno;
  if (std::fclose(f) != 0 && error_number == 0) error_number = errno;
  if (error_number != 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);  // nothing half-written is left behind
    throw InternalError(fmt::format("{}: cannot write: {}; nothing was written", path.string(),
                                    write_error_text(error_number)));
  }
  std::filesystem::rename(tmp, path);
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InternalError(fmt::format("{}: cannot read", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string utc_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace joindots
