#pragma once
// The shared secret of encoded mode (issue 16, docs/privacy.md): read from a file only its
// owner can read, turned into one 32-byte master key, and from it a key per use (each CLK
// field, each kind of token, the fingerprint) with libsodium's crypto_kdf, so that no two
// uses share a key and none reveals another.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace joindots::encode {

using Key = std::array<unsigned char, 32>;

/// Throws UsageError naming `option` and `path` when `path` is not a regular file, or its
/// group or others may read or write it (the rule `serve` applies to its token file:
/// mode 600 or 400).
void require_owner_only(const std::filesystem::path& path, std::string_view option);

class Secret {
 public:
  /// Reads the secret from `path` (mode checked as above): the file's bytes without
  /// surrounding white space, at least 32 of them and not all alike. Throws UsageError
  /// naming `option` otherwise.
  static Secret from_file(const std::filesystem::path& path, std::string_view option = "--secret-file");
  /// For tests: a secret from its text, with the same checks on length.
  static Secret from_text(std::string_view text);

  /// The key of one use; `id` names it (encode/clk.hpp's field and token ids).
  Key derive(std::uint64_t id) const;
  /// The key's fingerprint: 32 hex digits of an HMAC-SHA256 under a key derived for this
  /// use alone. Equal secrets give equal fingerprints; the fingerprint tells nothing
  /// about the secret (it is a pseudo-random function of it).
  std::string fingerprint() const;

 private:
  Key master_{};
};

/// HMAC-SHA256 of `message` under `key`, its first 16 bytes in URL-safe base64 without
/// padding (22 characters): a keyed token.
std::string keyed_token(const Key& key, std::string_view message);

/// URL-safe base64 without padding, and back (false when `text` is not that encoding of
/// exactly `out_len` bytes).
std::string to_base64(const unsigned char* data, std::size_t len);
bool from_base64(std::string_view text, unsigned char* out, std::size_t out_len);

}  // namespace joindots::encode
