#include "simulate/recording.hpp"

#include <algorithm>
#include <cmath>

namespace joindots::simulate {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

namespace {

bool log_normal_model(const SimConfig& c) { return c.visibility_model == 2; }

// P(recorded) for a linear predictor `x` without the visibility, and the visibility `z`.
double recording_p(const SimConfig& c, double x, double z) {
  if (log_normal_model(c)) return 1.0 - std::pow(1.0 - logistic(x), std::exp(z));
  return logistic(x + z);
}

}  // namespace

Visibility draw_visibility(const SimConfig& c, double normal_z, std::uint64_t seed,
                           std::uint64_t index) {
  if (c.visibility_model == 1) {
    Rng rng(seed, "visibility", index);
    const double u = rng.uniform();
    if (u < c.class2_share) return {c.class2_shift, 2};
    if (u < c.class2_share + c.class3_share) return {c.class3_shift, 3};
    return {0.0, 1};
  }
  if (log_normal_model(c)) return {normal_z - 0.5 * c.visibility_sd * c.visibility_sd, 0};
  return {normal_z, 0};
}

std::pair<std::int64_t, std::int64_t> coverage_period(const SimConfig& c, SimSource source) {
  const std::int64_t first = c.study_start.days(), last = c.study_end.days();
  if (c.list_period_share >= 1) return {first, last};
  const auto span = static_cast<std::int64_t>(
      std::llround(c.list_period_share * static_cast<double>(last - first)));
  if (source == SimSource::health) return {first, first + span};
  if (source == SimSource::charity) return {last - span, last};
  return {first, last};
}

std::array<double, kSimSources> coverage_exposure(const SimConfig& c, std::int64_t start,
                                                  std::int64_t end) {
  std::array<double, kSimSources> share{1, 1, 1, 1, 1};
  if (c.list_period_share >= 1) return share;
  for (auto s : {SimSource::health, SimSource::charity}) {
    const auto [first, last] = coverage_period(c, s);
    const std::int64_t inside = std::min(end, last) - std::max(start, first) + 1;
    share[static_cast<std::size_t>(s)] =
        inside <= 0 ? 0.0 : static_cast<double>(inside) / static_cast<double>(end - start + 1);
  }
  return share;
}

std::array<bool, kSimSources> draw_sources(const SimConfig& c, double z, Rng& rng,
                                           const std::array<double, kSimSources>& exposure) {
  // The additions keep the default's order, ((a + b) + 0.0) + z, so that with every new term
  // at 0 the probabilities are bit-for-bit those of the model without them.
  const double r = c.behavioural_response_log_odds;
  auto p = [&](SimSource s, double x) {
    return recording_p(c, x, z) * exposure[static_cast<std::size_t>(s)];
  };
  const bool cs = rng.bernoulli(p(SimSource::children_services, c.children_services_logit));
  const bool pol = rng.bernoulli(
      p(SimSource::police, c.police_logit + (cs ? c.cs_to_police_log_odds : 0.0) + (cs ? r : 0.0)));
  const bool health = rng.bernoulli(
      p(SimSource::health,
        c.health_logit + (pol ? c.police_to_health_log_odds : 0.0) + (cs || pol ? r : 0.0)));
  const bool nrm = rng.bernoulli(
      p(SimSource::nrm, c.nrm_logit + (pol ? c.police_to_nrm_log_odds : 0.0) +
                            (cs ? c.cs_to_nrm_log_odds : 0.0) + (cs || pol || health ? r : 0.0)));
  const bool charity =
      rng.bernoulli(p(SimSource::charity, c.charity_logit + (cs ? c.cs_to_charity_log_odds : 0.0) +
                                              (cs || pol || health || nrm ? r : 0.0)));
  std::array<bool, kSimSources> in{};
  in[static_cast<std::size_t>(SimSource::children_services)] = cs;
  in[static_cast<std::size_t>(SimSource::police)] = pol;
  in[static_cast<std::size_t>(SimSource::health)] = health;
  in[static_cast<std::size_t>(SimSource::nrm)] = nrm;
  in[static_cast<std::size_t>(SimSource::charity)] = charity;
  return in;
}

double expected_unrecorded_share(const SimConfig& c) {
  auto none = [&](double z) {
    return (1 - recording_p(c, c.children_services_logit, z)) *
           (1 - recording_p(c, c.police_logit, z)) * (1 - recording_p(c, c.health_logit, z)) *
           (1 - recording_p(c, c.nrm_logit, z)) * (1 - recording_p(c, c.charity_logit, z));
  };
  if (c.visibility_model == 1)
    return (1 - c.class2_share - c.class3_share) * none(0) + c.class2_share * none(c.class2_shift) +
           c.class3_share * none(c.class3_shift);
  const double sd = c.visibility_sd;
  const double centre = log_normal_model(c) ? -0.5 * sd * sd : 0.0;
  if (sd == 0) return none(centre);
  constexpr int kPoints = 2001;
  double total = 0, weight = 0;
  for (int k = 0; k < kPoints; ++k) {
    const double u = -8.0 + 16.0 * k / (kPoints - 1);
    const double w = std::exp(-0.5 * u * u);
    total += w * none(centre + u * sd);
    weight += w;
  }
  return total / weight;
}

}  // namespace joindots::simulate
