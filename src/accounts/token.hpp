#pragma once
// The hub's API tokens (issue 17; docs/hub.md). A token is `<token_id>.<secret>`: the id, 12
// hex digits, is public (it names the account in `accounts list` and finds its row in one
// lookup); the secret is 32 bytes from libsodium's randombytes_buf in base64url without
// padding (43 characters, 256 bits). The store keeps the id and the argon2id hash of the whole
// token (crypto_pwhash_str at the interactive limits: 2 passes over 64 MiB), never the token:
// a copy of the store does not let anyone in, and guessing a token is a search of 2^256.
#include <optional>
#include <string>
#include <string_view>

namespace joindots::accounts {

struct IssuedToken {
  std::string token_id;  // public
  std::string token;     // shown once, to the person who asked for it
  std::string hash;      // argon2id, what the store keeps
};

/// A new random token and its hash.
IssuedToken issue_token();

/// The id of a presented token; nullopt when `token` is not shaped as one (12 lowercase hex
/// digits, a dot, 43 base64url characters).
std::optional<std::string> token_id_of(std::string_view token);

/// Whether `token` is the one `hash` was made from (crypto_pwhash_str_verify: one argon2id
/// hash, tens of milliseconds and 64 MiB; bench/README.md has the figure).
bool token_matches(std::string_view token, const std::string& hash);

}  // namespace joindots::accounts
