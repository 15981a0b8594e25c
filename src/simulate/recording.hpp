#pragma once
// Which agencies record a victim: a latent-visibility model with direct dependence between
// sources.
//
// For victim i with visibility z_i, in this order:
//   P(children_services) = f(a_cs + z_i)
//   P(police)            = f(a_pol + b_cs->pol * CS_i + r E_i + z_i)
//   P(health)            = f(a_h + b_pol->h * POL_i + r E_i + z_i)
//   P(nrm)               = f(a_nrm + b_pol->nrm * POL_i + b_cs->nrm * CS_i + r E_i + z_i)
//   P(charity)           = f(a_ch + b_cs->ch * CS_i + r E_i + z_i)
// each multiplied by the share of the child's exploitation inside the source's coverage
// (1 unless list_period_share < 1), where E_i = 1 when the child is on an earlier list of
// this order (the behavioural response r) and f depends on visibility_model:
//   0: z_i ~ N(0, visibility_sd^2), f = logistic (the default);
//   1: z_i = the logit shift of the child's latent class (0, class2_shift or class3_shift);
//   2: z_i = log V_i ~ N(-visibility_sd^2 / 2, visibility_sd^2) (so E V = 1) and
//      f(x + z) = 1 - (1 - logistic(x))^V_i, a log-normal multiplier of the hazard.
// The shared z_i makes lists positively dependent through heterogeneity (as in the latent
// class and Rasch models of capture-recapture, e.g. Fienberg, Johnson & Junker 1999); the b
// terms add direct (referral) dependence that heterogeneity does not explain. Every term
// that is new with the study across mechanisms (r, b_pol->h, b_cs->ch, models 1 and 2,
// coverage) is off by default and leaves the default draws bit-for-bit unchanged.
#include <array>
#include <cstdint>

#include "core/rng.hpp"
#include "simulate/config.hpp"

namespace joindots::simulate {

/// The five source types the simulator writes, in the order of the model above and of
/// capture histories ("children_services|police|...").
enum class SimSource { children_services, police, health, nrm, charity };
inline constexpr std::size_t kSimSources = 5;

double logistic(double x);

/// A victim's visibility on the scale of config.visibility_model, and (model 1) their class
/// (1, 2 or 3; 0 for the other models).
struct Visibility {
  double z = 0;
  int latent_class = 0;
};

/// Model 0 returns `normal_z` (the victim's N(0, visibility_sd^2) draw) unchanged; model 1
/// draws the class from its own stream Rng(seed, "visibility", index), so switching
/// mechanisms never shifts any other draw of the victim; model 2 turns `normal_z` into log V.
Visibility draw_visibility(const SimConfig& config, double normal_z, std::uint64_t seed,
                           std::uint64_t index);

/// The share of each source's coverage the child's exploitation [start, end] (days) falls
/// in: all 1 unless list_period_share < 1 (health covers the first share of the study
/// window, charities the last).
std::array<double, kSimSources> coverage_exposure(const SimConfig& config, std::int64_t start,
                                                  std::int64_t end);
/// The days [first, last] a source covers (the whole window for all but health and charity).
std::pair<std::int64_t, std::int64_t> coverage_period(const SimConfig& config, SimSource source);

/// The sources that record a victim with visibility `z`, drawn in the model's order (one
/// uniform per source whatever the probabilities, so the stream never shifts).
std::array<bool, kSimSources> draw_sources(const SimConfig& config, double z, Rng& rng,
                                           const std::array<double, kSimSources>& exposure = {
                                               1, 1, 1, 1, 1});

/// P(recorded by no source) = E_z[ prod_s (1 - p_s(z)) ] with every direct-dependence and
/// behavioural term off (no source recorded) and full coverage: by 2001-point quadrature
/// over z in +-8 sd (models 0 and 2) or the sum over classes (model 1).
double expected_unrecorded_share(const SimConfig& config);

}  // namespace joindots::simulate
