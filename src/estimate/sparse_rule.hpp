#pragma once
// How sparse a capture table is, and a candidate charge for a heterogeneity term because of
// it (issue 13, item 3; docs/estimation.md, "Sparse tables").
//
// The default does not charge a heterogeneity model for its term's parameter in the
// tail-area average (run_mata; the dense coverage study: mild heterogeneity is invisible
// to four lists and ~1,400 people, and an interval must allow for it). On a sparse table
// the same prior puts nearly all the weight on heterogeneity models whose estimates run to
// hundreds of times the observed count (New Orleans: 829 with 567-87,863), because with
// most pairs of lists never overlapping almost nothing in the table speaks against them.
#include <cstdint>

#include <string>
#include <string_view>

#include "estimate/capture_table.hpp"
#include "estimate/estimate.hpp"

namespace joindots::estimate {

struct TableSparsity {
  int cells = 0;        // observable cells, 2^K - 1
  int empty_cells = 0;  // of those, the ones with no person
  int pairs = 0;        // pairs of lists, K(K-1)/2
  int pairs_never_overlapping = 0;
  double empty_cell_share() const {
    return cells > 0 ? static_cast<double>(empty_cells) / cells : 0.0;
  }
  double pairs_never_overlapping_share() const {
    return pairs > 0 ? static_cast<double>(pairs_never_overlapping) / pairs : 0.0;
  }
};

TableSparsity table_sparsity(const CaptureTable& table);

/// A table is sparse when at least half of its observable cells are empty (New Orleans:
/// 0.55; the sparse scenarios of the coverage study 0.80-0.93; every other published table
/// of ../shared/data/mse at most 0.43, Kosovo 0). On a sparse table of six lists the search
/// is forward stepwise (EstimateOptions::bound_sparse_search).
inline constexpr double kSparseEmptyCellShare = 0.5;
bool is_sparse(const CaptureTable& table);

/// A candidate rule measured in the coverage study and NOT used by estimate (it narrowed
/// the sparse scenarios' intervals and lost coverage under heterogeneity, 0.83 -> 0.80;
/// docs/estimation.md, "Sparse tables"): the share of BIC's log(n) charged for a
/// heterogeneity term, `configured` raised on sparse tables by the empty-cell share e:
/// max(configured, clamp(2 e - 0.5, 0, 1)) (e <= 0.25: unchanged; e >= 0.75: plain BIC).
double heterogeneity_charge_for(const CaptureTable& table, double configured);

/// auto's rule on a sparse table (docs/estimation.md, "What auto gives on a sparse table"):
/// three or more lists, no given model, EstimateOptions::sparse_shrinkage on, and is_sparse.
/// There no selection rule measured covered 90% (0.78-0.89 on the referral chains, seeds 1-3),
/// and loglinear_shrinkage's interval did (0.935-0.99), with a poor point estimate.
bool uses_sparse_default(const CaptureTable& table, const EstimateOptions& o);

/// The note on a sparse table whose headline is the selection rule's (--sparse-default
/// selection): the coverage study's sparse scenarios, where no selection rule reached 90%.
std::string sparse_selection_warning(const CaptureTable& table);

/// The headline from the shrinkage posterior: its median and equal-tailed interval (the median
/// lies inside it: one posterior). flag_weak_on_sparse_table flags it weak.
void sparse_shrinkage_headline(const CaptureTable& table, const MethodEstimate& shrinkage, EstimateResult& res);

/// The one place that decides a headline is weak because its table is sparse, whether auto's
/// rule, --sparse-default selection or a method chosen by name gave it: three or more lists,
/// is_sparse, and not the fit of a model given by --model (which auto does not flag either).
/// The reason (sparse_weak_reason) says the sparsity and what that method did on the coverage
/// study's sparse scenarios.
bool weak_on_sparse_table(const CaptureTable& table, const EstimateOptions& o, std::string_view headline_method);

/// Why a headline from `headline_method` is weak on this sparse table: what the method's
/// interval covered on the sparse scenarios, which way it missed, and (but for the shrinkage)
/// that auto's interval is the one to quote. loglinear_shrinkage, stepwise, loglinear (BIC),
/// the selection rule (loglinear_heterogeneity, loglinear_mata: sparse_selection_warning),
/// lcmcr and bayes_loglinear; empty for any other (docs/estimation.md, "What auto gives on a
/// sparse table", "Why the selection rule's sparse intervals miss", "Where the sparse
/// interval's width comes from"). `auto_fell_back`: auto gave this method's figure because the
/// shrinkage gave none on this table, so there is no better interval to point to, and the reason
/// says so instead of "Quote auto's interval".
std::string sparse_weak_reason(const CaptureTable& table, std::string_view headline_method,
                               bool auto_fell_back = false);

/// Whether a weak reason says the method's own interval is not the one to quote (a method
/// other than the shrinkage on a sparse table: sparse_weak_reason's "Quote auto's interval",
/// the selection warning's "Read the interval as narrower"), so that a reader without the
/// reason (the report's public tier) is told so. The phrases are these constants, used in both.
inline constexpr std::string_view kQuoteAutosInterval = "Quote auto's interval";
inline constexpr std::string_view kReadAsNarrower = "Read the interval as narrower than the real uncertainty";
bool reason_prefers_autos_interval(std::string_view weak_reason);

/// res's headline flagged weak (res.weak_headline and a note) when weak_on_sparse_table and
/// its method has a reason; auto's and all's headline, and every method chosen by name.
void flag_weak_on_sparse_table(const CaptureTable& table, const EstimateOptions& o, EstimateResult& res);

}  // namespace joindots::estimate
