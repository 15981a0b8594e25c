#pragma once
// The latent-class (finite mixture) model of capture: people fall in K classes, class k with
// share pi_k, and within a class the lists record independently, list j with chance p_kj
// (Pledger 2000's M_th mixtures; the model behind LCMCR, here fitted by maximum likelihood).
// Where visibility differs by list between groups (children on the street seen by police and
// charities, children in care by councils and health), the log-linear forms of heterogeneity
// (Poisson2, Darroch, Gamma3.5: one visibility shared by every list) fit poorly and can all be
// far off together; this one fits such a table, and under lack of fit auto's interval takes in
// its estimate beside theirs (estimate.cpp, take_in_forms_about_as_bad; docs/estimation.md,
// "When the chosen model fits poorly", item 3).
//
// Fitted by EM with the unseen count imputed at each step (n0 = n P0 / (1 - P0), which gives
// the unconditional MLE; Sanathanan 1972), from several dispersed starts: a class seen by few
// lists is weakly identified and the likelihood has local optima.
#include <cstdint>
#include <vector>

#include "estimate/capture_table.hpp"

namespace joindots::estimate {

struct LatentClassFit {
  int classes = 0;
  double estimate = 0;                      // N = observed + unseen; infinite when a class is seen by no list
  bool bounded = true;                      // false: the unseen count ran off (a class of chance near 0 on every list)
  double deviance = 0;                      // G^2 over the observed cells, fitted n P_c / (1 - P0)
  int df = 0;                               // 2^K - 2 observed-cell frequencies less K L + K - 1 parameters
  double log_likelihood = 0;                // conditional on being observed
  std::vector<double> share;                // pi_k
  std::vector<std::vector<double>> chance;  // p_kj
  int iterations = 0;
};

/// Whether a K-class model has fewer parameters (K L + K - 1) than `lists` lists' observed
/// cells have free frequencies (2^L - 2); one class (independence) may use them all.
bool latent_class_identifiable(int lists, int classes);

/// The best of `starts` EM runs (seeded). Throws UsageError when not identifiable.
LatentClassFit fit_latent_class(const CaptureTable& table, int classes, std::uint64_t seed = 1, int starts = 8);

}  // namespace joindots::estimate
