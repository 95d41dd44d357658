#include "gen/session_model.h"

#include <gtest/gtest.h>

#include <array>

namespace tarn::gen {
namespace {

constexpr SessionState kAll[] = {SessionState::kAnonymousVisited, SessionState::kAccountCreated,
                                 SessionState::kMeasurementRecorded, SessionState::kLost};

TEST(SessionModelTest, TransitionRowsSumToOne) {
  for (SessionState from : kAll) {
    double sum = 0;
    for (SessionState to : kAll) sum += TransitionProbability(from, to);
    EXPECT_DOUBLE_EQ(sum, 1.0);
  }
}

TEST(SessionModelTest, SeedProbabilities) {
  using S = SessionState;
  EXPECT_EQ(TransitionProbability(S::kAnonymousVisited, S::kAnonymousVisited), 0.4);
  EXPECT_EQ(TransitionProbability(S::kAnonymousVisited, S::kAccountCreated), 0.4);
  EXPECT_EQ(TransitionProbability(S::kAccountCreated, S::kMeasurementRecorded), 0.7);
  EXPECT_EQ(TransitionProbability(S::kMeasurementRecorded, S::kLost), 0.1);
}

TEST(SessionModelTest, DrawsFollowTheProbabilities) {
  Random random(11);
  std::array<int, 4> counts{};
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    ++counts[static_cast<int>(NextState(SessionState::kAnonymousVisited, random))];
  }
  EXPECT_NEAR(counts[0], 0.4 * n, 800);  // Standard deviation ~155.
  EXPECT_NEAR(counts[1], 0.4 * n, 800);
  EXPECT_EQ(counts[2], 0);
  EXPECT_NEAR(counts[3], 0.2 * n, 800);
}

TEST(SessionModelTest, LostIsFinal) {
  Random random(1);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(NextState(SessionState::kLost, random), SessionState::kLost);
}

TEST(SessionModelTest, EventNames) {
  EXPECT_EQ(EventName(EventKind::kAnonymousVisited), "anonymous_visited");
  EXPECT_EQ(EventName(EventKind::kAccountCreated), "account_created");
  EXPECT_EQ(EventName(EventKind::kMeasurementRecorded), "measurement_recorded");
}

}  // namespace
}  // namespace tarn::gen
