#pragma once
// The log-linear model with every two-way interaction under a hierarchical shrinkage prior
// (issue 13, item 3; docs/estimation.md, "Shrinking every interaction"):
//
//   y_c ~ Poisson(mu_c),  log mu_c = b_0 + sum_{i in c} b_i + sum_{pairs {i,j} in c} g_ij,
//   g_ij ~ normal(m, tau^2),  tau ~ half-normal(0, s) (or half-Cauchy(0, s)),  m ~ normal(0, 1)
//   (or m = 0: ShrinkageOptions::interaction_mean_sd),
//   b_i ~ normal(0, main_effect_sd^2),  b_0 flat (a scale-invariant prior on the unseen count),
//
// fitted to the 2^K - 1 observed cells; N = n + n_0, n_0 | b_0 ~ Poisson(exp(b_0)), so N's
// posterior is a Poisson mixture over the draws of b_0. No interaction is chosen or dropped:
// the ones the table cannot estimate (two lists that never share a person) carry the prior's
// uncertainty, and tau is learned from the pairs that do overlap.
//
// The sampler is Hamiltonian Monte Carlo (static trajectory of jittered length) on
// (b_0, b, g or z, log tau), with a dense mass matrix: the inverse Hessian at the posterior
// mode given tau to start, then the covariance of the warm-up draws (two windows), and the
// step size tuned by dual averaging to 0.9 acceptance (Hoffman & Gelman 2014, as Stan).
// Where every pair overlaps often the interactions are sampled directly (centred); else as
// g = tau z with z ~ normal(0, 1) (non-centred), which avoids Neal's funnel when the data say
// little about them. The chains start dispersed around the mode; R-hat and the effective
// sample size of log mu_0 say whether they mixed.
#include <cstdint>
#include <vector>

#include "estimate/capture_table.hpp"
#include "estimate/interval.hpp"

namespace joindots::estimate {

enum class TauPrior { HalfNormal, HalfCauchy };

struct ShrinkageOptions {
  TauPrior tau_prior = TauPrior::HalfNormal;
  double tau_scale = 1.0;
  /// > 0: tau fixed at this value (no hyperprior; tests).
  double fixed_tau = 0.0;
  /// > 0 (the default): the interactions share a mean m, g_ij ~ normal(m, tau^2), m ~ normal(0,
  /// this^2); 0: mean 0. On a sparse table m is barely identified (only cells of three or more
  /// lists speak to it), so the direction of the lists' dependence is left to this prior
  /// (docs/estimation.md, "Shrinking every interaction").
  double interaction_mean_sd = 1.0;
  /// The centre of m's prior: m ~ normal(this, interaction_mean_sd^2).
  double interaction_mean_centre = 0.0;
  /// > 0: the interactions are Student-t with these degrees of freedom about m, scale tau
  /// (heavier tails: a few strong interactions, as a referral chain's, are pulled less towards
  /// the others); 0: normal.
  double interaction_df = 0.0;
  /// The main effects' prior sd; infinite: flat.
  double main_effect_sd = 10.0;
  /// The interactions (bitmasks of two lists); empty: every pair.
  std::vector<std::uint32_t> pairs;
  int chains = 2;
  int warmup = 1000;
  int samples = 2000;  // kept draws per chain
  std::uint64_t seed = 1;
  double level = 0.95;
  /// A pair overlapping at least this many times counts as well informed; all of them so:
  /// centred sampling.
  int centred_overlap = 20;
};

struct ShrinkageResult {
  std::int64_t observed = 0;
  double median = 0, mean = 0, sd = 0;
  Interval interval;  // equal-tailed
  Interval hpd;
  double tau_median = 0, mean_interaction = 0;
  Interval tau_interval;
  std::vector<std::uint32_t> pairs;
  std::vector<double> interaction_median;  // per pair
  double rhat = 0, ess = 0;                // of log mu_0, over the chains (split R-hat)
  double acceptance = 0, step_size = 0, mean_leapfrog_steps = 0;
  int divergences = 0;
  bool centred = false;
  double seconds = 0;
  std::vector<double> log_unobserved;  // kept draws of b_0 = log mu_0, chain after chain
};

ShrinkageResult loglinear_shrinkage(const CaptureTable& table, const ShrinkageOptions& o = {});

}  // namespace joindots::estimate
