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

std::unique_ptr<Store> Store::open(const std::string& location, bool create) {
  if (is_postgres(location)) return std::make_unique<PostgresStore>(location, create);
  return std::make_unique<SqliteStore>(location, create);
}

}  // namespace joindots
