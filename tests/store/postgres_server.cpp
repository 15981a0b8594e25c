#include "store/postgres_server.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace joindots::testing {

namespace {

namespace fs = std::filesystem;

constexpr int kPort = 5432;  // only names the socket file, in a folder of its own

/// The newest Debian server install: /usr/lib/postgresql/<version>/bin with initdb in it.
fs::path server_bin() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(entry.path() / "bin" / "initdb") && fs::exists(entry.path() / "bin" / "pg_ctl"))
      found.push_back(entry.path() / "bin");
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    return std::stoi(a.parent_path().filename().string()) <
           std::stoi(b.parent_path().filename().string());
  });
  return found.empty() ? fs::path() : found.back();
}

/// As root, the user the server runs as (initdb and postgres refuse root); empty otherwise.
std::string server_user() {
  if (geteuid() != 0) return {};
  return getpwnam("postgres") ? "postgres" : "nobody";
}

std::string as_server_user(const std::string& command) {
  const auto user = server_user();
  return user.empty() ? command : "runuser -u " + user + " -- " + command;
}

void give_to_server_user(const fs::path& path) {
  const auto user = server_user();
  if (user.empty()) return;
  const passwd* pw = getpwnam(user.c_str());
  if (!pw || chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
    throw std::runtime_error("cannot give " + path.string() + " to " + user);
}

void run_or_throw(const std::string& command, const fs::path& log) {
  if (std::system((command + " >>" + log.string() + " 2>&1").c_str()) == 0) return;
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  throw std::runtime_error("`" + command + "` failed:\n" +
                           text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
}

fs::path make_private_dir(const std::string& prefix) {
  std::string templ = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  give_to_server_user(templ);
  return templ;
}

/// The initdb'd cluster every test process copies, made once per user and server version
/// (under a lock: parallel test processes wait for the first).
fs::path template_cluster(const fs::path& bin) {
  const std::string version = bin.parent_path().filename().string();
  const fs::path root = fs::temp_directory_path();
  const fs::path done =
      root / ("joindots-pg-template-" + std::to_string(geteuid()) + "-" + version);
  const std::string lock_path = done.string() + ".lock";
  const int lock = open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + lock_path);
  std::unique_ptr<int, void (*)(int*)> unlock(new int(lock), [](int* fd) {
    close(*fd);
    delete fd;
  });
  if (fs::exists(done / "data" / "PG_VERSION")) return done / "data";
  const fs::path building = make_private_dir("joindots-pg-initdb-");
  run_or_throw(
      as_server_user((bin / "initdb").string() + " -D " + (building / "data").string() +
                     " -U joindots -A trust -E UTF8 --locale=C --no-sync --no-instructions"),
      building.string() + ".log");
  std::error_code ec;
  fs::remove_all(done, ec);
  fs::rename(building, done);  // whole or not at all: a killed initdb leaves no template
  fs::remove(building.string() + ".log", ec);
  return done / "data";
}

}  // namespace

std::string postgres_missing() {
  if (!server_bin().empty()) return {};
  return "PostgreSQL server binaries not found (/usr/lib/postgresql/<version>/bin/initdb and "
         "pg_ctl): "
         "install Debian's postgresql (scripts/install-deps does) to run the PostgreSQL store "
         "tests";
}

PostgresServer* PostgresServer::shared() {
  static const fs::path bin = server_bin();
  if (bin.empty()) return nullptr;
  static std::unique_ptr<PostgresServer> server(new PostgresServer(bin));
  return server.get();
}

PostgresServer::PostgresServer(const fs::path& bin)
    : bin_(bin), dir_(make_private_dir("joindots-pg-")) {
  const fs::path data = template_cluster(bin);
  const fs::path log = dir_ / "server.log";
  run_or_throw(as_server_user("cp -a " + data.string() + " " + (dir_ / "data").string()),
               dir_ / "copy.log");
  run_or_throw(
      as_server_user((bin / "pg_ctl").string() + " -D " + (dir_ / "data").string() + " -l " +
                     log.string() + " -w -t 60 -o \"-c listen_addresses='' -k " + dir_.string() +
                     " -p " + std::to_string(kPort) +
                     " -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start"),
      dir_ / "pg_ctl.log");
  // Should this process die without its destructor running, a watchdog stops the server.
  const std::string stop = as_server_user((bin / "pg_ctl").string() + " -D " +
                                          (dir_ / "data").string() + " -m immediate stop") +
                           " >/dev/null 2>&1; rm -rf " + dir_.string();
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child == 0) {
    setsid();
    const int null = open("/dev/null", O_RDWR);  // not holding the test runner's pipes open
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    while (getppid() == parent) sleep(1);
    execl("/bin/sh", "sh", "-c", stop.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  watchdog_ = child;
}

PostgresServer::~PostgresServer() {
  if (watchdog_ > 0) {
    kill(watchdog_, SIGKILL);
    waitpid(watchdog_, nullptr, 0);
  }
  const std::string stop = as_server_user((bin_ / "pg_ctl").string() + " -D " +
                                          (dir_ / "data").string() + " -m immediate -w stop");
  [[maybe_unused]] const int rc = std::system((stop + " >/dev/null 2>&1").c_str());
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresServer::uri(const std::string& name) const {
  return "postgresql:///" + name + "?host=" + dir_.string() + "&port=" + std::to_string(kPort) +
         "&user=joindots";
}

std::string PostgresServer::create_database() {
  // The cluster's own `postgres` database is empty: the first test uses it as it is.
  if (databases_++ == 0) return uri("postgres");
  const std::string name = "test_" + std::to_string(databases_);
  PGconn* conn = PQconnectdb(uri("postgres").c_str());
  std::unique_ptr<PGconn, void (*)(PGconn*)> close(conn, PQfinish);
  if (PQstatus(conn) != CONNECTION_OK)
    throw std::runtime_error(std::string("connect: ") + PQerrorMessage(conn));
  // FILE_COPY: with fsync off, copying the files beats writing them all to the WAL.
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name + " STRATEGY FILE_COPY").c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) throw std::runtime_error(std::string("CREATE DATABASE: ") + PQerrorMessage(conn));
  return uri(name);
}

}  // namespace joindots::testing
