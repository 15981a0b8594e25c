// The Fellegi-Sunter model of linkage on encodings (link/encoded_model.hpp).
#include "link/encoded_model.hpp"

#include <atomic>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "core/progress.hpp"
#include "core/rng.hpp"

namespace joindots::link {

/// The patterns of the candidate pairs, on `threads` threads.
std::vector<Pattern> compare_candidates(const EncodedComparer& cmp, const encode::Candidates& cand, int threads,
                                        bool quiet) {
  std::vector<Pattern> patterns(cand.pairs.size());
  Progress progress("comparing encodings", "pairs", static_cast<std::int64_t>(patterns.size()), quiet);
  std::atomic<std::int64_t> done{0};
  parallel_parts(patterns.size(), threads, [&](std::size_t part, std::size_t begin, std::size_t end) {
    cmp.for_pairs(cand.pairs, begin, end, true, [&](std::size_t i) {
      patterns[i] = cmp.pattern(cand.pairs[i].first, cand.pairs[i].second);
      if ((i - begin) % 65'536 == 65'535) {
        done += 65'536;
        if (part == 0) progress.set(done);
      }
    });
  });
  progress.set(static_cast<std::int64_t>(patterns.size()));
  progress.finish();
  return patterns;
}

/// u of each comparison from `n_pairs` random pairs (Laplace-smoothed): almost all are
/// non-matches. The pairs are drawn first, so the result does not depend on the threads.
LevelProbabilities estimate_encoded_u(const EncodedComparer& cmp, std::int64_t n_pairs, std::uint64_t seed,
                                      int threads) {
  const auto& levels = encoded_levels();
  const auto n = static_cast<std::uint64_t>(cmp.records());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  Rng rng(seed, "link-u");
  for (std::int64_t i = 0; i < n_pairs && n > 1; ++i) {
    const auto a = static_cast<std::uint32_t>(rng.next() % n), b = static_cast<std::uint32_t>(rng.next() % n);
    if (a != b) pairs.emplace_back(a, b);
  }
  std::vector<std::vector<std::vector<std::int64_t>>> local(static_cast<std::size_t>(std::max(threads, 1)));
  for (auto& l : local)
    for (auto size : levels) l.emplace_back(size, 0);
  parallel_parts(pairs.size(), threads, [&](std::size_t part, std::size_t begin, std::size_t end) {
    cmp.for_pairs(pairs, begin, end, false, [&](std::size_t i) {
      const Pattern p = cmp.pattern(pairs[i].first, pairs[i].second);
      for (std::size_t k = 0; k < levels.size(); ++k) ++local[part][k][static_cast<std::size_t>(level_of(p, k))];
    });
  });
  LevelProbabilities u(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) {
    u[k].assign(levels[k], 1.0);
    double total = 0;
    for (std::size_t l = 1; l < levels[k]; ++l) {
      for (const auto& part : local) u[k][l] += static_cast<double>(part[k][l]);
      total += u[k][l];
    }
    for (std::size_t l = 1; l < levels[k]; ++l) u[k][l] /= total;
    u[k][0] = 1;
  }
  return u;
}

double pattern_weight(Pattern p, const LevelProbabilities& m, const LevelProbabilities& u) {
  double w = 0;
  for (std::size_t k = 0; k < m.size(); ++k)
    if (const auto l = static_cast<std::size_t>(level_of(p, k))) w += std::log2(m[k][l] / u[k][l]);
  return w;
}

namespace {

/// m and the match share among candidates by EM with u fixed at the random pairs' (Splink);
/// when that fit expects more than kMaxMatchesPerRecord matching pairs per record (persons of
/// more than 11 records on average), its match class is token sharing rather than persons:
/// candidates share tokens far more often than random pairs, and among a million records'
/// victims it called 0.85 of them matches (F1 0.76). EM then fits u among candidates too
/// (fastLink, plaintext's default): there 0.065 and F1 0.973. Not always: on a few thousand
/// records the fitted u makes a match class of exact copies (a scale-0.2 country's victims:
/// F1 0.967, persons +9%, against 0.999 and +0.2% with u fixed). `em_fix_u = 1` keeps u
/// fixed whatever the fit expects. Weights use the random pairs' u; the prior of a random
/// pair from the matches expected.
constexpr double kMaxMatchesPerRecord = 5;

// The match share among pattern counts with m and u fixed: EM on lambda alone.
double fit_lambda(const PatternCounts& counts, const LevelProbabilities& m, const LevelProbabilities& u) {
  std::vector<std::pair<double, double>> ratio;  // (log2 m/u of the pattern, count)
  double total = 0;
  for (const auto& [p, c] : counts) {
    ratio.emplace_back(pattern_weight(p, m, u), static_cast<double>(c));
    total += static_cast<double>(c);
  }
  double lambda = 0.1;
  for (int it = 0; it < 500; ++it) {
    double matched = 0;
    for (const auto& [w, c] : ratio) matched += c / (1 + (1 - lambda) / lambda * std::exp2(-w));
    const double next = matched / total;
    if (std::abs(next - lambda) < 1e-9) return next;
    lambda = std::clamp(next, 1e-9, 1 - 1e-9);
  }
  return lambda;
}

/// For the roles that take the victims' m (and for the victims, fit_encoded_model's guard,
/// where the first rule above does not act): when the match share fitted with u fixed at the
/// random pairs' is more than kMaxShareOverCandidatesU times the share fitted with u fitted
/// among the candidates (EM on u and the share, m fixed), the first fit's match class is
/// token sharing: a candidate pair's tokens and Dice, scored by how rarely random pairs
/// agree, count the same names several times (the name tokens, the name-and-district
/// tokens, a names-only Dice), and among a million records' suspects, where thousands share
/// a common name, that outweighs the prior. The weights are then log2(m / u among
/// candidates), with the candidates' match share. Measured ratios: 1.4-2.1 on four countries
/// of 20,000 records (u fixed kept: suspects F1 0.90-0.92 there, against 0.88-0.91 with u
/// among candidates), 9.2 and 11 for the suspects and associates of a million records (F1
/// 0.451 -> 0.825 and 0.727 -> 0.744).
constexpr double kMaxShareOverCandidatesU = 3;

/// The fewest labelled pairs of each kind (compare_on_silver) for them to choose between the
/// fits with u fixed and u among candidates.
constexpr double kMinSilverPairs = 50;

// u and the match share among pattern counts with m fixed (EM on both); `u` holds the
// starting values and gets the fit. A pseudo-count of 0.001 a level keeps every u above 0.
double fit_u_and_lambda(const PatternCounts& counts, const LevelProbabilities& m, LevelProbabilities& u) {
  double lambda = 0.1;
  for (int it = 0; it < 300; ++it) {
    LevelProbabilities next(m.size());
    for (std::size_t k = 0; k < m.size(); ++k) next[k].assign(m[k].size(), 1e-3);
    double matched = 0, total = 0;
    for (const auto& [p, count] : counts) {
      const double w = pattern_weight(p, m, u);
      const double c = static_cast<double>(count);
      const double g = 1 / (1 + (1 - lambda) / lambda * std::exp2(-w));
      matched += c * g;
      total += c;
      for (std::size_t k = 0; k < m.size(); ++k)
        if (const auto l = static_cast<std::size_t>(level_of(p, k))) next[k][l] += c * (1 - g);
    }
    double change = std::abs(matched / total - lambda);
    lambda = std::clamp(matched / total, 1e-9, 1 - 1e-9);
    for (std::size_t k = 0; k < m.size(); ++k) {
      double sum = 0;
      for (std::size_t l = 1; l < next[k].size(); ++l) sum += next[k][l];
      for (std::size_t l = 1; l < next[k].size(); ++l) {
        change = std::max(change, std::abs(next[k][l] / sum - u[k][l]));
        u[k][l] = next[k][l] / sum;
      }
    }
    if (change < 1e-7) break;
  }
  return lambda;
}

/// The pairs an NHS number token labels: a token shared, a match (two children share a number
/// only by a recording error); both holding one and different, a non-match. A silver standard
/// that no EM chose, for comparing two fits: each scores the labelled candidate pairs with the
/// NHS comparison left out (its E-step posterior among candidates, at the link's threshold),
/// and the pairs only one of them gets wrong decide (McNemar). Biased toward well-recorded
/// records (an NHS number on both), but the same pairs judge both fits.
struct SilverComparison {
  double matches = 0, non_matches = 0;     // labelled candidate pairs
  double errors_first = 0, errors_second = 0;
  double only_first_wrong = 0, only_second_wrong = 0;
  /// The second fit errs on fewer labelled pairs, by more than twice the standard error of the
  /// difference (McNemar's z > 2), with at least kMinSilverPairs of each label.
  bool second_better() const {
    return matches >= kMinSilverPairs && non_matches >= kMinSilverPairs &&
           only_first_wrong - only_second_wrong > 2 * std::sqrt(only_first_wrong + only_second_wrong);
  }
};

/// One fit as the silver standard scores with it: a pair is a match when its posterior among
/// the candidates, the NHS comparison left out, reaches `threshold` (cluster.threshold).
struct ScoringFit {
  const LevelProbabilities& m;
  const LevelProbabilities& u;
  double lambda;
  double threshold;
  bool says_match(Pattern p) const {
    double w = 0;
    for (std::size_t k = 0; k < m.size(); ++k)
      if (const auto l = static_cast<std::size_t>(level_of(p, k)); l > 0 && k != kNhsTokenComparison)
        w += std::log2(std::max(m[k][l], 1e-300) / std::max(u[k][l], 1e-300));
    const double t = std::clamp(threshold, 1e-9, 1 - 1e-9);
    return w + std::log2(lambda / (1 - lambda)) >= std::log2(t / (1 - t));
  }
};

SilverComparison compare_on_silver(const PatternCounts& counts, const ScoringFit& first, const ScoringFit& second) {
  SilverComparison out;
  for (const auto& [p, count] : counts) {
    const int nhs = level_of(p, kNhsTokenComparison);
    if (nhs == 0) continue;
    const bool match = nhs == 2;
    const auto c = static_cast<double>(count);
    (match ? out.matches : out.non_matches) += c;
    const bool first_wrong = first.says_match(p) != match, second_wrong = second.says_match(p) != match;
    out.errors_first += first_wrong ? c : 0;
    out.errors_second += second_wrong ? c : 0;
    if (first_wrong && !second_wrong) out.only_first_wrong += c;
    if (second_wrong && !first_wrong) out.only_second_wrong += c;
  }
  return out;
}

// What a run says when the labelled pairs favour the fit it did not keep.
std::string namesakes_text(const SilverComparison& s) {
  return fmt::format(
      "of the {:.0f} candidate pairs an NHS number token labels ({:.0f} sharing one, {:.0f} holding different ones), "
      "EM with u fixed at random pairs' scores {:.0f} wrongly, with u among the candidates {:.0f}, with the NHS "
      "number left out: the links may join different children who share a common name",
      s.matches + s.non_matches, s.matches, s.non_matches, s.errors_first, s.errors_second);
}

// What a run says when em_fix_u keeps a match share the guard would not.
std::string implausible_share(double fixed, double candidates, std::size_t pairs) {
  return fmt::format(
      "EM's match class holds {:.1f}% of the {} candidate pairs with u fixed at random pairs' and {:.1f}% with u "
      "fitted among the candidates: more than {:.0f} times as many, so it is likely pairs sharing tokens (a place, a "
      "common name), not persons; model.em_fix_u = 1 keeps it",
      100 * fixed, pairs, 100 * candidates, kMaxShareOverCandidatesU);
}

}  // namespace

/// With `pooled_m` (the victims' m of the same run), the role's m is theirs and EM fits only
/// the match share: how a match looks in the encodings does not depend on the role, and
/// the victims, most of the records and persons of several, identify it, where a few
/// thousand suspects or associates, whose relatives share postcode and family-name tokens,
/// make a match class of households (default country: suspects F1 0.846 -> 0.899,
/// associates 0.638 -> 0.851).
EncodedModel fit_encoded_model(const EncodedRole& d, const EncodedComparer& cmp, const std::vector<Pattern>& patterns,
                               const LinkConfig& config, int threads, const LevelProbabilities* pooled_m) {
  const auto& levels = encoded_levels();
  EncodedModel model;
  model.u = estimate_encoded_u(cmp, config.u_pairs, config.seed, threads);
  std::unordered_map<Pattern, std::int64_t> counted;
  for (Pattern p : patterns) ++counted[p];
  const PatternCounts counts(counted.begin(), counted.end());
  model.m = initial_m(levels);
  if (!counts.empty() && pooled_m) {
    model.m = *pooled_m;
    model.lambda = fit_lambda(counts, model.m, model.u);
    model.m_pooled = true;
    LevelProbabilities u_candidates = model.u;
    const double lambda = fit_u_and_lambda(counts, model.m, u_candidates);
    model.lambda_u_candidates = lambda;
    if (lambda > 0 && model.lambda > kMaxShareOverCandidatesU * lambda) {
      if (config.em_fix_u) {
        model.implausible = implausible_share(model.lambda, lambda, patterns.size());
      } else {
        model.lambda = lambda;
        model.u_candidates = std::move(u_candidates);
        model.u_fitted = true;
      }
    }
  } else if (!counts.empty()) {
    EmOptions eo;
    eo.max_iterations = config.em_max_iterations;
    eo.tolerance = config.em_tolerance;
    eo.fix_u = true;
    eo.order_against = &model.u;
    EmResult em = em_fit(counts, levels, model.m, model.u, 0.3, eo);
    const double per_record = em.lambda * static_cast<double>(patterns.size()) / static_cast<double>(d.size());
    if (!config.em_fix_u && per_record > kMaxMatchesPerRecord) {
      eo.fix_u = false;
      em = em_fit(counts, levels, model.m, model.u, 0.3, eo);
      model.u_fitted = true;
      model.lambda_u_candidates = em.lambda;
    } else {
      // The guard, as for the roles that take the victims' m: EM with u among the candidates
      // too; a share fitted with u fixed more than kMaxShareOverCandidatesU times that one is
      // a match class of what candidates share. FEBRL3 and FEBRL4 with u fixed: 1.00 of the
      // candidates against 0.12 and 0.03 (clk-2; clustering one to one rescues FEBRL4), and
      // under clk-3's field-level comparisons FEBRL3 0.51 against 0.14, F1 0.715 against 0.922
      // with u among candidates. The simulated countries' victims: 1.04-1.22 (u stays fixed).
      // Under em_fix_u it is only said (a warning of the run).
      EmOptions free = eo;
      free.fix_u = false;
      EmResult fitted = em_fit(counts, levels, model.m, model.u, 0.3, free);
      model.lambda_u_candidates = fitted.lambda;
      // Each fit's m with its levels ordered, as the run would score with it.
      LevelProbabilities m_fixed = em.m, m_fitted = fitted.m;
      order_levels(m_fixed, model.u);
      order_levels(m_fitted, model.u);
      const SilverComparison silver =
          compare_on_silver(counts, {m_fixed, model.u, em.lambda, config.threshold},
                            {m_fitted, fitted.u, fitted.lambda, config.threshold});
      model.silver_pairs = {silver.matches, silver.non_matches};
      model.silver_errors = {silver.errors_first, silver.errors_second};
      const bool silver_prefers_fitted = silver.second_better();
      if (em.lambda > kMaxShareOverCandidatesU * fitted.lambda ||
          (silver_prefers_fitted && config.em_silver_standard && !config.em_fix_u)) {
        if (config.em_fix_u) {
          model.implausible = implausible_share(em.lambda, fitted.lambda, patterns.size());
        } else {
          em = std::move(fitted);
          model.u_fitted = true;
        }
      }
      if (silver_prefers_fitted && !model.u_fitted) model.namesakes = namesakes_text(silver);
    }
    model.m = em.m;
    model.lambda = em.lambda;
    model.iterations = em.iterations;
    model.converged = em.converged;
  }
  if (!model.m_pooled) order_levels(model.m, model.u);  // the victims' m is ordered already
  const double n = static_cast<double>(d.size());
  set_encoded_weights(model, model.lambda * static_cast<double>(patterns.size()), n * (n - 1) / 2);
  return model;
}

void set_encoded_weights(EncodedModel& model, double expected_matches, double all_pairs) {
  const auto& levels = encoded_levels();
  model.prior = all_pairs > 0 ? std::min(0.5, expected_matches / all_pairs) : 0;
  const LevelProbabilities& u = model.u_candidates.empty() ? model.u : model.u_candidates;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    auto& w = model.level_weight.emplace_back(levels[k], 0.0);
    for (std::size_t l = 1; l < levels[k]; ++l) w[l] = std::log2(model.m[k][l] / u[k][l]);
  }
  if (!model.u_candidates.empty() && model.prior > 0) {
    const double pr = std::clamp(model.prior, 1e-15, 1 - 1e-15);
    model.offset = std::log2(model.lambda / (1 - model.lambda)) - std::log2(pr / (1 - pr));
  }
}

}  // namespace joindots::link
