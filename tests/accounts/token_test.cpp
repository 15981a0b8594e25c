// API tokens (accounts/token.hpp) and the authenticator with its cache of verified tokens.
#include "accounts/token.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "accounts/authenticator.hpp"

namespace joindots::accounts {

TEST(Token, ANewTokenIsItsIdADotAnd43Base64urlCharactersAndItsHashIsArgon2id) {
  const auto t = issue_token();
  ASSERT_EQ(t.token.size(), 12u + 1 + 43) << t.token;
  EXPECT_EQ(t.token.substr(0, 12), t.token_id);
  EXPECT_EQ(token_id_of(t.token), t.token_id);
  EXPECT_EQ(t.hash.rfind("$argon2id$", 0), 0u) << t.hash;
  // The interactive limits: 64 MiB, two passes.
  EXPECT_NE(t.hash.find("m=65536,t=2"), std::string::npos) << t.hash;
  EXPECT_EQ(t.hash.find(t.token.substr(13)), std::string::npos);  // the secret is not in its hash
  EXPECT_TRUE(token_matches(t.token, t.hash));
}

TEST(Token, TokensAreDistinctAndAnyChangedCharacterFailsToMatch) {
  const auto a = issue_token(), b = issue_token();
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.token_id, b.token_id);
  EXPECT_NE(a.hash, b.hash);
  EXPECT_FALSE(token_matches(b.token, a.hash));
  std::string changed = a.token;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(token_matches(changed, a.hash));
  EXPECT_FALSE(token_matches(a.token + "A", a.hash));
  EXPECT_FALSE(token_matches(a.token, ""));
  EXPECT_FALSE(token_matches(a.token, "not a hash"));
}

TEST(Token, OnlyWellShapedTokensHaveAnId) {
  const std::string secret(43, 'x');
  EXPECT_EQ(token_id_of("0123456789ab." + secret), "0123456789ab");
  EXPECT_EQ(token_id_of("0123456789ab.-_09azAZ" + std::string(35, 'Q')), "0123456789ab");
  for (const std::string& bad : {std::string(), "0123456789ab" + secret, "0123456789AB." + secret,
                                 "0123456789a." + secret + "x", "0123456789ab." + secret + "x",
                                 "0123456789ab." + secret.substr(1), "0123456789ab." + secret.substr(1) + "=",
                                 "0123456789ab." + secret.substr(1) + "/", "0123456789ab:" + secret})
    EXPECT_FALSE(token_id_of(bad)) << bad;
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.insert(token_id_of(issue_token().token).value());
  EXPECT_EQ(ids.size(), 20u);
}

namespace {

/// An authenticator over accounts held in memory, counting the lookups.
struct Book {
  std::map<std::string, Account> accounts;
  int lookups = 0;
  Authenticator authenticator{[this](const std::string& id) -> std::optional<Account> {
    ++lookups;
    const auto it = accounts.find(id);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }};
  IssuedToken add(std::int64_t id, AccountRole role, const std::string& org) {
    auto t = issue_token();
    Account a;
    a.account_id = id;
    a.token_id = t.token_id;
    a.token_hash = t.hash;
    a.org = org;
    a.role = role;
    accounts[t.token_id] = a;
    return t;
  }
};

}  // namespace

TEST(Authenticator, ATokenIsItsAccountAndIsHashedOnceWhileItsAccountStands) {
  Book book;
  const auto agency = book.add(7, AccountRole::agency, "E23000013");
  const auto analyst = book.add(8, AccountRole::analyst, "HUB");
  const auto who = book.authenticator.authenticate(agency.token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->account_id, 7);
  EXPECT_EQ(who->role, AccountRole::agency);
  EXPECT_EQ(who->org, "E23000013");
  EXPECT_EQ(who->actor, "account:7");
  EXPECT_EQ(book.authenticator.hashes_verified(), 1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(book.authenticator.authenticate(agency.token));
  EXPECT_EQ(book.authenticator.hashes_verified(), 1);  // remembered
  EXPECT_EQ(book.lookups, 6);                           // but the account looked up every time
  EXPECT_EQ(book.authenticator.authenticate(analyst.token)->account_id, 8);
  EXPECT_EQ(book.authenticator.hashes_verified(), 2);

  // Revoked: refused at once, though remembered.
  book.accounts[agency.token_id].revoked_at = "2026-12-03T13:00:00Z";
  EXPECT_FALSE(book.authenticator.authenticate(agency.token));
  // A token re-issued under the same id (a new hash): the remembered match no longer counts.
  book.accounts[analyst.token_id].token_hash = issue_token().hash;
  EXPECT_FALSE(book.authenticator.authenticate(analyst.token));
  EXPECT_EQ(book.authenticator.hashes_verified(), 3);
}

TEST(Authenticator, WrongSecretsUnknownIdsAndMalformedTokensAreRefused) {
  Book book;
  const auto t = book.add(1, AccountRole::admin, "HUB");
  std::string wrong = t.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(book.authenticator.authenticate(wrong));
  EXPECT_FALSE(book.authenticator.authenticate(wrong));  // a failure is never remembered
  EXPECT_EQ(book.authenticator.hashes_verified(), 2);
  const auto other = issue_token();  // well shaped, no account
  EXPECT_FALSE(book.authenticator.authenticate(other.token));
  const int lookups = book.lookups;
  EXPECT_FALSE(book.authenticator.authenticate("not a token"));
  EXPECT_EQ(book.lookups, lookups);  // malformed: not even looked up
  EXPECT_EQ(book.authenticator.hashes_verified(), 2);
  EXPECT_TRUE(book.authenticator.authenticate(t.token));
}

}  // namespace joindots::accounts
