#include "accounts/token.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/error.hpp"

namespace joindots::accounts {

namespace {

constexpr std::size_t kIdBytes = 6, kSecretBytes = 32;
constexpr std::size_t kIdChars = 2 * kIdBytes, kSecretChars = 43;  // base64url of 32 bytes, unpadded

void init_sodium() {
  if (sodium_init() < 0) throw InternalError("libsodium could not be initialised");
}

}  // namespace

IssuedToken issue_token() {
  init_sodium();
  unsigned char id[kIdBytes], secret[kSecretBytes];
  randombytes_buf(id, sizeof id);
  randombytes_buf(secret, sizeof secret);
  char id_hex[2 * kIdBytes + 1];
  sodium_bin2hex(id_hex, sizeof id_hex, id, sizeof id);
  char secret_b64[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(secret_b64, sizeof secret_b64, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  IssuedToken t;
  t.token_id = id_hex;
  t.token = t.token_id + "." + secret_b64;
  sodium_memzero(secret_b64, sizeof secret_b64);
  char hash[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(hash, t.token.data(), t.token.size(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0)
    throw InternalError("argon2id: out of memory hashing a new token");
  t.hash = hash;
  return t;
}

std::optional<std::string> token_id_of(std::string_view token) {
  if (token.size() != kIdChars + 1 + kSecretChars || token[kIdChars] != '.') return std::nullopt;
  const auto id = token.substr(0, kIdChars), secret = token.substr(kIdChars + 1);
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  const auto b64url = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  };
  if (!std::all_of(id.begin(), id.end(), hex) || !std::all_of(secret.begin(), secret.end(), b64url))
    return std::nullopt;
  return std::string(id);
}

bool token_matches(std::string_view token, const std::string& hash) {
  init_sodium();
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES.
  if (hash.size() >= crypto_pwhash_argon2id_STRBYTES || hash.find('\0') != std::string::npos) return false;
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), token.data(), token.size()) == 0;
}

}  // namespace joindots::accounts
