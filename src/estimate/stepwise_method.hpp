#pragma once
// `--method stepwise`: the published rule of the Home Office and SparseMSE analyses as a
// method. Forward stepwise selection of two-way interactions by the Poisson p-value of each
// pair's overlap (select_stepwise_pvalue, Chan, Silverman & Vincent 2021), with the
// nonparametric BCa bootstrap of the whole rule (bca_bootstrap: the model is re-selected in
// every replicate) as its interval, as those analyses report it.
#include "estimate/capture_table.hpp"
#include "estimate/estimate.hpp"

namespace joindots::estimate {

/// The stepwise rule's estimate with its BCa interval (options.bootstrap_replicates
/// replicates, options.seed); with no replicates, the selected model's profile interval,
/// labelled as such (it does not allow for the selection). `estimate` is NaN, and the
/// details say why, when not even the main-effects model is valid.
MethodEstimate run_stepwise_method(const CaptureTable& table, const EstimateOptions& options);

}  // namespace joindots::estimate
