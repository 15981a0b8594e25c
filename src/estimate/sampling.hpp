#pragma once
// Discrete draws for the Gibbs sampler whose cost does not grow with the counts: the
// LCMCR sampler splits pattern counts of any size over latent classes every iteration.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"

namespace joindots::estimate {

/// Binomial(n, p), exact, O(1) expected time whatever n: inversion through Rng::binomial
/// when n min(p, 1-p) < 10, otherwise Hormann's BTRD (transformed rejection with
/// decomposition; W. Hormann 1993, "The generation of binomial random variates", J. Statist.
/// Comput. Simul. 46:101-110).
std::int64_t binomial_draw(Rng& rng, std::int64_t n, double p);

/// Adds a Multinomial(count, w / total) draw to out (sequential conditional binomials).
/// `w` are non-negative weights summing to `total`; out has w.size() entries.
void multinomial_add(Rng& rng, std::int64_t count, const std::vector<double>& w, double total,
                     std::vector<std::int64_t>& out);

}  // namespace joindots::estimate
