// The backends the store contract runs against. To add one, append a factory here.
#include <memory>

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

 private:
  std::filesystem::path path() const { return dir_ / "hub.db"; }
  TempDir dir_;
};

}  // namespace

std::vector<StoreBackendFactory> store_backends() {
  return {{"Sqlite", [] { return std::make_unique<SqliteBackend>(); }}};
}

}  // namespace joindots::testing
