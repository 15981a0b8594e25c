#pragma once
// Linkage settings: every tunable parameter declared once (kLinkParams: section, name,
// default, bounds, description), which drives validation of the TOML config, the defaults
// and docs/linkage.md; plus the lists (compared fields, comparators, blocking rules, hard
// fields) and, for CSV input, the mapping of columns to fields.
//
//   [columns]   id = "rec_id", truth = "entity_id", given_name = "first", ...
//   [compare]   fields = [...], <field> = "<comparator>", tf_adjust = [...]
//   [blocking]  rules = [["family_name.soundex", "dob.year"], ...], max_pairs = ...
//   [model]     u_pairs, em_max_iterations, em_tolerance, seed
//   [cluster]   threshold, min_cohesion, usual_size_quantile, ..., hard_fields = [...]
//   [review]    low, high
//   [run]       threads
// Unknown sections, keys, fields, comparators and key transforms are UsageErrors that
// list the valid names.
#include <array>
#include <bitset>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "link/block.hpp"
#include "link/compare.hpp"
#include "records/fields.hpp"

namespace joindots::link {

struct ParamSpec {
  std::string_view section, name;
  double default_value, min, max;
  bool integer;
  std::string_view description;
};

inline constexpr std::array<ParamSpec, 21> kLinkParams = {{
    {"blocking", "max_pairs", 1'000'000'000, 1, 1e11, true,
     "pair budget: refuse blocking rules that imply more candidate pairs in all (time, not memory: pairs are "
     "streamed)"},
    {"blocking", "max_block", 150, 0, 1e9, true,
     "records a block may hold; larger blocks are skipped and reported (0 = no cap)"},
    {"model", "u_pairs", 1'000'000, 1000, 1e9, true, "random record pairs drawn to estimate u"},
    {"model", "split_pairs", 10'000'000, 0, 1e10, true,
     "random record pairs scored after clustering to estimate the true links blocking never compared that the "
     "run left apart (0 = not estimated)"},
    {"model", "area_pairs", 2'000'000, 0, 1e10, true,
     "record pairs within an area (all when fewer, else a uniform sample) whose latent-class model estimates "
     "the true links the run left apart, with --db (0 = not estimated)"},
    {"model", "em_max_iterations", 2000, 1, 100000, true, "EM iterations at most"},
    {"model", "em_tolerance", 1e-7, 1e-15, 1e-2, false, "EM stops when no parameter moves more than this"},
    {"model", "em_fix_u", 0, 0, 1, true,
     "1: EM keeps u at its random-pair values and fits m and the match share only (Splink); 0: EM also fits u "
     "among candidate pairs (fastLink)"},
    {"model", "em_silver_standard", 0, 0, 1, true,
     "on encodings: 1 lets the candidate pairs an NHS number token labels choose between EM with u fixed and "
     "with u among candidates (fewer errors on them); 0 keeps u fixed and warns (namesakes) when they favour the "
     "other"},
    {"model", "em_sessions", 1, 0, 1, true,
     "1: m of each field from EM sessions over the pairs of each blocking rule that does not use it, u fixed "
     "at random-pair values, and the prior as a fixed point over candidates (Splink); 0: one EM over all "
     "candidates (fastLink)"},
    {"model", "seed", 1, 0, 9.0e15, true, "seed of the random pairs and cohesion samples"},
    {"model", "correlated_fields", 1, 0, 1, true,
     "1: a field whose exact agreement among random pairs mostly comes with another's (suburb with postcode) "
     "counts only when the other does not agree exactly; 0: every field counts on its own"},
    {"cluster", "threshold", 0.5, 0, 1, false, "match probability at or above which a pair links two records"},
    {"cluster", "min_cohesion", 0.5, 0, 1, false,
     "mean match probability across two clusters needed to merge them (0 = off)"},
    {"cluster", "usual_size_quantile", 0.99, 0, 1, false,
     "quantile of the sizes of clusters (of two or more records) found under the full cohesion guard that sets "
     "the usual cluster size; merges that stay within it need only min_cohesion_within_usual (0 = off)"},
    {"cluster", "min_cohesion_within_usual", 0.2, 0, 1, false,
     "mean match probability needed for a merge whose result stays within the usual cluster size"},
    {"cluster", "max_per_source", 0, 0, 1e9, true,
     "records of one source a cluster may hold (0 = any; 1 for 1:1 links)"},
    {"cluster", "auto_one_per_source", 1, 0, 1, true,
     "1: when linking files, a file found to hold one record per person (under 0.01 of its own pairs per "
     "record scored as matches by the model fitted across files) may put only one record in a cluster; "
     "0: off"},
    {"review", "low", 0.2, 0, 1, false, "lower end of the band of uncertain pairs sent to clerical review"},
    {"review", "high", 0.8, 0, 1, false, "upper end of the review band"},
    {"run", "threads", 0, 0, 256, true, "comparison threads (0 = all cores)"},
}};

struct LinkConfig {
  std::vector<Comparison> comparisons;
  std::vector<BlockingRule> blocking;
  /// No config gave rules: `blocking` holds the defaults whose fields are compared, and
  /// `blocking_pool` the further rules link_records may add by estimated recall
  /// (choose_blocking.hpp).
  bool blocking_from_defaults = false;
  std::vector<BlockingRule> blocking_pool;
  std::vector<Field> hard_fields;
  std::int64_t max_pairs = 1'000'000'000;  // about 4 minutes of scoring on 2 cores
  std::int64_t max_block = 150;            // keeps name-only rules within budget at 10 M records
  std::int64_t u_pairs = 1'000'000;
  std::int64_t split_pairs = 10'000'000;
  std::int64_t area_pairs = 2'000'000;
  int em_max_iterations = 2000;  // ordered EM near a boundary can take ~700
  double em_tolerance = 1e-7;
  bool em_fix_u = false;
  bool em_silver_standard = false;  // encodings: the NHS-labelled pairs choose the fit (encoded_model.cpp)
  bool em_sessions = true;
  std::uint64_t seed = 1;
  double threshold = 0.5;
  double min_cohesion = 0.5;
  double usual_size_quantile = 0.99;
  double min_cohesion_within_usual = 0.2;
  int max_per_source = 0;
  bool auto_one_per_source = true;
  bool correlated_fields = true;
  double review_low = 0.2, review_high = 0.8;
  int threads = 0;
};

/// How CSV columns map to fields (CSV mode only).
struct CsvMapping {
  std::string id_column;     // empty: row number
  std::string truth_column;  // empty: none
  std::array<std::string, kFieldCount> column;  // per field, empty = not mapped
  std::string other_names_column, dob_year_column, dob_month_column, dob_day_column;
};

/// A parsed config file, before it is resolved against the fields available.
struct LinkSettings {
  CsvMapping mapping;
  std::optional<std::vector<Field>> fields;            // [compare] fields
  std::array<std::optional<Comparator>, kFieldCount> comparator;  // [compare] <field> = ...
  std::optional<std::vector<Field>> tf_adjust;
  std::optional<std::vector<BlockingRule>> blocking;
  std::optional<std::vector<Field>> hard_fields;
  LinkConfig config;  // numeric parameters (defaults where not given)
};

/// Parses TOML text; `origin` names it in error messages.
LinkSettings parse_link_settings(std::string_view toml_text, std::string_view origin);
LinkSettings load_link_settings(const std::filesystem::path& path);

/// The default blocking rules, in order; those naming a field not compared are dropped.
const std::vector<std::vector<std::string>>& default_blocking_rules();

/// Further rules that may be added to the defaults when they raise the estimated blocking
/// recall (choose_blocking.hpp), in order of preference on ties.
const std::vector<std::vector<std::string>>& candidate_blocking_rules();

/// Fills comparisons, blocking rules and hard fields from the settings and the fields the
/// input holds: compared fields default to all available ones (each with its default
/// comparator; term frequencies for given and family names); rules to the defaults whose
/// fields are compared; hard fields to nhs_number when compared. Throws UsageError when
/// the config names a field the input does not hold.
LinkConfig resolve_link_config(const LinkSettings& settings, std::bitset<kFieldCount> available);

/// The parameter table and defaults as Markdown (for docs and --help).
std::string describe_link_params();

}  // namespace joindots::link
