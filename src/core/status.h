// Status and Result: the one error vocabulary of Orchard.
//
// Every function that can fail for reasons outside the program (network, Apple's answers, file
// contents, user input, the database) returns a Status or a Result<T>. Codes are canonical
// (the gRPC/absl set); they are mapped to HTTP statuses, CLI exit codes and retry decisions in
// one place each (see status.cc).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace orchard {

enum class Code {
  kOk = 0,
  kCancelled,
  kUnknown,
  kInvalidArgument,    // bad input from the user or a malformed document
  kDeadlineExceeded,   // a timeout
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,   // authenticated but not allowed (Apple 403)
  kResourceExhausted,  // rate limited (Apple 429), size caps
  kFailedPrecondition, // the system is not in a state to do this (e.g. sealed server)
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternal,           // our own bug
  kUnavailable,        // transient: retry may help (Apple 5xx, connection refused)
  kDataLoss,           // corrupt or tampered stored data
  kUnauthenticated,    // credentials rejected (Apple 401)
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NOT_FOUND: message"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Status>;

// Makes an error value that converts to any Result<T>: `return Error(Code::kNotFound, "…");`
inline std::unexpected<Status> Error(Code code, std::string message) {
  return std::unexpected<Status>(Status(code, std::move(message)));
}
inline std::unexpected<Status> Error(Status status) {
  return std::unexpected<Status>(std::move(status));
}

// True when retrying the same request later may succeed (the one place for retry decisions).
bool IsRetryable(Code code);

// Process exit code for the CLI (the one place for exit codes).
int ExitCodeFor(Code code);

}  // namespace orchard

// Propagates an error Status (or the error of a Result) to the caller.
#define ORCHARD_RETURN_IF_ERROR(expr)                \
  do {                                               \
    if (auto _st = ::orchard::internal::AsStatus(expr); !_st.ok()) \
      return ::orchard::internal::Propagate(std::move(_st)); \
  } while (0)

#define ORCHARD_CONCAT_INNER(a, b) a##b
#define ORCHARD_CONCAT(a, b) ORCHARD_CONCAT_INNER(a, b)
// ORCHARD_ASSIGN_OR_RETURN(auto x, Foo()); — unwraps a Result or returns its error.
#define ORCHARD_ASSIGN_OR_RETURN(lhs, expr) \
  ORCHARD_ASSIGN_OR_RETURN_IMPL(ORCHARD_CONCAT(_result_, __LINE__), lhs, expr)
#define ORCHARD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                       \
  auto tmp = (expr);                                                        \
  if (!tmp.has_value()) return ::orchard::internal::Propagate(std::move(tmp.error())); \
  lhs = std::move(*tmp)

namespace orchard::internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.has_value() ? Status::Ok() : r.error();
}
// Converts to either a Status or any Result<T> error, whichever the caller returns.
struct Propagate {
  explicit Propagate(Status s) : status(std::move(s)) {}
  operator Status() && { return std::move(status); }  // NOLINT(google-explicit-constructor)
  template <typename T>
  operator Result<T>() && {  // NOLINT(google-explicit-constructor)
    return std::unexpected<Status>(std::move(status));
  }
  Status status;
};
}  // namespace orchard::internal
