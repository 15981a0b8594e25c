#include "estimate/chapman.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "estimate/loglinear.hpp"

namespace joindots::estimate {
namespace {

TEST(Chapman, AgainstHandComputedClosedForm) {
  // n1 = 100, n2 = 80, m = 20: N^ = 101 * 81 / 21 - 1; Var = 101 * 81 * 80 * 60 / (21^2 * 22).
  const auto r = chapman(100, 80, 20);
  EXPECT_DOUBLE_EQ(r.estimate, 8181.0 / 21.0 - 1.0);
  EXPECT_NEAR(r.estimate, 388.571428571, 1e-8);
  EXPECT_NEAR(r.variance, 4047.495361781076, 1e-8);
  EXPECT_NEAR(r.se, std::sqrt(4047.495361781076), 1e-9);
  EXPECT_EQ(r.observed, 160);
  // Chao's log-normal interval: r + f0 / C, r + f0 C with C = exp(1.96 sqrt(log(1 + Var / f0^2))).
  EXPECT_NEAR(r.interval.low, 293.8155231202513, 1e-6);
  EXPECT_NEAR(r.interval.high, 550.4247933345863, 1e-6);
  EXPECT_GE(r.interval.low, r.observed);
  EXPECT_NEAR(r.normal_interval.low, r.estimate - 1.959963984540054 * r.se, 1e-6);
}

TEST(Chapman, FromATwoListTableAndTheLogLinearIndependenceModel) {
  const auto t = CaptureTable::from_counts({"A", "B"}, {0, 80, 60, 20});
  const auto r = chapman(t);
  EXPECT_EQ(r.n1, 100);
  EXPECT_EQ(r.n2, 80);
  EXPECT_EQ(r.both, 20);
  // The log-linear independence model on two lists is Lincoln-Petersen: n1 n2 / m.
  const auto fit = fit_loglinear(t, LogLinearModel(2));
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit.estimate, 100.0 * 80.0 / 20.0, 1e-6);
}

TEST(Chapman, RejectsImpossibleCounts) {
  EXPECT_THROW(chapman(10, 5, 6), std::invalid_argument);
  EXPECT_THROW(chapman(-1, 5, 0), std::invalid_argument);
  EXPECT_THROW(chapman(CaptureTable::from_counts({"A", "B", "C"}, std::vector<std::int64_t>(8, 0))),
               std::invalid_argument);
}

TEST(Chapman, WeakWhenTheListsShareFewerThanSeven) {
  // From 7 shared the estimator is nearly unbiased (Robson & Regier 1964): nothing to say.
  EXPECT_EQ(chapman_weak_reason(100, 80, 7), "");
  EXPECT_EQ(chapman_weak_reason(100, 80, 20), "");
  // No one shared: the figure is (n1 + 1)(n2 + 1) - 1, the correction's, not the data's.
  const auto none = chapman_weak_reason(500, 400, 0);
  EXPECT_NE(none.find("share no one"), std::string::npos) << none;
  EXPECT_NE(none.find("500 on the first, 400 on the second"), std::string::npos) << none;
  // A few shared: the reason shows how far the figure moves with one person more or less on both.
  const auto few = chapman_weak_reason(100, 80, 3);
  EXPECT_NE(few.find("share only 3 people"), std::string::npos) << few;
  EXPECT_NE(few.find(fmt::format("{:.0f} with 2 on both", chapman(100, 80, 2).estimate)), std::string::npos) << few;
  EXPECT_NE(few.find(fmt::format("{:.0f} with 4 on both", chapman(100, 80, 4).estimate)), std::string::npos) << few;
  EXPECT_NE(chapman_weak_reason(100, 80, 1).find("share only 1 person"), std::string::npos);
  // Every one of the smaller list on both: no "one more" to show.
  EXPECT_EQ(chapman_weak_reason(3, 80, 3).find("with 4 on both"), std::string::npos);
}

}  // namespace
}  // namespace joindots::estimate
