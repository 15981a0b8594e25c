#pragma once
// The Store contract (store/store.hpp): what every implementation must do, written once in
// store_contract_test.cpp and run for each backend listed by store_backends(): SQLite and
// PostgreSQL (store_backends.cpp), the same tests unchanged.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace joindots::testing {

/// One store under test: a fresh, empty one, and further connections to it.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  /// Creates the store (empty, at the current schema) and returns a connection to it.
  virtual std::unique_ptr<Store> create() = 0;
  /// Another connection to the store create() made, as a second process would open it.
  virtual std::unique_ptr<Store> connect() = 0;
  /// Runs SQL on a connection of its own, as someone with write access to the store would
  /// (the audit trail's tamper tests); throws when the database refuses it.
  virtual void exec_sql(const std::string& sql) = 0;
  /// Where the store is, as Store::open and AuditTrail::open take it.
  virtual std::string location() = 0;
};

struct StoreBackendFactory {
  std::string name;  // the test-name suffix: letters and digits
  /// A fresh store; nullptr when the backend cannot run here (then `missing` says why).
  std::function<std::unique_ptr<StoreBackend>()> make;
  std::function<std::string()> missing = [] { return std::string(); };
};

inline void PrintTo(const StoreBackendFactory& factory, std::ostream* os) { *os << factory.name; }

/// Every backend the contract runs against, listed explicitly (no self-registration).
std::vector<StoreBackendFactory> store_backends();

/// The contract tests' fixture: a fresh store of the backend under test holding the test
/// areas (skipped where the backend cannot run). A fixture that adds to SetUp calls this one
/// first and returns when IsSkipped().
class StoreContractTest : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> store_;
};

}  // namespace joindots::testing
