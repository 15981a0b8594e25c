// The one-to-one fit of linkage on encodings (link/encoded_model.hpp, fit_one_to_one_model):
// two files, each holding at most one record of a person, as FEBRL4's two files are.
//
// Why: the stage's fit (fit_encoded_model) takes u from random pairs and m and the match share
// by EM among the candidates; a candidate pair's comparisons (the CLK's Dice and the name and
// place tokens) say the same thing several times, and with few of them (FEBRL4's four fields:
// no date of birth, sex or identifier) EM with u fixed calls every candidate a match (share
// 1.00), and the guard's u fitted among the candidates makes a class that loses recall (F1
// 0.905 against 0.977 in plaintext). Between two files of one record a person, though, a
// record has at most one match: EM's match class is held to that structure. Each E-step
// ranks the candidate pairs by their weight and assigns them one to one, best first (a record
// matched at most once); only assigned pairs may be matches (their posterior), every other
// candidate is a non-match. u is fitted among the candidates, where the pairs left
// unassigned, most of them, pin it: how often non-matching candidates agree on a token or a
// high Dice, the correlation random pairs cannot show. The match share is then at most
// min(nA, nB) / pairs. model.em_fix_u does not apply (u is fitted by construction).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "link/encoded_model.hpp"

namespace joindots::link {

OneToOneBasis one_to_one_basis(const EncodedRole& d, const LinkConfig& config) {
  if (d.orgs.size() != 2) return OneToOneBasis::none;
  bool seen[2] = {false, false};
  for (auto s : d.source) seen[s < 2 ? s : 0] = true;
  if (!seen[0] || !seen[1]) return OneToOneBasis::none;
  if (config.max_per_source == 1) return OneToOneBasis::config;
  return config.max_per_source == 0 && config.auto_one_per_source ? OneToOneBasis::learned : OneToOneBasis::none;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> split_within_source(const EncodedRole& d,
                                                                         encode::Candidates& cand) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> within;
  std::erase_if(cand.pairs, [&](const auto& p) {
    if (d.source[p.first] != d.source[p.second]) return false;
    within.push_back(p);
    return true;
  });
  return within;
}

std::vector<double> within_source_duplicate_rates(const EncodedRole& d, const EncodedComparer& cmp,
                                                  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& within,
                                                  const EncodedModel& model, double candidates, double threshold) {
  std::vector<double> matches(d.orgs.size(), 0.0), records(d.orgs.size(), 0.0);
  for (auto s : d.source) ++records[s];
  // A pair's posterior among all the candidates (the expected matches over them), not among
  // the assigned pairs the weights' offset stands for: the pairs within a file were never
  // assigned.
  const double share = std::clamp(model.lambda * static_cast<double>(model.one_to_one_assigned) /
                                      std::max(candidates, 1.0), 1e-9, 1 - 1e-9);
  const double log_odds = std::log2(share / (1 - share));
  cmp.for_pairs(within, 0, within.size(), true, [&](std::size_t i) {
    const auto [a, b] = within[i];
    const double w = model.pair_weight(a, b, cmp.pattern(a, b)) - model.offset + log_odds;
    matches[d.source[a]] += 1 / (1 + std::exp2(-w)) >= threshold;
  });
  for (std::size_t s = 0; s < matches.size(); ++s) matches[s] = records[s] > 0 ? matches[s] / records[s] : 0;
  return matches;
}

EncodedModel fit_one_to_one_model(const EncodedRole& d, const EncodedComparer& cmp, const encode::Candidates& cand,
                                  const std::vector<Pattern>& patterns, const LinkConfig& config, int threads) {
  const auto& levels = encoded_levels();
  EncodedModel model;
  model.one_to_one = true;
  model.u = estimate_encoded_u(cmp, config.u_pairs, config.seed, threads);
  model.m = initial_m(levels);
  // The candidates grouped by pattern (pairs in candidate order within a group).
  std::unordered_map<Pattern, std::uint32_t> id_of;
  std::vector<Pattern> distinct;
  std::vector<std::uint32_t> pattern_id(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const auto [it, added] = id_of.try_emplace(patterns[i], static_cast<std::uint32_t>(distinct.size()));
    if (added) distinct.push_back(patterns[i]);
    pattern_id[i] = it->second;
  }
  const std::size_t np = distinct.size();
  std::vector<std::size_t> start(np + 1, 0);
  for (auto id : pattern_id) ++start[id + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint32_t> members(patterns.size());
  {
    std::vector<std::size_t> at(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < patterns.size(); ++i) members[at[pattern_id[i]]++] = static_cast<std::uint32_t>(i);
  }
  LevelProbabilities u = model.u;  // fitted among the candidates, from the random pairs'
  double lambda = 0.5;             // the match share among the assigned pairs
  std::vector<double> weight(np), matched(np);
  std::vector<std::int64_t> assigned(np);
  std::vector<std::uint32_t> order(np);
  std::vector<char> used(d.size());
  std::int64_t assigned_total = 0;
  const int max_iterations = std::max(1, config.em_max_iterations);
  int it = 0;
  bool converged = false;
  for (; it < max_iterations && np > 0; ++it) {
    // E-step: the one-to-one assignment, best first by the pattern's weight.
    for (std::size_t p = 0; p < np; ++p) weight[p] = pattern_weight(distinct[p], model.m, u);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      return weight[x] != weight[y] ? weight[x] > weight[y] : distinct[x] < distinct[y];
    });
    std::fill(used.begin(), used.end(), 0);
    std::fill(assigned.begin(), assigned.end(), 0);
    assigned_total = 0;
    for (auto p : order)
      for (std::size_t j = start[p]; j < start[p + 1]; ++j) {
        const auto [a, b] = cand.pairs[members[j]];
        if (used[a] || used[b]) continue;
        used[a] = used[b] = 1;
        ++assigned[p];
        ++assigned_total;
      }
    double total_matched = 0;
    for (std::size_t p = 0; p < np; ++p) {
      const double g = 1 / (1 + (1 - lambda) / lambda * std::exp2(-weight[p]));
      matched[p] = static_cast<double>(assigned[p]) * g;
      total_matched += matched[p];
    }
    // M-step: m from the assigned pairs' posteriors, u from everything else (a pseudo-count
    // of 0.001 a level keeps each above 0), the share among the assigned pairs.
    LevelProbabilities m_next(levels.size()), u_next(levels.size());
    for (std::size_t k = 0; k < levels.size(); ++k) {
      m_next[k].assign(levels[k], 1e-3);
      u_next[k].assign(levels[k], 1e-3);
    }
    for (std::size_t p = 0; p < np; ++p) {
      const double count = static_cast<double>(start[p + 1] - start[p]);
      for (std::size_t k = 0; k < levels.size(); ++k) {
        const auto l = static_cast<std::size_t>(level_of(distinct[p], k));
        m_next[k][l] += matched[p];
        u_next[k][l] += count - matched[p];
      }
    }
    double change = 0;
    for (auto* next : {&m_next, &u_next})
      for (auto& field : *next) {
        double sum = 0;
        for (std::size_t l = 1; l < field.size(); ++l) sum += field[l];
        field[0] = 1;
        for (std::size_t l = 1; l < field.size(); ++l) field[l] /= sum;
      }
    order_levels(m_next, model.u);  // kept against the random pairs' u, a fixed reference
    for (std::size_t k = 0; k < levels.size(); ++k)
      for (std::size_t l = 1; l < levels[k]; ++l)
        change = std::max({change, std::abs(m_next[k][l] - model.m[k][l]), std::abs(u_next[k][l] - u[k][l])});
    const double next_lambda =
        std::clamp(assigned_total ? total_matched / static_cast<double>(assigned_total) : 0.0, 1e-9, 1 - 1e-9);
    change = std::max(change, std::abs(next_lambda - lambda));
    model.m = std::move(m_next);
    u = std::move(u_next);
    lambda = next_lambda;
    if (change < config.em_tolerance) {
      converged = true;
      ++it;
      break;
    }
  }
  model.iterations = it;
  model.converged = converged;
  model.one_to_one_assigned = assigned_total;
  // The weights: log2(m / u among the candidates) and the assigned pairs' share, so that a
  // pair's probability is its posterior were it assigned; clustering with one record a
  // source (max_per_source = 1) then links best first, as the E-step assigned.
  model.lambda = lambda;
  model.lambda_u_candidates = lambda;
  model.u_candidates = std::move(u);
  model.u_fitted = true;
  double in_first = 0;
  for (auto s : d.source) in_first += s == 0;
  set_encoded_weights(model, lambda * static_cast<double>(assigned_total),
                      in_first * (static_cast<double>(d.size()) - in_first));
  return model;
}

}  // namespace joindots::link
