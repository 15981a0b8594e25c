#pragma once
// Widening an interval for a chosen model that fits the lists poorly: the variance
// inflation factor c-hat of the capture-recapture literature (Anderson, Burnham & White
// 1994; Burnham & Anderson 2002, section 6.2), applied to the log of the unseen count.
//
// Why: under a fixed misspecification the deviance grows in proportion to the number of
// people, while an interval computed as if the model were right shrinks like one over its
// square root; at national scale the interval becomes far narrower than what the model gets
// wrong (issue 11: 1 M records, every model rejected at p ~ 1e-8, the interval +/-1.6%, 20%
// off). Dividing the deviance differences of the profile likelihood by c-hat = D / df is,
// to first order, widening the interval for log(unseen) by sqrt(c-hat) around the
// estimate. c-hat grows like n under misfit, so the relative width stops shrinking.
//
// Applied only where the chosen model's goodness of fit is rejected (p < 0.05, the same
// test that prints "fits poorly"), and only where the table is dense enough for the
// deviance to be chi-square (Cochran's rule: at least 80% of the observable cells hold 5
// or more): on sparse tables D / df is not a measure of misfit.
#include <optional>
#include <string>

#include "estimate/capture_table.hpp"
#include "estimate/interval.hpp"

namespace joindots::estimate {

struct LackOfFit {
  double deviance = 0;
  int df = 0;
  double p_value = 1;
  double c_hat = 1;   // D / df
  double factor = 1;  // sqrt(c_hat): how much wider the interval of log(unseen) becomes
};

/// Whether a model's deviance on `table` may be read as chi-square (Cochran's rule: at least
/// 80% of the observable cells hold 5 or more): on sparse tables deviances compare nothing.
bool deviance_is_chi_square(const CaptureTable& table);

/// The lack of fit of a chosen model on `table`, or nothing when its fit is not rejected at
/// 5% (or df is 0, the deviance is not finite, or the table is sparse).
std::optional<LackOfFit> lack_of_fit(const CaptureTable& table, double deviance, int df);

/// `interval` widened by `fit.factor` on the scale of log(unseen) around `estimate`
/// (unseen = N - observed); the kind says so. An interval whose ends are not finite, or an
/// estimate at the observed count, is returned unchanged.
Interval widen_for_lack_of_fit(const Interval& interval, double estimate, double observed,
                               const LackOfFit& fit);

}  // namespace joindots::estimate
