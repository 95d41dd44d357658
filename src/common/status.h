// Status: the outcome of an operation that can fail in a way its caller must decide about.
//
// A Status is either OK or carries a code and a message. The message names the object, the place
// (file and offset, line and column) and what was expected. Statuses are cheap to move and safe to
// pass between threads; they are values, not exceptions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tarn {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kCorruption,
  kUnavailable,  // Worth retrying.
  kResourceExhausted,
  kUnauthenticated,
  kPermissionDenied,
  kInternal,
};

// The code's name as written in this header without the leading `k`, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns this status with `context + ": "` put in front of its message; OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status NotFound(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status Corruption(std::string message) {
  return Status(StatusCode::kCorruption, std::move(message));
}
inline Status Internal(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

// A status for a failed system call: the code follows `err` (ENOENT is kNotFound, EACCES is
// kPermissionDenied, ENOSPC is kResourceExhausted, ...), the message is
// "<context>: <strerror(err)>".
Status ErrnoStatus(int err, std::string_view context);

}  // namespace tarn

// Evaluates `expr` (a Status) and returns it from the calling function when it is not OK.
#define TARN_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::tarn::Status tarn_status_ = (expr);        \
    if (!tarn_status_.ok()) return tarn_status_; \
  } while (false)
