#include "link/review.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/escape.hpp"

namespace joindots::link {

std::size_t write_review_file(const std::filesystem::path& path, const std::vector<ScoredPair>& pairs,
                              const std::vector<LinkRecord>& records, const std::vector<std::string>& source_names,
                              const FsModel& model, double low, double high) {
  std::vector<const ScoredPair*> band;
  for (const auto& p : pairs)
    if (!p.clerical && p.probability >= low && p.probability < high) band.push_back(&p);
  std::sort(band.begin(), band.end(), [](auto* x, auto* y) { return x->probability > y->probability; });
  std::vector<std::string> header{"source_a", "id_a", "source_b", "id_b", "probability", "weight"};
  for (const auto& c : model.comparisons) {
    header.push_back(fmt::format("{}_a", to_string(c.field)));
    header.push_back(fmt::format("{}_b", to_string(c.field)));
    header.push_back(fmt::format("{}_level", to_string(c.field)));
  }
  header.push_back("decision");
  CsvWriter out(path, header);
  auto src = [&](std::uint32_t s) { return s < source_names.size() ? source_names[s] : std::to_string(s); };
  for (const auto* p : band) {
    const LinkRecord& a = records[p->a];
    const LinkRecord& b = records[p->b];
    std::vector<std::string> row{src(a.source), a.id, src(b.source), b.id, fmt::format("{:.4f}", p->probability),
                                 fmt::format("{:.2f}", p->weight)};
    const Pattern pat = compare_pair(a, b, model.comparisons);
    for (std::size_t k = 0; k < model.comparisons.size(); ++k) {
      row.push_back(a[model.comparisons[k].field]);
      row.push_back(b[model.comparisons[k].field]);
      row.emplace_back(level_names(model.comparisons[k].comparator)[static_cast<std::size_t>(level_of(pat, k))]);
    }
    row.emplace_back();
    out.write_row(row);
  }
  out.close();
  return band.size();
}

std::vector<ReviewDecision> read_review_decisions(const std::filesystem::path& path) {
  CsvReader in(path);
  const auto& h = in.header();
  auto col = [&](std::string_view name) {
    auto it = std::find(h.begin(), h.end(), name);
    if (it == h.end())
      throw BadInputError(InputIssue{path.string(), 1, "header",
                                     fmt::format("no column '{}' (a decisions file needs "
                                                 "source_a, id_a, source_b, id_b, decision)",
                                                 name)});
    return static_cast<std::size_t>(it - h.begin());
  };
  const std::size_t sa = col("source_a"), ia = col("id_a"), sb = col("source_b"), ib = col("id_b"),
                    dc = col("decision");
  std::vector<ReviewDecision> out;
  IssueCollector issues;
  CsvRow row;
  while (in.next(row)) {
    std::string d = row.fields[dc];
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (d.empty()) continue;
    // The review file was written with formula-safe cells; read the values back.
    auto value = [&](std::size_t i) { return std::string(escape::csv_cell_value(row.fields[i])); };
    ReviewDecision rd{value(sa), value(ia), value(sb), value(ib)};
    if (d == "match" || d == "yes" || d == "y" || d == "1") rd.match = true;
    else if (d == "non_match" || d == "non-match" || d == "nonmatch" || d == "no" || d == "n" || d == "0")
      rd.match = false;
    else {
      issues.add({path.string(), row.line, "decision", fmt::format("'{}' is not match or non_match", row.fields[dc])});
      continue;
    }
    out.push_back(std::move(rd));
  }
  issues.throw_if_any();
  return out;
}

}  // namespace joindots::link
