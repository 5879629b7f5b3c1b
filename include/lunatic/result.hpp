// Result<T> and Error: the one way fallible calls report failure, in lunatic and in its public
// embedding API alike (src/common/result.hpp adds the internal TRY macro).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lunatic {

/// Where in the life of a module or process an error arose.
enum class Phase : uint8_t {
  Decode,       ///< malformed binary (spec: assert_malformed)
  Validate,     ///< ill-typed or otherwise invalid module (assert_invalid)
  Link,         ///< imports do not match (assert_unlinkable)
  Instantiate,  ///< segment out of bounds, resource limits (assert_uninstantiable)
  Trap,         ///< guest code trapped
  Host,         ///< a host facility failed (I/O, limits)
  Usage,        ///< the user asked for something impossible (CLI, API misuse)
  Unsupported,  ///< a valid module using a feature a tier does not run (SIMD in the compiled tier)
};

const char* phase_name(Phase phase);

/// An error value. `message` is the canonical text (for spec errors, the spec's own wording, so
/// tests can compare it); `context` adds where it happened (function index, import name, ...).
struct Error {
  static constexpr uint64_t kNoOffset = ~uint64_t{0};

  Phase phase = Phase::Host;
  std::string message;
  uint64_t offset = kNoOffset;  ///< byte offset in the module, when known
  std::string context;

  Error() = default;
  Error(Phase p, std::string msg, uint64_t off = kNoOffset, std::string ctx = {})
      : phase(p), message(std::move(msg)), offset(off), context(std::move(ctx)) {}

  /// "decode error at offset 0x1f: unexpected end (in code section)"
  std::string to_string() const;
};

/// A value of type T or an Error.
template <class T> class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const {}

  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace lunatic
