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
//
// Multimodality. The posterior of N can have more than one mode (a class of people the
// lists rarely record holds many or few of the unseen), and a chain can sit in one of them
// for tens of thousands of iterations with an R-hat near 1. So chains start from dispersed
// states, chain c from start c mod 4 (ChainStart): near the independence model, far above
// it, near the observed count with everyone in one class, and at random class profiles.
// Each chain is cut in halves (as split R-hat cuts them), and the run is said to disagree
// when a half's median lies outside another half's 95% interval. With one chain requested,
// a check chain (its own stream, Rng(seed, "lcmcr_check")) runs from the start far above:
// the full burn-in and a quarter of the kept draws, on the second thread. Its draws are not
// pooled into the estimate; it only takes part in the comparison.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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
  bool check_chain = true;  // with chains == 1: run the check chain (see above)
  /// Told the share of the run's iterations done (all chains, the check chain included),
  /// every few thousand iterations, from any chain's thread: a whole run's progress line.
  std::function<void(double)> report_fraction;
};

/// Where a chain starts (chain c starts from ChainStart(c % 4); the check chain FarAbove).
enum class ChainStart {
  Independence,   // capture probabilities n_j / N^ (independence MLE), jittered by class
  FarAbove,       // the same scaled down so that N starts at N^ + 3 max(N^ - n, n / 2)
  NearObserved,   // everyone in one class whose capture probabilities make N about n
  RandomClasses,  // each class its own capture probabilities, uniform on 0.05-0.95
};
const char* to_string(ChainStart start);

/// One chain's kept draws of N (or half of them), summarised.
struct ChainSummary {
  int chain = 0;  // its index; the check chain has index `chains`
  ChainStart start = ChainStart::Independence;
  bool check = false;  // the check chain (not pooled into the estimate)
  int half = 0;        // 0: the whole chain; 1, 2: its first or second half
  double median = 0;
  Interval interval;  // equal-tailed, at the run's level
  std::size_t draws = 0;
};

/// Two chains that disagree: `chain`'s median lies outside `other`'s interval.
struct ChainDisagreement {
  ChainSummary chain, other;
  double distance = 0;  // from the median to the nearer end, over the other's interval width
};

/// The pair whose disagreement is largest, if any summary's median lies outside another's
/// interval (fewer than two summaries: none).
std::optional<ChainDisagreement> chains_disagree(const std::vector<ChainSummary>& chains);

/// The warning in words: which halves disagree, the likely cause and what to do.
std::string multimodality_warning(const ChainDisagreement& d);
/// "the first half of chain 2 (started far above it)", "the check chain's second half (...)".
std::string describe(const ChainSummary& c);

struct LcmcrResult {
  double median = 0, mean = 0;
  Interval interval;                       // equal-tailed credible interval
  double rhat = 0;                         // split R-hat of N
  double ess = 0;                          // effective sample size of N, all chains
  std::vector<std::vector<double>> draws;  // N, per chain
  double seconds = 0;
  double iterations_per_second = 0;        // per chain
  std::vector<ChainSummary> chains;        // each whole chain, then the check chain if one ran
  std::vector<double> check_draws;         // the check chain's draws of N (not pooled)
  double check_seconds = 0;                // its CPU time
  std::optional<ChainDisagreement>
      disagreement;  // between halves of the chains: more than one mode
};

LcmcrResult run_lcmcr(const CaptureTable& table, const LcmcrOptions& options = {});

/// Each chain's start, median and interval, the check chain's too (`check`: true), and the
/// disagreement if any, for the method's JSON details.
nlohmann::ordered_json lcmcr_chains_json(const LcmcrResult& result);

/// Split R-hat (each chain cut in two halves). Needs >= 2 draws per half.
double split_rhat(const std::vector<std::vector<double>>& chains);
/// Effective sample size over chains with Geyer's initial positive sequence.
double effective_sample_size(const std::vector<std::vector<double>>& chains);

}  // namespace joindots::estimate
