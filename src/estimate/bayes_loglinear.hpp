#pragma once
// Bayesian log-linear model averaging for a capture-history table with or without
// categorical covariates: the model and priors of R's conting `bict` with the unit
// information prior (Overstall & King 2014, J. Stat. Softw. 58(7); King & Brooks 2001,
// Biometrika 88:317; Madigan & York 1997, Biometrika 84:19).
//
// Model. The table has one cell per capture pattern and covariate stratum, the cells with
// pattern 0 (one per stratum) unobserved. Each factor (a list: recorded or not; a covariate:
// its levels) is coded with sum-to-zero contrasts (R's contr.sum, as conting), interactions
// by products of those columns. Cell counts are Poisson, log mu = X_m beta. The maximal model
// has every main effect and every two-way interaction among the factors (conting's
// y ~ (S1 + S2 + S3 + eth)^2); the models averaged over keep all main effects and any
// subset of the two-way interactions (all hierarchical), each with prior probability
// 1 / 2^P (conting's moves are uniform over the same space).
//
// Priors (conting's prior = "UIP", Ntzoufras, Dellaportas & Forster 2003): the intercept
// flat; the other coefficients of model m normal, mean 0, precision X_m'X_m / g restricted
// to those columns, X over all cells of the table (missing ones included) and g the number
// of cells (unit information). No separate prior on the unobserved counts: given beta they
// are Poisson(mu); with the flat intercept this is p(N) proportional to 1/N for the total.
//
// Computation. conting samples (model, beta, missing counts) by reversible-jump MCMC
// (Forster, Gill & Overstall 2012) with data augmentation. Here the missing counts are
// summed out exactly (given beta the observed-cell likelihood does not involve them, and
// N - n is a sum of Poisson counts), and the model space is enumerated when it is small
// (2^P models, P the number of two-way terms: 64 for three lists and one covariate) or,
// beyond 2^15 models, replaced by the models that two Metropolis chains over the model space
// visit or propose (MC^3, Madigan & York 1995; four lists and three binary covariates make
// 2^21 models), so what is left is one integral per model, over beta:
//   1. the posterior mode of beta (Newton's method; the log posterior is concave without
//      censored cells) and the Laplace approximation of the marginal likelihood p(y | m)
//      (Kass & Raftery 1995), used only to screen out models with negligible probability
//      (below 1e-8 in all) and to move the model chains;
//   2. importance sampling from a multivariate t with 7 degrees of freedom centred at the
//      mode, scaled by the inverse Hessian (Geweke 1989): the mean weight estimates p(y|m)
//      without bias; weighted draws give the posterior of beta under m.
// The posterior of N is then the mixture over models and draws of Poisson(sum of the
// missing cells' means) shifted by n, computed as an exact probability mass function
// (Rao-Blackwellised: no draws of the missing counts), from which come the mean, median,
// highest-posterior-density and equal-tailed intervals; the same per stratum. Monte Carlo
// error: the draws of every model are split into 10 batches, each a complete estimate on
// its own; the standard error of a figure is the spread of its 10 batch values / sqrt(10),
// and the effective sample size of N is Var(N | y) / s.e.(mean)^2.
//
// Reproducible: model m's draws come from Rng(seed, "bayes_loglinear", m), so the result
// does not depend on the order or the thread that computes a model.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "estimate/covariate_table.hpp"
#include "estimate/interval.hpp"
#include "estimate/poisson_mixture.hpp"

