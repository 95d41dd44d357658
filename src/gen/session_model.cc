#include "gen/session_model.h"

namespace tarn::gen {
namespace {

constexpr int kStates = 4;
// kTransitions[from][to], in SessionState order: visited, created, measured, lost.
constexpr double kTransitions[kStates][kStates] = {
    {0.4, 0.4, 0.0, 0.2},
    {0.0, 0.0, 0.7, 0.3},
    {0.0, 0.0, 0.9, 0.1},
    {0.0, 0.0, 0.0, 1.0},
};

}  // namespace

std::string_view EventName(EventKind kind) {
  switch (kind) {
    case EventKind::kAnonymousVisited:
      return "anonymous_visited";
    case EventKind::kAccountCreated:
      return "account_created";
    case EventKind::kMeasurementRecorded:
      return "measurement_recorded";
  }
  return "unknown";
}

double TransitionProbability(SessionState from, SessionState to) {
  return kTransitions[static_cast<int>(from)][static_cast<int>(to)];
}

SessionState NextState(SessionState from, Random& random) {
  const double u = random.Uniform01();
  const double* row = kTransitions[static_cast<int>(from)];
  double cumulative = 0;
  for (int to = 0; to < kStates - 1; ++to) {
    cumulative += row[to];
    if (u < cumulative) return static_cast<SessionState>(to);
  }
  return SessionState::kLost;
}

}  // namespace tarn::gen
