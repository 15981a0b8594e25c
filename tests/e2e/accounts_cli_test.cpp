// joindots accounts add|revoke|list through the CLI: the token printed once and kept
// nowhere, the list without secrets, bad roles and organisations refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "accounts/token.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::run_cli;

TEST(AccountsCli, AddPrintsTheTokenOnceListShowsNoSecretRevokeRevokes) {
  testing::TempDir dir;
  const std::string db = (dir / "hub.db").string();
  auto added = run_cli("accounts add --db " + db + " --org E23000013 --role agency");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string token = added.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  const auto id = accounts::token_id_of(token);
  ASSERT_TRUE(id) << "not a token: " << added.out;
  EXPECT_NE(added.err.find("shown this once"), std::string::npos) << added.err;
  // The store (its file and WAL) holds the token's id, never its secret.
  const std::string secret = token.substr(13);
  for (const auto* f : {"hub.db", "hub.db-wal"})
    if (std::filesystem::exists(dir / f)) EXPECT_EQ(testing::read_file(dir / f).find(secret), std::string::npos) << f;

  auto json = run_cli("accounts add --db " + db + " --org HUB --role admin --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto admin = nlohmann::json::parse(json.out);
  EXPECT_EQ(admin["role"], "admin");
  EXPECT_EQ(admin["account_id"], 2);
  EXPECT_TRUE(accounts::token_id_of(admin["token"].get<std::string>()));

  auto list = run_cli("accounts list --db " + db);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(*id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("agency"), std::string::npos);
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  EXPECT_EQ(list.out.find("argon2"), std::string::npos);

  ASSERT_EQ(run_cli("accounts revoke --db " + db + " --id 1").exit_code, 0);
  const auto listed = nlohmann::json::parse(run_cli("accounts list --db " + db + " --json").out);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(listed[0]["revoked_at"].is_string());
  EXPECT_TRUE(listed[1]["revoked_at"].is_null());
  EXPECT_EQ(listed.dump().find("argon2"), std::string::npos);
  auto missing = run_cli("accounts revoke --db " + db + " --id 99");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such account"), std::string::npos) << missing.err;
}

TEST(AccountsCli, ARoleOrAnOrganisationThatIsNoneIsRefusedAndNothingIsAdded) {
  testing::TempDir dir;
  const std::string db = (dir / "hub.db").string();
  ASSERT_EQ(run_cli("accounts add --db " + db + " --org HUB --role analyst").exit_code, 0);
  auto role = run_cli("accounts add --db " + db + " --org HUB --role superuser");
  EXPECT_EQ(role.exit_code, 1);
  EXPECT_NE(role.err.find("valid: agency, analyst, admin"), std::string::npos) << role.err;
  EXPECT_TRUE(role.out.empty());
  auto org = run_cli("accounts add --db " + db + " --org 'E23 000013' --role agency");
  EXPECT_EQ(org.exit_code, 1);
  EXPECT_NE(org.err.find("--org"), std::string::npos) << org.err;
  EXPECT_EQ(nlohmann::json::parse(run_cli("accounts list --db " + db + " --json").out).size(), 1u);
  EXPECT_EQ(run_cli("accounts").exit_code, 1);  // a subcommand is required
}

}  // namespace joindots