namespace joindots::estimate {

struct BayesLogLinearOptions {
  int draws_per_model = 4000;  // importance draws per model (split into 10 batches)
  std::uint64_t seed = 1;
  double level = 0.95;
  /// Prior scale g: the coefficients' prior precision is X'X / g. 0 (default): the number of
  /// cells (conting's unit information prior). A huge g makes the posterior mode the MLE.
  double prior_scale = 0;
  /// Enumerate every model when there are at most this many two-way terms (2^P models);
  /// beyond, the candidates are the models that Metropolis chains over the model space
  /// (MC^3) visit or propose.
  int max_enumerated_terms = 15;
  int model_chains = 2;
  int model_chain_iterations = 100000;
  /// Models whose Laplace posterior probability is below this are left out, and beyond the
  /// max_sampled_models most probable.
  double screen_probability = 1e-8;
  int max_sampled_models = 2000;
  /// Importance draws in all: with many models each gets fewer than draws_per_model.
  long long max_total_draws = 500000;
  double t_degrees_of_freedom = 7;
  /// Censoring (conting's `cens` with find_cens(cens_source = ~S)): the cells recorded by
  /// this list alone (0-based; -1: none), one per stratum, hold an upper bound: the true
  /// count is between 1 and the count given (the list also records people outside the
  /// population, as the Scottish HCV database). Their likelihood is P(1 <= Y <= y) and N
  /// counts their true values, drawn given the coefficients.
  int censored_list = -1;
  int threads = 2;
};

/// A posterior summary of a population size (the total or one stratum's).
struct PosteriorCount {
  std::string label;  // "total" or the stratum, e.g. "eth=caucasian"
  std::int64_t observed = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  double median = std::numeric_limits<double>::quiet_NaN();
  Interval hpd;  // highest posterior density
  Interval equal_tailed;
  double sd = std::numeric_limits<double>::quiet_NaN();
  double mean_se = std::numeric_limits<double>::quiet_NaN();  // Monte Carlo s.e. of the mean
  double hpd_se_low = std::numeric_limits<double>::quiet_NaN(),
         hpd_se_high = std::numeric_limits<double>::quiet_NaN();
};

struct BayesModel {
  std::uint64_t mask = 0;                 // bit i: two-way term i of `terms` is in
  std::string formula;                    // conting style: "S1 + S2 + S3 + eth + S2:S3"
  std::vector<std::string> interactions;  // e.g. {"S2:S3"}
  int parameters = 0;
  double log_marginal = 0;  // log p(y | m), importance sampling (flat-intercept constant)
  double log_marginal_laplace = 0;
  double probability = 0;      // posterior model probability
  double mean = 0;             // E(N | y, m)
  double sd = 0;               // sd(N | y, m)
  double ess = 0;              // Kish effective sample size of the importance weights
  double unobserved_mode = 0;  // sum of the missing cells' means at the posterior mode
};

struct BayesLogLinearResult {
  PosteriorCount total;
  std::vector<PosteriorCount> strata;  // one per covariate stratum (empty without covariates)
  std::vector<PosteriorCount>
      margins;  // with two or more covariates: each level of each, summed over the others
  std::vector<BayesModel> models;    // by posterior probability, the screened-out ones excluded
  std::vector<std::string> terms;    // the two-way terms of the maximal model, e.g. "S1:eth"
  std::size_t models_in_space = 0;   // 2^P
  std::string search;                // "enumerated" or "MC3"
  std::size_t models_evaluated = 0;  // Laplace approximations computed
  std::size_t models_visited = 0;    // MC3: distinct models the chains stood on
  int model_chains = 0, model_chain_iterations = 0;
  double model_chain_acceptance = 0;  // MC3
  double mass_missed_by_a_chain = 0;  // MC3: probability of the models some chain never visited
  std::size_t models_screened_out = 0;
  double screened_out_probability = 0;  // their Laplace posterior probability in all
  std::string maximal_model;
  std::string prior;  // in words
  double prior_scale = 0;
  int cells = 0, missing_cells = 0, censored_cells = 0;
  int draws_per_model = 0;
  double ess = 0;                        // effective sample size of N (see above)
  double min_importance_efficiency = 0;  // smallest ESS / draws among models with probability >= 1%
  double seconds = 0;
  std::uint64_t seed = 0;
};

/// Runs the model averaging.
BayesLogLinearResult bayes_loglinear(const CovariateCaptureTable& table,
                                     const BayesLogLinearOptions& options = {});

/// The posterior mode of one model's coefficients (Newton) and its fitted means for every
/// cell (the unobserved ones included): exposed for tests (with a huge prior_scale it is
/// the maximum likelihood fit).
struct BayesModeFit {
  bool converged = false;
  std::vector<double> beta;
  std::vector<double> fitted;  // by cell, stratum * 2^K + pattern
  double unobserved = 0;       // sum of the fitted means of the unobserved cells
  double log_marginal_laplace = 0;
};
BayesModeFit bayes_mode(const CovariateCaptureTable& table, std::uint64_t mask,
                        double prior_scale = 0, int censored_list = -1);

// hpd_of_pmf, the highest-density interval of a probability mass function: poisson_mixture.hpp.

}  // namespace joindots::estimate
