// HostResult<T>: what a typed host function returns when it can trap or wait: a value, a Trap
// (the guest dies), Park (the process waits and the call is re-executed on wake-up), or a value
// and a yield (the call is over and the process lets others run first).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "engine/trap.hpp"

namespace lunatic::binding {

/// A value of T (nothing for T = void), a Trap, Park, or a value followed by a yield.
///
/// Two error channels (DESIGN.md "Host functions"): an expected failure the guest handles is a
/// *value* (an errno, an error id); only ABI misuse (a bad id, a bad pointer) is a Trap.
/// Park means "not yet": the function has registered a wake-up, the interpreter stops with
/// the call's arguments still on the stack and runs the same call again when woken (see
/// pending_call.hpp for state that must survive until then).
template <class T> class [[nodiscard]] HostResult {
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  struct ParkTag {};

 public:
  /// Success; for T = void the only way to say "done".
  HostResult() requires std::is_void_v<T> : v_(std::in_place_index<0>) {}
  /// Success with a value.
  template <class U = Stored>
  requires(!std::is_void_v<T> && std::is_convertible_v<U&&, Stored>)
      HostResult(U&& value)  // NOLINT: implicit so that `return 42;` works
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  /// The guest traps with `trap`.
  HostResult(engine::Trap trap)  // NOLINT: implicit so that `return Trap::host(...)` works
      : v_(std::in_place_index<1>, std::move(trap)) {}

  /// The process must wait. @pre the function has registered a wake-up with the runtime
  /// (a message, a timer, I/O readiness): nothing else will ever run this process again.
  static HostResult park() { return HostResult(ParkTag{}); }

  /// The call returns `value` (nothing for T = void) and the process then yields: its slice
  /// ends, it goes to the back of its worker's run queue and runs again after the processes
  /// queued there (sched_yield). Needs no wake-up and no pending state: the call is over, and
  /// the process stays runnable. Outside a scheduler (Thread::call) it simply continues.
  template <class U = Stored>
  requires(!std::is_void_v<T> && std::is_convertible_v<U&&, Stored>) static HostResult
      then_yield(U&& value) {
    HostResult r(std::forward<U>(value));
    r.yield_ = true;
    return r;
  }
  static HostResult then_yield() requires std::is_void_v<T> {
    HostResult r;
    r.yield_ = true;
    return r;
  }

  /// A value (ok()) that asks for a yield after the call.
  bool yields() const { return yield_; }
  bool ok() const { return v_.index() == 0; }
  bool is_trap() const { return v_.index() == 1; }
  bool is_park() const { return v_.index() == 2; }

  /// @pre ok() and T is not void.
  const Stored& value() const& { return std::get<0>(v_); }
  Stored&& value() && { return std::get<0>(std::move(v_)); }
  /// @pre is_trap()
  const engine::Trap& trap() const& { return std::get<1>(v_); }
  engine::Trap&& trap() && { return std::get<1>(std::move(v_)); }

 private:
  explicit HostResult(ParkTag tag) : v_(std::in_place_index<2>, tag) {}
  std::variant<Stored, engine::Trap, ParkTag> v_;
  bool yield_ = false;
};

}  // namespace lunatic::binding
