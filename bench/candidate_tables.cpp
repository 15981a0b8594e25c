// Issue 11's candidate interval on published tables: for each capture-history CSV named,
// `auto`'s estimate (estimate --table ... --bootstrap 0), today's interval (the tail-area
// average over the whole heterogeneity search) and the candidate (the tail-area average over
// the forms' best models that the dense headline averages; bench/candidate_headlines.hpp).
// A Markdown table on stdout.
//
//   joindots_candidate_tables TABLE.csv...
#include <fmt/format.h>

#include <exception>
#include <filesystem>

#include "candidate_headlines.hpp"
#include "estimate/capture_table.hpp"
#include "estimate/estimate.hpp"

int main(int argc, char** argv) {
  using namespace joindots;
  fmt::print("| table | headline | estimate | today's interval | forms' interval | the same, term not charged |\n"
             "|---|---|---|---|---|---|\n");
  for (int i = 1; i < argc; ++i) {
    try {
      const auto table = estimate::read_capture_table(argv[i]);
      estimate::EstimateOptions opt;
      opt.method = estimate::Method::Auto;
      opt.headline_only = true;
      opt.bootstrap_replicates = 0;
      const auto result = estimate::estimate_all(table, opt);
      const auto candidate = bench::forms_interval(table, result);
      const auto uncharged = bench::forms_interval(table, result, 0.0);
      fmt::print("| {} | {} | {:.0f} | {:.0f}–{:.0f} | {:.0f}–{:.0f} | {:.0f}–{:.0f} |\n",
                 std::filesystem::path(argv[i]).stem().string(), result.headline, result.estimate,
                 result.interval.low, result.interval.high, candidate.low, candidate.high, uncharged.low,
                 uncharged.high);
    } catch (const std::exception& e) {
      fmt::print(stderr, "joindots_candidate_tables: {}: {}\n", argv[i], e.what());
      return 1;
    }
  }
  return 0;
}
