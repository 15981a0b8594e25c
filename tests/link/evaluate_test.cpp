#include "link/evaluate.hpp"

#include <gtest/gtest.h>

namespace joindots::link {
namespace {

TEST(LinkEvaluate, PairwiseAndBcubed) {
  // Truth: {0,1,2} {3,4} {5}; found: {0,1} {2,3,4} {5}.
  const std::vector<std::string> truth = {"a", "a", "a", "b", "b", "c"};
  const std::vector<std::uint32_t> found = {0, 0, 1, 1, 1, 2};
  const Evaluation ev = evaluate(found, truth);
  EXPECT_EQ(ev.true_pairs, 4);   // 3 + 1
  EXPECT_EQ(ev.found_pairs, 4);  // 1 + 3
  EXPECT_EQ(ev.true_positive_pairs, 2);  // (0,1), (3,4)
  EXPECT_DOUBLE_EQ(ev.precision, 0.5);
  EXPECT_DOUBLE_EQ(ev.recall, 0.5);
  EXPECT_DOUBLE_EQ(ev.f1, 0.5);
  // B-cubed precision: records 0,1: 2/2; 2: 1/3; 3,4: 2/3; 5: 1 -> (1+1+1/3+2/3+2/3+1)/6.
  EXPECT_NEAR(ev.bcubed_precision, (1 + 1 + 1.0 / 3 + 2.0 / 3 + 2.0 / 3 + 1) / 6, 1e-12);
  // Recall: 0,1: 2/3; 2: 1/3; 3,4: 2/2; 5: 1.
  EXPECT_NEAR(ev.bcubed_recall, (2.0 / 3 + 2.0 / 3 + 1.0 / 3 + 1 + 1 + 1) / 6, 1e-12);
  EXPECT_EQ(ev.true_entities, 3);
  EXPECT_EQ(ev.found_entities, 3);
}

TEST(LinkEvaluate, CrossSourceOnlyCountsPairsAcrossFiles) {
  const std::vector<std::string> truth = {"a", "a", "b", "b"};
  const std::vector<std::uint32_t> found = {0, 0, 0, 1};
  const std::vector<std::uint32_t> source = {0, 1, 0, 1};
  const Evaluation ev = evaluate(found, truth, &source);
  EXPECT_EQ(ev.true_pairs, 2);   // (0,1), (2,3)
  EXPECT_EQ(ev.found_pairs, 2);  // (0,1), (2,1); (0,2) is within file 0
  EXPECT_EQ(ev.true_positive_pairs, 1);
}

}  // namespace
}  // namespace joindots::link
