// Store::open: which implementation a --db location names.
#include "store/store.hpp"

#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace joindots {

bool Store::is_postgres(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string Store::shown(const std::string& location) {
  return is_postgres(location) ? pg::redacted(location) : location;
}

std::string to_string(AccountRole role) {
  switch (role) {
    case AccountRole::agency:
      return "agency";
    case AccountRole::analyst:
      return "analyst";
    case AccountRole::admin:
      return "admin";
  }
  return "unknown";
}

std::optional<AccountRole> account_role_from_string(const std::string& name) {
  for (auto role : {AccountRole::agency, AccountRole::analyst, AccountRole::admin})
    if (to_string(role) == name) return role;
  return std::nullopt;
}

std::unique_ptr<Store> Store::open(const std::string& location, bool create) {
  if (is_postgres(location)) return std::make_unique<PostgresStore>(location, create);
  return std::make_unique<SqliteStore>(location, create);
}

}  // namespace joindots
