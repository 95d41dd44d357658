// The seed article's model of a user session: a Markov chain over app events.
//
//   anonymous_visited    -> anonymous_visited 0.4, account_created 0.4, lost 0.2
//   account_created      -> measurement_recorded 0.7, lost 0.3
//   measurement_recorded -> measurement_recorded 0.9, lost 0.1
//
// Every session starts with one anonymous_visited event and ends on "lost", which emits nothing.
// Pure functions over a caller-owned Random; safe from any thread with its own Random.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/random.h"

namespace tarn::gen {

enum class EventKind : uint8_t { kAnonymousVisited = 0, kAccountCreated, kMeasurementRecorded };
inline constexpr int kEventKindCount = 3;

// The state a session is in after its last event; kLost ends the session.
enum class SessionState : uint8_t {
  kAnonymousVisited = 0,
  kAccountCreated,
  kMeasurementRecorded,
  kLost
};

// "anonymous_visited", "account_created", "measurement_recorded".
std::string_view EventName(EventKind kind);

// Probability of moving from `from` to `to` (rows sum to 1; kLost stays kLost).
double TransitionProbability(SessionState from, SessionState to);

// Draws the state that follows `from` with one uniform draw from `random`.
SessionState NextState(SessionState from, Random& random);

}  // namespace tarn::gen
