// Control flow compiled vs interpreted: blocks and ifs with results and params (multi-value),
// br/br_if/br_table to every kind of label, loops with params, returns from deep inside, and
// unreachable code (whose loops lowering drops, so the fuel of both tiers must still agree).
#include <cstdint>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

constexpr const char* kControl = R"((module
  (type $ii_ii (func (param i32 i32) (result i32 i32)))
  (type $i_ii (func (param i32) (result i32 i32)))
  (func (export "if_else") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))
  (func (export "if_no_else") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 5))
    (if (local.get 0) (then (local.set 1 (i32.const 6))))
    (local.get 1))
  (func (export "multi_block") (param i32 i32) (result i32)
    (local.get 0) (local.get 1)
    (block (type $ii_ii) (i32.add) (i32.const 3))
    (i32.sub))
  (func (export "multi_if") (param i32) (result i32)
    (local.get 0) (local.get 0)
    (if (type $i_ii) (then (i32.const 100)) (else (i32.const 200)))
    (i32.add))
  (func (export "br_table") (param i32) (result i32)
    (block $d (result i32)
      (block $c (result i32)
        (block $b (result i32)
          (block $a (result i32)
            (i32.const 7) (local.get 0) (br_table $a $b $c $a $d))
          (i32.const 1) (i32.add) (br $d))
        (i32.const 2) (i32.add) (br $d))
      (i32.const 3) (i32.add)))
  (func (export "br_table_void") (param i32) (result i32) (local i32)
    (block $out
      (block $two
        (block $one (br_table $one $two $out (local.get 0)))
        (local.set 1 (i32.const 11)) (br $out))
      (local.set 1 (i32.const 22)))
    (local.get 1))
  (func (export "sum_to") (param i32) (result i32) (local i32)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get 0) (i32.const 0)))
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get 1))
  (func (export "loop_params") (param i32) (result i32 i32) (local i32)
    ;; (count, acc) carried as the loop's params: acc = acc * 2 + 1 until count reaches 0
    (local.get 0) (i32.const 0)
    (loop $l (type $ii_ii)
      (local.set 1)
      (local.tee 0 (i32.sub (i32.const 1)))
      (i32.add (i32.mul (local.get 1) (i32.const 2)) (i32.const 1))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0)))))
  (func (export "nested_loops") (param i32) (result i32) (local i32 i32)
    (loop $outer
      (local.set 2 (i32.const 0))
      (loop $inner
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get 2) (i32.const 3))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $outer (i32.gt_s (local.get 0) (i32.const 0))))
    (local.get 1))
  (func (export "early_return") (param i32) (result i32)
    (block (loop (block
      (br_if 2 (i32.le_s (local.get 0) (i32.const 0)))
      (if (i32.eq (local.get 0) (i32.const 5)) (then (return (i32.const 55))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 1))))
    (i32.const -1))
  (func (export "dead_code") (param i32) (result i32)
    (block $b (result i32)
      (br $b (i32.const 1))
      (loop $dead (br $dead))
      (i32.const 2))
    (if (result i32) (local.get 0)
      (then (return (i32.const 9)) (loop $dead2 (br $dead2)) (i32.const 0))
      (else (i32.const 4)))
    (i32.add))
  (func (export "dead_after_block") (param i32) (result i32)
    (block (result i32) (return (local.get 0)))
    (loop (br 0))
    (drop) (i32.const 0))
  (func (export "unreachable") (param i32) (result i32)
    (if (local.get 0) (then unreachable))
    (i32.const 1))
  (func (export "select") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (local.get 0)))
  (func (export "select_f") (param i32 f64 f64) (result f64)
    (select (result f64) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "br_if_value") (param i32) (result i32)
    (block (result i32) (drop (br_if 0 (i32.const 8) (local.get 0))) (i32.const 9)))
  (func (export "table_to_loop") (param i32) (result i32) (local i32)
    ;; a loop with a param, re-entered by br_table: counts down, counts rounds in local 1
    (block $out (result i32)
      (local.get 0)
      (loop $l (param i32) (result i32)
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (i32.sub (i32.const 1))
        (local.tee 0)
        (br_table $l $l $out (i32.and (i32.const 3) (local.get 0)))))
    (i32.add (local.get 1)))
  (func (export "infinite_trap") (result i32)
    (loop $l (br $l)) (i32.const 0))
))";

TEST(JitControl, MatchesTheInterpreter) {
  for (unsigned opt : {0u, 2u}) {
    JitHarness h(kControl, opt);
    ASSERT_TRUE(h.ok());
    for (int32_t a : {0, 1, 2, 3, 4, 5, 9, -1, 100}) {
      for (const char* f : {"if_else", "if_no_else", "multi_if", "br_table", "br_table_void",
                            "sum_to", "loop_params", "nested_loops", "early_return", "dead_code",
                            "dead_after_block", "unreachable", "br_if_value"}) {
        h.expect_same(f, {Value::i32(a)});
      }
      h.expect_same("multi_block", {Value::i32(a), Value::i32(7)});
      h.expect_same("table_to_loop", {Value::i32(a)});
      h.expect_same("select", {Value::i32(a), Value::i64(-3), Value::i64(4)});
      h.expect_same("select_f", {Value::i32(a), Value::f64(-0.0), Value::f64(2.5)});
    }
    h.expect_same("sum_to", {Value::i32(100000)});
  }
}

TEST(JitControl, ChargesFuelLikeTheInterpreter) {
  JitHarness h(kControl);
  ASSERT_TRUE(h.ok());
  const Outcome compiled = h.run_compiled("nested_loops", {Value::i32(10)});
  const Outcome interpreted = h.run_interpreted("nested_loops", {Value::i32(10)});
  EXPECT_GT(compiled.fuel, 100u);
  EXPECT_EQ(compiled.fuel, interpreted.fuel);
}

}  // namespace
}  // namespace lunatic::jit::testing
