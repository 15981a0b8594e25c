#include "simulate/recording.hpp"

#include <cmath>

namespace joindots::simulate {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::array<bool, kSimSources> draw_sources(const SimConfig& c, double z, Rng& rng) {
  std::array<bool, kSimSources> in{};
  const bool cs = rng.bernoulli(logistic(c.children_services_logit + z));
  const bool pol = rng.bernoulli(logistic(c.police_logit + (cs ? c.cs_to_police_log_odds : 0.0) + z));
  const bool health = rng.bernoulli(logistic(c.health_logit + z));
  const bool nrm = rng.bernoulli(logistic(c.nrm_logit + (pol ? c.police_to_nrm_log_odds : 0.0) +
                                          (cs ? c.cs_to_nrm_log_odds : 0.0) + z));
  const bool charity = rng.bernoulli(logistic(c.charity_logit + z));
  in[static_cast<std::size_t>(SimSource::children_services)] = cs;
  in[static_cast<std::size_t>(SimSource::police)] = pol;
  in[static_cast<std::size_t>(SimSource::health)] = health;
  in[static_cast<std::size_t>(SimSource::nrm)] = nrm;
  in[static_cast<std::size_t>(SimSource::charity)] = charity;
  return in;
}

double expected_unrecorded_share(const SimConfig& c) {
  const double sd = c.visibility_sd;
  auto none = [&](double z) {
    return (1 - logistic(c.children_services_logit + z)) * (1 - logistic(c.police_logit + z)) *
           (1 - logistic(c.health_logit + z)) * (1 - logistic(c.nrm_logit + z)) * (1 - logistic(c.charity_logit + z));
  };
  if (sd == 0) return none(0);
  constexpr int kPoints = 2001;
  double total = 0, weight = 0;
  for (int k = 0; k < kPoints; ++k) {
    const double u = -8.0 + 16.0 * k / (kPoints - 1);
    const double w = std::exp(-0.5 * u * u);
    total += w * none(u * sd);
    weight += w;
  }
  return total / weight;
}

}  // namespace joindots::simulate
