#include "report/html.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

#include "core/error.hpp"
#include "io/text_file.hpp"

#ifndef JOINDOTS_DEFAULT_WEB_DIST
#define JOINDOTS_DEFAULT_WEB_DIST ""
#endif

namespace joindots::report {

namespace {

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::filesystem::path web_dist_dir() {
  std::filesystem::path dir = JOINDOTS_DEFAULT_WEB_DIST;
  if (const char* env = std::getenv("JOINDOTS_WEB_DIST"); env && *env) dir = env;
  if (!std::filesystem::exists(dir / "report.js"))
    throw UsageError(fmt::format("the page is not built: '{}' has no report.js (run `make build`, which runs "
                                 "`npm ci && npm run build` in web/), or set JOINDOTS_WEB_DIST",
                                 dir.string()));
  return dir;
}

std::filesystem::path regions_geojson_beside(const std::filesystem::path& districts_geojson) {
  return districts_geojson.parent_path() / "rgn_ew_super_generalised.geojson";
}

std::string json_for_script(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

void write_report_html(const std::filesystem::path& out, const nlohmann::json& bundle,
                       const std::filesystem::path& boundaries_geojson) {
  const auto dist = web_dist_dir();
  const std::string js = read_text_file(dist / "report.js");
  const std::string css = read_text_file(dist / "report.css");
  if (js.find("</script") != std::string::npos || css.find("</style") != std::string::npos)
    throw InternalError("the built page contains a closing tag that would end its inline block; rebuild web/");
  const auto geo = nlohmann::json::parse(read_text_file(boundaries_geojson));
  // The regions' boundaries sit beside the districts' (reference data geo/ folder).
  const auto regions_path = regions_geojson_beside(boundaries_geojson);
  const auto regions = std::filesystem::exists(regions_path) ? nlohmann::json::parse(read_text_file(regions_path))
                                                             : nlohmann::json(nullptr);
  const bool restricted = bundle.value("tier", "public") == "restricted";
  const std::string title = restricted ? "joindots report (RESTRICTED)" : "joindots report";

  const auto tmp = out.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw InternalError(fmt::format("{}: cannot write", tmp));
    f << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n"
      << "<title>" << escape_html(title) << "</title>\n<style>\n" << css << "\n</style>\n</head>\n<body>\n"
      << "<div id=\"app\"><p>Loading the report… (it needs JavaScript)</p></div>\n"
      << "<script id=\"joindots-bundle\" type=\"application/json\">" << json_for_script(bundle) << "</script>\n"
      << "<script id=\"joindots-geo\" type=\"application/json\">" << json_for_script(geo) << "</script>\n"
      << "<script id=\"joindots-geo-regions\" type=\"application/json\">" << json_for_script(regions) << "</script>\n"
      << "<script>\n" << js << "\n</script>\n</body>\n</html>\n";
    if (!f) throw InternalError(fmt::format("{}: write failed", tmp));
  }
  std::filesystem::rename(tmp, out);
}

}  // namespace joindots::report
