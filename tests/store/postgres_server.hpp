#pragma once
// A real PostgreSQL server for the tests of the PostgreSQL store: Debian's binaries
// (/usr/lib/postgresql/<version>/bin), a cluster in a temporary folder that listens only on
// a unix socket there, fsync off. One server per test process, started on first use and
// stopped when the process exits (or, should it die, by a watchdog process). initdb runs
// once per machine user and PostgreSQL version into a template cluster that each process
// copies. PostgreSQL refuses to run as root: as root the server runs as the `postgres`
// user (Debian's package makes it), its folders chowned to it.
#include <filesystem>
#include <string>

namespace joindots::testing {

class PostgresServer {
 public:
  /// This process's server, started on first use; nullptr when the server binaries are
  /// absent (postgres_missing() says so). Any other failure to start throws.
  static PostgresServer* shared();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// An empty database on the server, a new one at each call; returns its URI.
  std::string create_database();
  /// The URI of database `name` on this server.
  std::string uri(const std::string& name) const;

 private:
  explicit PostgresServer(const std::filesystem::path& bin);
  std::filesystem::path bin_, dir_;
  int watchdog_ = 0;  // the pid of the process that stops the server if this one dies
  int databases_ = 0;
};

/// Why the PostgreSQL tests cannot run here (no server binaries), or "" when they can.
std::string postgres_missing();

}  // namespace joindots::testing
