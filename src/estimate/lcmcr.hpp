#pragma once
// The Bayesian non-parametric latent class model for capture-recapture (LCMCR; Manrique-
// Vallier 2016, Biometrics 72:1246-1254; the R package LCMCR used by HRDAG).
//
// Each of the N people belongs to a latent class z in {1..K*}; within a class the lists
// record people independently: P(x | z = k) = prod_j lambda_kj^x_j (1 - lambda_kj)^(1-x_j).
// Heterogeneity between classes induces dependence between lists. Priors:
//   pi ~ truncated stick-breaking (Dirichlet process) with K* classes:
//        V_k ~ Beta(1, alpha), V_K* = 1, pi_k = V_k prod_{l<k} (1 - V_l);
//   alpha ~ Gamma(a, b) (shape, rate; default 0.25, 0.25);
//   lambda_kj ~ Beta(1, 1);   p(N) proportional to 1/N.
// Gibbs sampler with data augmentation for the n0 = N - n people no list recorded:
//   1. classes of the observed: for each observed pattern, a multinomial split of its
//      count over the classes, probabilities proportional to pi_k P(x | k) (people with
//      the same history share their conditional, so the cost depends on the number of
//      distinct patterns, not on n);
//   2. n0 ~ NegativeBinomial(n, 1 - p0), p0 = sum_k pi_k prod_j (1 - lambda_kj), and a
//      multinomial split of n0 over the classes, probabilities proportional to
//      pi_k prod_j (1 - lambda_kj);
//   3. lambda_kj ~ Beta(1 + s_kj, 1 + m_k - s_kj) (m_k people in class k, s_kj on list j);
//   4. V_k ~ Beta(1 + m_k, alpha + sum_{l>k} m_l);
//   5. alpha ~ Gamma(a + K* - 1, b - sum_{k<K*} log(1 - V_k)).
// Several chains, each with its own random stream Rng(seed, "lcmcr", chain), run in
// parallel; the draws do not depend on the thread count. Diagnostics on N: split R-hat and
// the multi-chain effective sample size (Gelman et al. 2013, BDA3 section 11.4-11.5).
#include <cstdint>
#include <vector>

#include "estimate/capture_table.hpp"
#include "estimate/interval.hpp"

namespace joindots::estimate {

struct LcmcrOptions {
  int max_classes = 10;        // K*
  double alpha_shape = 0.25;   // a
  double alpha_rate = 0.25;    // b
  int chains = 4;
  int burn_in = 20000;
  int samples = 10000;         // kept draws per chain
  int thin = 10;               // N mixes slowly: keep every 10th draw
  std::uint64_t seed = 1;
  int threads = 2;
  double level = 0.95;
};

struct LcmcrResult {
  double median = 0, mean = 0;
  Interval interval;                       // equal-tailed credible interval
  double rhat = 0;                         // split R-hat of N
  double ess = 0;                          // effective sample size of N, all chains
  std::vector<std::vector<double>> draws;  // N, per chain
  double seconds = 0;
  double iterations_per_second = 0;        // per chain
};

LcmcrResult run_lcmcr(const CaptureTable& table, const LcmcrOptions& options = {});

/// Split R-hat (each chain cut in two halves). Needs >= 2 draws per half.
double split_rhat(const std::vector<std::vector<double>>& chains);
/// Effective sample size over chains with Geyer's initial positive sequence.
double effective_sample_size(const std::vector<std::vector<double>>& chains);

}  // namespace joindots::estimate
