// AuditTrail::open: the implementation of the store a location names (as Store::open).
#include "store/audit_trail.hpp"

#include "store/store.hpp"

namespace joindots {

std::unique_ptr<AuditTrail> open_sqlite_audit_trail(const std::string& path);  // sqlite/audit.cpp
std::unique_ptr<AuditTrail> open_postgres_audit_trail(const std::string& uri);  // postgres/pg_audit.cpp

std::unique_ptr<AuditTrail> AuditTrail::open(const std::string& location) {
  if (Store::is_postgres(location)) return open_postgres_audit_trail(location);
  return open_sqlite_audit_trail(location);
}

}  // namespace joindots
