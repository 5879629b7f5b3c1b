// WAT modules shared by the tests of calls that change tier while they run (unit_tiering's
// mixed-tier and tier-up tests): loops whose frames can be handed over at their headers, with
// calls, host calls that park, and traps inside them.
#pragma once

#include <string_view>

namespace lunatic::testing {

/// Loops entered with an empty operand stack (OSR points), calling a helper each iteration.
/// sum_cubes(n) = sum of i^3 for i = 1..n; nested(n) = sum of i*j, i < n, j < 50; spin loops
/// forever.
inline constexpr std::string_view kLoopsWat = R"((module
  (memory 1)
  (func $cube (param i64) (result i64)
    (i64.mul (local.get 0) (i64.mul (local.get 0) (local.get 0))))
  (func (export "sum_cubes") (param $n i32) (result i64) (local $s i64)
    (loop $next
      (local.set $s (i64.add (local.get $s) (call $cube (i64.extend_i32_u (local.get $n)))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next))
    (local.get $s))
  (func (export "nested") (param $n i32) (result i64) (local $i i32) (local $j i32) (local $acc i64)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i64.add (local.get $acc)
                                 (i64.extend_i32_u (i32.mul (local.get $i) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 50))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "spin") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
))";

/// A loop that calls the host each iteration (host.receive(n) may park) and sums what it
/// gets: sum_received(n) = sum of receive(i) for i = n..1.
inline constexpr std::string_view kReceiveLoopWat = R"((module
  (import "host" "receive" (func $receive (param i32) (result i32)))
  (func (export "sum_received") (param $n i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (call $receive (local.get $n))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next))
    (local.get $s))
))";

/// walk(p) loads through $inner at p, p + 64, ... until it leaves the 4-page memory: an
/// "out of bounds memory access" trap two frames deep after 4096 iterations.
inline constexpr std::string_view kWalkWat = R"((module
  (memory 4)
  (func $inner (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "walk") (param $p i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (call $inner (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $next))
    (local.get $s))
))";

}  // namespace lunatic::testing
