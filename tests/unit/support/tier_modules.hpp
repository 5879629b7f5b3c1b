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

/// Calls, a loop over memory, a br_table over a global and float conversion: what both native
/// tiers are checked against the interpreter with. sum_squares(n) = sum of i^2, i = 1..n;
/// fib(n); fill(n) writes bytes 0..n-1 and hashes them; switch(k) takes one of three arms.
inline constexpr std::string_view kWorkWat = R"((module
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "sum_squares") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $sq (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func $fib (export "fib") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
  (func (export "fill") (param $n i32) (result i32) (local $i i32) (local $h i32)
    (loop $l
      (i32.store8 (local.get $i) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31))
                             (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $h))
  (func (export "switch") (param i32) (result i64)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (global.get $g)))
      (global.set $g (i64.mul (global.get $g) (i64.const 3)))
      (return (i64.const -1)))
    (f64.sqrt (f64.convert_i32_u (local.get 0))) (i64.trunc_f64_s))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0))))
))";

/// Recursion with a way out without a call (jit/partial_inline.cpp): $fib as clang compiles
/// it (the guard a br_if, the second call a loop), $fib_if as written, and $down, which traps
/// with unreachable at n == $stop (in the part inlined into its callers, before the test that
/// ends the recursion) and divides by $divisor after each call returns.
inline constexpr std::string_view kRecursionWat = R"((module
  (func $fib (export "fib") (param i32) (result i32) (local i32)
    (block $leaf
      (br_if $leaf (i32.lt_u (local.get 0) (i32.const 2)))
      (loop $more
        (local.set 1 (i32.add (local.get 1)
                              (call $fib (i32.add (local.get 0) (i32.const -1)))))
        (br_if $more (i32.gt_u (local.tee 0 (i32.add (local.get 0) (i32.const -2)))
                               (i32.const 1)))))
    (i32.add (local.get 0) (local.get 1)))
  (func $fib_if (export "fib_if") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib_if (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib_if (i64.sub (local.get 0) (i64.const 2)))))))
  (func $down (export "down") (param $n i32) (param $stop i32) (param $divisor i32) (result i32)
    (if (i32.eq (local.get $n) (local.get $stop)) (then (unreachable)))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (i32.div_u
      (i32.add (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $stop)
                           (local.get $divisor))
               (i32.const 1))
      (local.get $divisor)))
  ;; down(n, -1, 1) called $k frames deep: the limits are met at every place of a recursion
  ;; that the compiled tier unrolls.
  (func $pad (export "pad") (param $k i32) (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $k))
      (then (call $down (local.get $n) (i32.const -1) (i32.const 1)))
      (else (call $pad (i32.sub (local.get $k) (i32.const 1)) (local.get $n)))))
))";

}  // namespace lunatic::testing
