// joindots audit verify through the CLI: intact after accounts add and revoke (which audit
// themselves), broken (exit 2, naming the row) once a row is edited in the store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/audit_trail.hpp"
#include "store/sqlite/sqlite.hpp"
#include "test_support.hpp"

namespace joindots {

using testing::run_cli;

TEST(AuditCli, VerifySaysIntactUntilARowIsEditedThenNamesIt) {
  testing::TempDir dir;
  const std::string db = (dir / "hub.db").string();
  ASSERT_EQ(run_cli("accounts add --db " + db + " --org HUB --role analyst").exit_code, 0);
  ASSERT_EQ(run_cli("accounts add --db " + db + " --org E23000013 --role agency").exit_code, 0);
  ASSERT_EQ(run_cli("accounts revoke --db " + db + " --id 2").exit_code, 0);
  auto ok = run_cli("audit verify --db " + db);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind("3 rows, chain intact; head 3:", 0), 0u) << ok.out;
  const auto json = nlohmann::json::parse(run_cli("audit verify --db " + db + " --json").out);
  EXPECT_TRUE(json["intact"].get<bool>());
  EXPECT_EQ(json["rows"], 3);
  const std::string anchor = "3:" + json["head"]["hash"].get<std::string>();
  EXPECT_EQ(run_cli("audit verify --db " + db + " --anchor " + anchor).exit_code, 0);
  {
    std::vector<AuditRow> rows;
    AuditTrail::open((dir / "hub.db").string())->for_each_row([&](const AuditRow& r) { rows.push_back(r); });
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_NE(rows[0].actor.rfind("cli:", 0), std::string::npos);
    EXPECT_NE(rows[1].action.find("accounts add --org E23000013 --role agency: account 2"), std::string::npos);
    EXPECT_EQ(rows[2].action, "accounts revoke --id 2");
    sqlite::Database(dir / "hub.db", false)
        .exec("UPDATE audit SET action = 'accounts list' WHERE seq = 2");
  }
  auto broken = run_cli("audit verify --db " + db);
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("broken at row 2: row 2 edited"), std::string::npos) << broken.err;
  EXPECT_EQ(run_cli("audit verify --db " + db + " --anchor 3:abc").exit_code, 1);
  EXPECT_EQ(run_cli("audit verify --db " + db + " --anchor " + anchor.substr(2)).exit_code, 1);
  EXPECT_EQ(run_cli("audit verify --db " + (dir / "none.db").string()).exit_code, 1);
}

}  // namespace joindots
