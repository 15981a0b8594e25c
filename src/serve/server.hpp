#pragma once
// The live dashboard: the page (web/dist) and a JSON API over the store, through the same
// results bundle and disclosure control as the report. Binds 127.0.0.1 by default and
// serves the public tier only (until access control exists).
//
// API (version 1), every response JSON:
//   GET /api/v1/summary            what the store holds (counts of files, sources, runs)
//   GET /api/v1/bundle             the whole public results bundle (what the page renders)
//   GET /api/v1/areas[?region=R]   districts with their (controlled) victim record counts
//   GET /api/v1/sources            victim records and identifier completeness per source type
//   GET /api/v1/estimates[?dimension=D]  the four answers and the estimates by stratum
//   GET /api/v1/overlap            the overlap of the lists (capture patterns, list totals)
//   GET /api/v1/models             the estimation methods compared for the victims' total
//   GET /api/v1/linkage[?role=R]   linkage diagnostics of the latest link run per role
//   GET /api/v1/geo                district boundaries (GeoJSON)
//   GET /api/v1/geo/regions        region boundaries (GeoJSON)
// Unknown parameters or values get 400 with {"error": "..."}; unknown paths 404.
#include <filesystem>
#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace joindots::serve {

struct ServerOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::filesystem::path data_dir;
  std::filesystem::path web_dist;
};

class DashboardServer {
 public:
  explicit DashboardServer(ServerOptions options);
  ~DashboardServer();
  /// Binds the port; returns the port bound (useful with port 0). Throws UsageError when the
  /// address cannot be bound.
  int bind();
  /// Serves until stop() is called (blocking).
  void listen();
  void stop();

 private:
  void routes();
  ServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace joindots::serve
