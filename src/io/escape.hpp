#pragma once
// Output encoding, in one place: every renderer that puts data into HTML, into a JSON block
// inside a page, or into a CSV cell goes through these (docs/report.md, "Output encoding").
// Record ids, names and free text come from agencies' files and are never trusted.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace joindots::escape {

/// Text for HTML element content or a quoted attribute value: & < > " ' as entities.
std::string html(std::string_view text);

/// JSON text for a <script type="application/json"> element: `<`, `>` and `&` become
/// \u003c, \u003e and \u0026, and U+2028, U+2029 become \u2028, \u2029, so no value can
/// close the element, open a comment (`<!--`) or break a parser. JSON.parse reads it back
/// unchanged. Invalid UTF-8 in a value is replaced by U+FFFD.
std::string json_for_script(const nlohmann::json& value);

/// A CSV cell made safe against formula injection (OWASP): a text cell starting with
/// `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a spreadsheet shows it as text; so
/// is one starting with `'`, which keeps the rule reversible (csv_cell_value). A cell that
/// is a plain number (`-3`, `+1.5`, `-2e-3`) is left alone. CSV quoting is separate
/// (append_csv_field).
std::string csv_cell(std::string_view cell);

/// Whether csv_cell would change `cell`.
bool csv_cell_needs_prefix(std::string_view cell);

/// The value of a cell that csv_cell wrote, for joindots' own CSV files read back (review
/// decisions): one leading `'` is dropped.
std::string_view csv_cell_value(std::string_view cell);

}  // namespace joindots::escape
