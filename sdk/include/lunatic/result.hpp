// lunatic C++ SDK: Error and Result<T>, how every fallible call reports failure (guests are
// built with -fno-exceptions, so failures are values).
#ifndef LUNATIC_RESULT_HPP
#define LUNATIC_RESULT_HPP

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "lunatic/error.h"
#include "lunatic/operator_new.hpp"

namespace lunatic {

/// Why a call failed.
enum class ErrorKind {
  host,          ///< the host refused (its text is in message): spawn, compile, limits
  timed_out,     ///< a receive (or a socket's read, write, connect...) waited past its timeout
  link_died,     ///< a linked process failed (process() says which)
  process_died,  ///< a monitored process ended (process() says which)
  decode,        ///< a message's bytes do not decode as the expected type
  no_process,    ///< the receiver of a send does not exist
  usage,         ///< the SDK cannot do that: an empty socket (moved from, or sent), a
                 ///< message holding a socket that is not an rvalue (see Process::send)
  io,            ///< a file could not be read (Module::load): missing, unreadable, too large
};

/// A failure: its kind, a message for people, and for signals the process and tag involved.
class Error {
 public:
  Error(ErrorKind kind, std::string message, uint64_t process = 0, int64_t tag = 0)
      : kind_(kind), message_(std::move(message)), process_(process), tag_(tag) {}

  /// Takes a host error id (lunatic/error.h): reads its text and drops it.
  static Error from_host(uint64_t error_id) {
    std::string text(static_cast<size_t>(lunatic_error_string_size(error_id)), '\0');
    lunatic_error_to_string(error_id, text.data());
    lunatic_error_drop(error_id);
    return Error(ErrorKind::host, std::move(text));
  }

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  /// The dead process for link_died / process_died, the receiver for no_process.
  uint64_t process() const { return process_; }
  /// The link's or monitor's tag for link_died / process_died.
  int64_t tag() const { return tag_; }

 private:
  ErrorKind kind_;
  std::string message_;
  uint64_t process_;
  int64_t tag_;
};

/// A value or an Error. Reading the value of a failed Result (or the error of a good one)
/// aborts the process: check ok() first.
template <class T> class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}      // NOLINT: implicit, as `return value;`
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit, as `return error;`

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    check_value();
    return *value_;
  }
  const T& value() const& {
    check_value();
    return *value_;
  }
  T&& value() && {
    check_value();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// The value, or `fallback` on failure.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  const Error& error() const {
    if (!error_) std::abort();
    return *error_;
  }

 private:
  void check_value() const {
    if (!value_) std::abort();
  }

  std::optional<T> value_;
  std::optional<Error> error_;
};

/// Success without a value, or an Error. Not [[nodiscard]]: like Erlang's `!`, a send is
/// often fire-and-forget.
template <> class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit, as `return error;`

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (!error_) std::abort();
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace lunatic

#endif
