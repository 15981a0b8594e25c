#include "report/html.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

#include "core/error.hpp"
#include "io/escape.hpp"
#include "io/text_file.hpp"

#ifndef JOINDOTS_DEFAULT_WEB_DIST
#define JOINDOTS_DEFAULT_WEB_DIST ""
#endif

namespace joindots::report {

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

  std::ostringstream f;
  {
    f << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" "
         "href=\"data:,\">\n"
      << "<title>" << escape::html(title) << "</title>\n<style>\n"
      << css << "\n</style>\n</head>\n<body>\n"
      << "<div id=\"app\"><p>Loading the report… (it needs JavaScript)</p></div>\n"
      << "<script id=\"joindots-bundle\" type=\"application/json\">" << escape::json_for_script(bundle) << "</script>\n"
      << "<script id=\"joindots-geo\" type=\"application/json\">" << escape::json_for_script(geo) << "</script>\n"
      << "<script id=\"joindots-geo-regions\" type=\"application/json\">" << escape::json_for_script(regions)
      << "</script>\n"
      << "<script>\n"
      << js << "\n</script>\n</body>\n</html>\n";
  }
  write_file_atomically(out, f.view());
}

}  // namespace joindots::report
