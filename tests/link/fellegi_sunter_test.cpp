#include "link/fellegi_sunter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/rng.hpp"

namespace joindots::link {
namespace {

// Draw comparison patterns from a known two-class model, then check that EM on the pattern
// counts recovers m, u and the match share.
TEST(LinkFellegiSunter, EmRecoversKnownParameters) {
  const std::vector<std::size_t> levels = {4, 5, 3, 6};  // level 0 = missing
  const LevelProbabilities m_true = {{1, 0.05, 0.15, 0.80},
                                     {1, 0.02, 0.05, 0.13, 0.80},
                                     {1, 0.10, 0.90},
                                     {1, 0.02, 0.03, 0.05, 0.10, 0.80}};
  const LevelProbabilities u_true = {{1, 0.85, 0.10, 0.05},
                                     {1, 0.70, 0.15, 0.10, 0.05},
                                     {1, 0.60, 0.40},
                                     {1, 0.80, 0.10, 0.05, 0.03, 0.02}};
  const double lambda_true = 0.15, missing = 0.1;
  Rng rng(7, "em-test");
  std::map<Pattern, std::int64_t> tally;
  auto draw = [&](const std::vector<double>& probs) {
    std::vector<double> w(probs.begin() + 1, probs.end());
    return static_cast<int>(rng.weighted(w)) + 1;
  };
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const bool match = rng.bernoulli(lambda_true);
    Pattern p = 0;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const int l = rng.bernoulli(missing) ? 0 : draw(match ? m_true[k] : u_true[k]);
      p |= static_cast<Pattern>(l) << (4 * k);
    }
    ++tally[p];
  }
  PatternCounts counts(tally.begin(), tally.end());
  // Start u at uniform: EM must find its way.
  LevelProbabilities u0(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) u0[k].assign(levels[k], 1.0 / static_cast<double>(levels[k] - 1));
  const EmResult fit = em_fit(counts, levels, initial_m(levels), u0, 0.5, {1000, 1e-9});
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.lambda, lambda_true, 0.01);
  for (std::size_t k = 0; k < levels.size(); ++k)
    for (std::size_t l = 1; l < levels[k]; ++l) {
      EXPECT_NEAR(fit.m[k][l], m_true[k][l], 0.02) << "m field " << k << " level " << l;
      EXPECT_NEAR(fit.u[k][l], u_true[k][l], 0.01) << "u field " << k << " level " << l;
    }
  // The E-step runs over distinct patterns, not pairs.
  EXPECT_LT(counts.size(), 4u * 5 * 3 * 6 + 1);
}

TEST(LinkFellegiSunter, WeightAndProbability) {
  FsModel model;
  model.comparisons = {{Field::given_name, Comparator::exact}, {Field::dob, Comparator::exact}};
  model.m = {{1, 0.1, 0.9}, {1, 0.05, 0.95}};
  model.u = {{1, 0.99, 0.01}, {1, 0.999, 0.001}};
  model.prior = 0.001;
  const Pattern both = (Pattern{2}) | (Pattern{2} << 4);
  const double w = std::log2(0.9 / 0.01) + std::log2(0.95 / 0.001);
  EXPECT_NEAR(model.weight(both), w, 1e-12);
  const Pattern one_missing = Pattern{2};
  EXPECT_NEAR(model.weight(one_missing), std::log2(0.9 / 0.01), 1e-12);  // missing: no evidence
  const double odds = std::exp2(w) * 0.001 / 0.999;
  EXPECT_NEAR(model.probability(w), odds / (1 + odds), 1e-12);
}

TEST(LinkFellegiSunter, TermFrequencyRewardsRareNames) {
  FsModel model;
  model.comparisons = {{Field::family_name, Comparator::exact, true}};
  model.m = {{1, 0.1, 0.9}};
  model.u = {{1, 0.99, 0.01}};
  model.tf.resize(1);
  for (int i = 0; i < 900; ++i) model.tf[0].add("smith");
  for (int i = 0; i < 100; ++i) model.tf[0].add("x" + std::to_string(i));
  LinkRecord smith, rare;
  smith[Field::family_name] = "smith";
  rare[Field::family_name] = "x3";
  const Pattern exact = Pattern{2};
  EXPECT_LT(model.weight(exact, smith, smith), model.weight(exact));
  EXPECT_GT(model.weight(exact, rare, rare), model.weight(exact));
}

}  // namespace
}  // namespace joindots::link
