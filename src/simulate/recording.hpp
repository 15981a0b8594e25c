#pragma once
// Which agencies record a victim: a latent-visibility logistic model with direct dependence
// between sources.
//
// For victim i with visibility z_i ~ N(0, visibility_sd^2), in this order:
//   P(children_services) = logistic(a_cs + z_i)
//   P(police)            = logistic(a_pol + b_cs->pol * CS_i + z_i)
//   P(health)            = logistic(a_h + z_i)
//   P(nrm)               = logistic(a_nrm + b_pol->nrm * POL_i + b_cs->nrm * CS_i + z_i)
//   P(charity)           = logistic(a_ch + z_i)
// The shared z_i makes lists positively dependent through heterogeneity (as in the latent
// class and Rasch models of capture-recapture, e.g. Fienberg, Johnson & Junker 1999); the b
// terms add direct (referral) dependence that heterogeneity does not explain.
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

/// The sources that record a victim with visibility `z`, drawn in the model's order.
std::array<bool, kSimSources> draw_sources(const SimConfig& config, double z, Rng& rng);

/// P(recorded by no source) = E_z[ prod_s (1 - p_s(z)) ] with every direct-dependence term
/// off (no source recorded), by 2001-point quadrature over z in +-8 sd.
double expected_unrecorded_share(const SimConfig& config);

}  // namespace joindots::simulate
