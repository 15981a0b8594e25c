#include "core/hash.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/error.hpp"

namespace joindots {

std::string sha256_file(const std::filesystem::path& path) {
  if (sodium_init() < 0) throw InternalError("libsodium failed to initialise");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw BadInputError(InputIssue{path.string(), 0, "", "cannot open file"});
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buffer(1 << 20);
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0)
    crypto_hash_sha256_update(&state, buffer.data(), n);
  if (std::ferror(f.get())) throw InternalError(fmt::format("{}: read error", path.string()));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace joindots
