#include "core/progress.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace joindots {
namespace {

TEST(Progress, SlowWorkIsReportedWithoutWaitingForHundredsOfSteps) {
  // A simulation study advances once per population, seconds apart: the line must appear
  // after the first few steps (every 5 s when stderr is not a terminal), not after 256.
  ::testing::internal::CaptureStderr();
  {
    Progress p("study", "populations", 4, false);
    p.advance();
    std::this_thread::sleep_for(std::chrono::milliseconds(5100));
    p.advance();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("study: 2/4 populations (50%)"), std::string::npos) << err;
  EXPECT_NE(err.find("ETA"), std::string::npos) << err;
}

TEST(Progress, QuietPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    Progress p("study", "populations", 4, true);
    for (int i = 0; i < 5000; ++i) p.advance();
    p.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace joindots
