// POST /api/v1/deliveries (docs/hub.md, "Uploads"): an agency account delivers one file, the
// request's body, validated and written exactly as `joindots ingest` does, all-or-nothing.
// The body is refused before it is read when the caller may not deliver (401, 403), gives no
// usable name (400), no Content-Length (411), a form or an encoding (415), or more bytes than
// the server takes (413); otherwise it is spooled to a private file as it arrives (never held
// in memory) and ingested under the file's name. Every answer is audited with its caller.
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "ingest/ingest.hpp"
#include "io/area_file.hpp"
#include "serve/access.hpp"
#include "serve/server.hpp"

namespace joindots::serve {

namespace {

constexpr const char* kDeliveries = "/api/v1/deliveries";
constexpr std::size_t kMaxNameBytes = 128;

void send(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void refuse(httplib::Response& res, int status, const std::string& message) { send(res, {{"error", message}}, status); }

nlohmann::json problems_json(const BadInputError& e) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& i : e.issues())
    out.push_back({{"file", i.file}, {"line", i.line}, {"field", i.field}, {"message", i.message}});
  return out;
}

/// Why `name` cannot name a delivered file, or empty: 1 to 128 letters, digits, '.', '_' or
/// '-', not starting with '.' (a name, never a path).
std::string name_problem(const std::string& name) {
  if (name.empty())
    return "the file needs a name: the parameter ?name=FILE.csv or the header X-File-Name: FILE.csv";
  if (name.size() > kMaxNameBytes) return fmt::format("name: longer than {} bytes", kMaxNameBytes);
  if (name[0] == '.') return "name: may not start with '.'";
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-')
      return "name: only letters, digits, '.', '_' and '-' (a file's name, not a path)";
  return {};
}

/// The body's length from its Content-Length header; nullopt when absent or not a number.
std::optional<std::size_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const auto& v = req.get_header_value("Content-Length");
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

/// A spooled body: a file in the server's private folder, removed when done.
class SpoolFile {
 public:
  explicit SpoolFile(const std::filesystem::path& dir) {
    std::string pattern = (dir / "delivery-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw InternalError("cannot make a file to receive a delivery in " + dir.string());
    path_ = pattern;
  }
  ~SpoolFile() {
    if (fd_ >= 0) ::close(fd_);
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  bool write(const char* data, std::size_t n) {
    while (n > 0) {
      const auto w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      data += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  /// Closes the file for writing; false when the data did not reach it.
  bool close() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r == 0;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

/// What the delivery route shares: the store connection ingests take turns on, the districts,
/// and the private folder bodies are spooled to (made at start, mode 700, removed at stop).
class Deliveries {
 public:
  Deliveries(std::string db, const std::filesystem::path& data_dir, std::size_t max_bytes)
      : db_(std::move(db)), areas_(load_area_table(data_dir)), max_bytes_(max_bytes) {}
  ~Deliveries() {
    std::error_code ec;
    if (!spool_dir_.empty()) std::filesystem::remove_all(spool_dir_, ec);
  }
  Deliveries(const Deliveries&) = delete;
  Deliveries& operator=(const Deliveries&) = delete;

  void deliver(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read,
               Access& access, std::string& actor) {
    for (const auto& [param, value] : req.params)
      if (param != "name") return refuse(res, 400, fmt::format("unknown parameter '{}' (valid: name)", param));
    const auto who = access.authorize(req, res, {AccountRole::agency}, actor);
    if (!who) return;
    const std::string name = req.has_param("name") ? req.get_param_value("name") : req.get_header_value("X-File-Name");
    if (const auto why = name_problem(name); !why.empty()) return refuse(res, 400, why);
    if (!refuse_before_body(req, res)) return;
    SpoolFile spool(spool_dir());
    std::size_t received = 0;
    bool too_large = false, unwritten = false;
    const bool whole = read([&](const char* data, std::size_t n) {
      if ((too_large = received + n > max_bytes_)) return false;
      received += n;
      return (unwritten = !spool.write(data, n)) == false;
    });
    if (too_large) return refuse(res, 413, too_large_message());
    if (unwritten || !spool.close()) throw InternalError("a delivery could not be written to " + spool.path().string());
    if (!whole || received != *content_length(req))
      return refuse(res, 400, "the body did not arrive whole (Content-Length bytes, in time)");
    ingest(spool.path(), name, who->org, res);
  }

 private:
  /// Answers what can be refused from the head alone; false when it did.
  bool refuse_before_body(const httplib::Request& req, httplib::Response& res) {
    const auto length = content_length(req);
    if (req.has_header("Transfer-Encoding") || !length) {
      refuse(res, 411, "send the file as the body with a Content-Length (curl --data-binary @FILE)");
      return false;
    }
    if (req.is_multipart_form_data() || (req.has_header("Content-Encoding") &&
                                         req.get_header_value("Content-Encoding") != "identity")) {
      refuse(res, 415, "send the file itself as the body, not a form and not compressed (curl --data-binary @FILE)");
      return false;
    }
    if (*length > max_bytes_) {
      refuse(res, 413, too_large_message());
      return false;
    }
    return true;
  }
  /// The private folder, made at the first body spooled (a server that takes none leaves
  /// nothing in TMPDIR).
  std::filesystem::path spool_dir() {
    std::lock_guard lock(spool_mutex_);
    if (spool_dir_.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "joindots-deliveries-XXXXXX").string();
      if (!::mkdtemp(pattern.data()))
        throw InternalError("cannot make a private folder for deliveries in " +
                            std::filesystem::temp_directory_path().string() + " (set TMPDIR)");
      spool_dir_ = pattern;
    }
    return spool_dir_;
  }
  std::string too_large_message() const {
    return fmt::format("the file is larger than this server takes ({} bytes; serve --max-upload-mb)", max_bytes_);
  }
  void ingest(const std::filesystem::path& spooled, const std::string& name, const std::string& org,
              httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (!store_) {
      store_ = Store::open(db_, /*create=*/false);
      store_->limit_cache(kIngestCacheKib);
    }
    try {
      const auto r = ingest_delivery(*store_, areas_, spooled, {name, org});
      nlohmann::json body{{"name", name},          {"status", r.already_present ? "already_present" : "ingested"},
                          {"file_id", r.file.file_id}, {"sha256", r.file.sha256},
                          {"bytes", r.file.bytes},  {"rows", r.already_present ? r.file.rows : r.rows}};
      if (r.already_present) {
        body["message"] = fmt::format("already delivered as {} on {}; nothing changed",
                                      std::filesystem::path(r.file.path).filename().string(), r.file.ingested_at);
        return send(res, body, 200);
      }
      body["rows_by_role"] = r.rows_by_role;
      body["warnings"] = r.warnings;
      nlohmann::json shown = nlohmann::json::array();
      for (const auto& w : r.warnings_kept)
        shown.push_back({{"file", w.file}, {"line", w.line}, {"field", w.field}, {"message", w.message}});
      body["warnings_shown"] = shown;
      send(res, body, 201);
    } catch (const ForeignOrgError& e) {
      send(res,
           {{"error", fmt::format("{}: rejected; an agency delivers its own organisation's records ({}); nothing "
                                  "from it was written",
                                  name, org)},
            {"problems", problems_json(e)},
            {"problems_total", e.total()}},
           403);
    } catch (const BadInputError& e) {
      send(res,
           {{"error", fmt::format("{}: rejected; nothing from it was written", name)},
            {"problems", problems_json(e)},
            {"problems_total", e.total()}},
           400);
    }
  }

  std::string db_;
  AreaTable areas_;
  std::size_t max_bytes_;
  std::mutex spool_mutex_;
  std::filesystem::path spool_dir_;  // empty until the first delivery's body
  std::mutex mutex_;
  std::unique_ptr<Store> store_;  // opened at the first delivery
};

}  // namespace

bool DashboardServer::is_upload(const httplib::Request& req) { return req.method == "POST" && req.path == kDeliveries; }

void DashboardServer::upload_routes() {
  auto deliveries =
      std::make_shared<Deliveries>(options_.db, options_.data_dir, options_.limits.max_upload_bytes);
  const auto access = access_;
  server_->accept_bodies(is_upload);
  server_->Post(kDeliveries, [deliveries, access](const httplib::Request& req, httplib::Response& res,
                                                  const httplib::ContentReader& read) {
    access->audited([&](const httplib::Request& r, httplib::Response& s, std::string& actor) {
      deliveries->deliver(r, s, read, *access, actor);
    })(req, res);
  });
}

}  // namespace joindots::serve
