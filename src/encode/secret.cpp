#include "encode/secret.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>

#include "core/error.hpp"

namespace joindots::encode {

namespace {

// crypto_kdf's context: eight bytes naming what the subkeys are for.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "jdencode";
constexpr std::uint64_t kFingerprintKeyId = 1;

void init_sodium() {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
}

std::string_view trim_space(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Why `secret` is not acceptable, or empty.
std::string weak_secret_reason(std::string_view secret) {
  const auto hint = "use at least 32 random characters, e.g. openssl rand -hex 32 (the same file at every agency)";
  if (secret.size() < 32) return fmt::format("the secret has {} characters; {}", secret.size(), hint);
  // 32 random hex digits show 8 or more different ones except with probability below 1e-7.
  if (std::set<char>(secret.begin(), secret.end()).size() < 8)
    return fmt::format("the secret uses fewer than 8 different characters, so it is not random; {}", hint);
  return {};
}

void derive_master(std::string_view text, Key& master) {
  init_sodium();
  // The master key: BLAKE2b-256 of the secret's bytes, so that any length of secret gives
  // the 32 bytes crypto_kdf needs.
  crypto_generichash(master.data(), master.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     nullptr, 0);
}

}  // namespace

void require_owner_only(const std::filesystem::path& path, std::string_view option) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::is_regular_file(st)) throw UsageError(fmt::format("{} {}: no such file", option, path.string()));
  const auto others = fs::perms::group_all | fs::perms::others_all;
  if ((st.permissions() & others) != fs::perms::none)
    throw UsageError(fmt::format("{} {}: its group or others may read or write it (mode {:o}); run chmod 600 {}",
                                 option, path.string(), static_cast<unsigned>(st.permissions() & fs::perms::mask),
                                 path.string()));
}

Secret Secret::from_file(const std::filesystem::path& path, std::string_view option) {
  require_owner_only(path, option);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{} {}: cannot be read", option, path.string()));
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string_view text = trim_space(content);
  if (auto why = weak_secret_reason(text); !why.empty())
    throw UsageError(fmt::format("{} {}: {}", option, path.string(), why));
  Secret s;
  derive_master(text, s.master_);
  return s;
}

Secret Secret::from_text(std::string_view text) {
  text = trim_space(text);
  if (auto why = weak_secret_reason(text); !why.empty()) throw UsageError(why);
  Secret s;
  derive_master(text, s.master_);
  return s;
}

Key Secret::derive(std::uint64_t id) const {
  Key sub{};
  crypto_kdf_derive_from_key(sub.data(), sub.size(), id, kKdfContext, master_.data());
  return sub;
}

std::string Secret::fingerprint() const {
  const Key key = derive(kFingerprintKeyId);
  constexpr std::string_view kMessage = "joindots encoded-mode key fingerprint v1";
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(kMessage.data()), kMessage.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, mac, 16);
  return hex;
}

std::string keyed_token(const Key& key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return to_base64(mac, 16);
}

std::string to_base64(const unsigned char* data, std::size_t len) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(len, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool from_base64(std::string_view text, unsigned char* out, std::size_t out_len) {
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out, out_len, text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  return len == out_len && end == text.data() + text.size();
}

}  // namespace joindots::encode
