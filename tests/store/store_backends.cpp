// The backends the store contract runs against. To add one, append a factory here.
#include <memory>

#include "store/postgres/pg.hpp"
#include "store/postgres_server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store_contract.hpp"
#include "test_support.hpp"

namespace joindots::testing {

namespace {

/// A SQLite store in a scratch folder, removed with the backend.
class SqliteBackend final : public StoreBackend {
 public:
  std::unique_ptr<Store> create() override { return std::make_unique<SqliteStore>(path(), true); }
  std::unique_ptr<Store> connect() override { return std::make_unique<SqliteStore>(path(), false); }
  void exec_sql(const std::string& sql) override { sqlite::Database(path(), false).exec(sql); }
  std::string location() override { return path().string(); }

 private:
  std::filesystem::path path() const { return dir_ / "hub.db"; }
  TempDir dir_;
};

/// A PostgreSQL store in a database of its own on this test process's server.
class PostgresBackend final : public StoreBackend {
 public:
  explicit PostgresBackend(PostgresServer& server) : uri_(server.create_database()) {}
  std::unique_ptr<Store> create() override { return Store::open(uri_, true); }
  std::unique_ptr<Store> connect() override { return Store::open(uri_, false); }
  void exec_sql(const std::string& sql) override { pg::Connection(uri_).exec(sql); }
  std::string location() override { return uri_; }

 private:
  std::string uri_;
};

}  // namespace

std::vector<StoreBackendFactory> store_backends() {
  return {{"Sqlite", [] { return std::make_unique<SqliteBackend>(); }},
          {"Postgres",
           []() -> std::unique_ptr<StoreBackend> {
             auto* server = PostgresServer::shared();
             if (!server) return nullptr;
             return std::make_unique<PostgresBackend>(*server);
           },
           postgres_missing}};
}

void StoreContractTest::SetUp() {
  backend_ = GetParam().make();
  if (!backend_) GTEST_SKIP() << GetParam().missing();
  store_ = backend_->create();
  store_->ensure_areas(test_areas());
}

}  // namespace joindots::testing
