#pragma once
// A dashboard server (server_fixture.hpp) whose store also holds a second organisation's file
// and an account of each role: two agencies, an analyst, an admin and a revoked analyst.
#include "accounts/token.hpp"
#include "serve/server_fixture.hpp"

namespace joindots::serve {

class AccountsServerTest : public ServerTest {
 protected:
  void adjust(ServerOptions& opt) override {
    // A second organisation's file beside the fixture's (all E23000013).
    const auto areas = load_area_table(testing::test_data_dir());
    std::string other = testing::sample_header() + "\n";
    for (int i = 0; i < 12; ++i) other += testing::sample_row(i, {{"source_org", "E23000014"}}) + "\n";
    testing::write_file(dir_ / "b.csv", other);
    SqliteStore store(opt.db, false);
    ingest_file(store, areas, dir_ / "b.csv");
    agency_ = add(store, "E23000013", AccountRole::agency);
    other_agency_ = add(store, "E23000014", AccountRole::agency);
    analyst_ = add(store, "HUB", AccountRole::analyst);
    admin_ = add(store, "HUB", AccountRole::admin);
    revoked_ = add(store, "HUB", AccountRole::analyst);
    store.revoke_account(store.account_by_token_id(*accounts::token_id_of(revoked_))->account_id);
  }
  static std::string add(Store& store, const std::string& org, AccountRole role) {
    const auto t = accounts::issue_token();
    Account a;
    a.token_id = t.token_id;
    a.token_hash = t.hash;
    a.org = org;
    a.role = role;
    store.add_account(a);
    return t.token;
  }
  httplib::Result as(const std::string& token, const std::string& path) {
    return get(path, {{"Authorization", "Bearer " + token}});
  }
  std::string agency_, other_agency_, analyst_, admin_, revoked_;
};

}  // namespace joindots::serve
