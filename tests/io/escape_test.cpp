// Output encoding (io/escape.hpp): a corpus of hostile strings pushed through every output
// joindots writes — HTML text, JSON embedded in the page, CSV cells (reports' downloads are
// checked in the browser test), the review file read back.
#include "io/escape.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "link/review.hpp"
#include "report/html.hpp"
#include "test_support.hpp"

namespace joindots {

namespace {

/// Strings an attacker or a careless clerk could put in a record id or a name.
const std::vector<std::string>& hostile_corpus() {
  static const std::vector<std::string> corpus = {
      "<!--<script>",
      "</script><script>alert(1)</script>",
      "<!--",
      "-->",
      "<script",
      "]]>",
      "\" onmouseover=\"alert(1)",
      "' onclick='x'",
      "&amp;&lt;",
      "a\xE2\x80\xA8"
      "b\xE2\x80\xA9"
      "c",  // U+2028, U+2029
      "=HYPERLINK(\"http://x\",\"y\")",
      "+SUM(A1:A2)",
      "-2+3",
      "@SUM(1)",
      "\tleading tab",
      "\rleading CR",
      "'quoted",
      "=1,2\n\"x\"",
      "-",
      "+",
      "\\u003c",
      "plain",
      "",
  };
  return corpus;
}

}  // namespace

TEST(Escape, HtmlLeavesNoMarkupCharacter) {
  for (const auto& s : hostile_corpus()) {
    const auto out = escape::html(s);
    EXPECT_EQ(out.find_first_of("<>\"'"), std::string::npos) << out;
    // Every & starts an entity.
    for (std::size_t i = out.find('&'); i != std::string::npos; i = out.find('&', i + 1))
      EXPECT_TRUE(out.compare(i, 4, "&lt;") == 0 || out.compare(i, 4, "&gt;") == 0 ||
                  out.compare(i, 5, "&amp;") == 0 || out.compare(i, 6, "&quot;") == 0 ||
                  out.compare(i, 5, "&#39;") == 0)
          << out;
  }
  EXPECT_EQ(escape::html("<a href=\"x\">O'Neill & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neill &amp; co&lt;/a&gt;");
}

TEST(Escape, JsonForAScriptElementHasNoAngleBracketAmpersandOrLineSeparatorAndReadsBack) {
  nlohmann::json value = nlohmann::json::object();
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& s : hostile_corpus()) ids.push_back(s);
  value["ids"] = ids;
  value[hostile_corpus()[0]] = hostile_corpus()[1];  // keys too
  const auto out = escape::json_for_script(value);
  EXPECT_EQ(out.find_first_of("<>&"), std::string::npos) << out;
  EXPECT_EQ(out.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(out.find("\xE2\x80\xA9"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(out), value);
  EXPECT_EQ(escape::json_for_script("<!--<script>"), "\"\\u003c!--\\u003cscript\\u003e\"");
}

TEST(Escape, TheReportPageKeepsHostileDataInsideItsDataBlock) {
  testing::TempDir dir;
  testing::write_file(dir / "report.js", "document.body.dataset.ready = 'true';");
  testing::write_file(dir / "report.css", "body {}");
  testing::write_file(dir / "geo.geojson", R"({"type":"FeatureCollection","features":[]})");
  setenv("JOINDOTS_WEB_DIST", dir.path().c_str(), 1);
  nlohmann::json bundle = {{"tier", "restricted"}, {"ids", hostile_corpus()}};
  report::write_report_html(dir / "r.html", bundle, dir / "geo.geojson");
  unsetenv("JOINDOTS_WEB_DIST");
  const std::string html = testing::read_file(dir / "r.html");
  const std::string open = "<script id=\"joindots-bundle\" type=\"application/json\">";
  const auto begin = html.find(open);
  ASSERT_NE(begin, std::string::npos);
  const auto end = html.find("</script>", begin);
  const std::string data = html.substr(begin + open.size(), end - begin - open.size());
  // No '<' at all inside the element: nothing in it can close it or open a comment, so the
  // page's own script after it always runs.
  EXPECT_EQ(data.find('<'), std::string::npos) << data;
  EXPECT_EQ(nlohmann::json::parse(data), bundle);
  EXPECT_FALSE(std::filesystem::exists(dir / "r.html.tmp"));
}

/// What a spreadsheet would run: a cell starting =, @, tab or CR, or + or - unless it is a
/// plain number.
bool starts_a_formula(const std::string& cell) {
  static const std::regex number(R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$)");
  if (cell.empty()) return false;
  const char c = cell.front();
  if (c == '=' || c == '@' || c == '\t' || c == '\r') return true;
  return (c == '+' || c == '-') && !std::regex_match(cell, number);
}

TEST(Escape, CsvCellsNeverStartAFormulaAndNumbersAreLeftAlone) {
  for (const auto& s : hostile_corpus()) {
    const auto cell = escape::csv_cell(s);
    EXPECT_FALSE(starts_a_formula(cell)) << cell;
    EXPECT_EQ(escape::csv_cell_value(cell), s);  // reversible
  }
  for (const char* number : {"-3", "+1.5", "-2e-3", "-0.25", "12", "-.5", "1."})
    EXPECT_EQ(escape::csv_cell(number), number);
  for (const char* text : {"-2+3", "+44 7700 900123", "-e5", "--1", "+", "-"})
    EXPECT_EQ(escape::csv_cell(text), std::string("'") + text);
  EXPECT_EQ(escape::csv_cell("1-2"), "1-2");
}

TEST(Escape, EveryCsvFileWrittenIsFormulaSafeAndReadsBackToTheSameValues) {
  testing::TempDir dir;
  {
    CsvWriter out(dir / "out.csv", std::vector<std::string>{"source_a", "id_a", "source_b", "id_b",
                                                            "count", "decision"});
    for (const auto& s : hostile_corpus())
      out.write_row({"police", s, "=cmd|' /C calc'!A0", "-" + s, "-12", "match"});
    out.close();
  }
  CsvReader in(dir / "out.csv");
  CsvRow row;
  std::size_t i = 0;
  while (in.next(row)) {
    const auto& s = hostile_corpus()[i++];
    for (const auto& cell : row.fields) EXPECT_FALSE(starts_a_formula(cell)) << cell;
    EXPECT_EQ(row.fields[4], "-12");  // a number is a number
    EXPECT_EQ(escape::csv_cell_value(row.fields[1]), s);
  }
  EXPECT_EQ(i, hostile_corpus().size());
  // The review file is read back by joindots itself: the ids come back as they were.
  const auto decisions = link::read_review_decisions(dir / "out.csv");
  ASSERT_EQ(decisions.size(), hostile_corpus().size());
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    EXPECT_EQ(decisions[k].id_a, hostile_corpus()[k]);
    EXPECT_EQ(decisions[k].source_b, "=cmd|' /C calc'!A0");
    EXPECT_EQ(decisions[k].id_b, "-" + hostile_corpus()[k]);
  }
}

}  // namespace joindots
