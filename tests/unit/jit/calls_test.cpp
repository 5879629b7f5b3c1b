// Calls compiled vs interpreted: direct and recursive calls, multi-value results, imports (a
// host function), call_indirect's fast path and every slow case (null, out of range, type
// mismatch, a structurally equal type, a table other than 0), the depth limit, and references.
#include <cstdint>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

constexpr const char* kCalls = R"((module
  (import "host" "twice" (func $twice (param i64) (result i64)))
  (type $v_i (func (result i32)))
  (type $v_i_again (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (table $t0 5 funcref)
  (table $t1 2 funcref)
  (elem (table $t0) (i32.const 0) func $ten $eleven $double)
  (elem (table $t1) (i32.const 1) func $eleven)
  (func $ten (type $v_i) (i32.const 10))
  (func $eleven (type $v_i_again) (i32.const 11))
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $divmod (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32)
    (call $divmod (local.get 0) (local.get 1))
    (i32.sub (i32.const 1000)) (i32.add))
  (func (export "host") (param i64) (result i64) (call $twice (i64.add (local.get 0) (i64.const 1))))
  (func (export "indirect") (param i32) (result i32) (call_indirect $t0 (type $v_i) (local.get 0)))
  (func (export "indirect_arg") (param i32) (result i32)
    (call_indirect $t0 (type $i_i) (i32.const 21) (local.get 0)))
  (func (export "indirect_t1") (param i32) (result i32) (call_indirect $t1 (type $v_i) (local.get 0)))
  (func $forever (export "forever") (param i32) (result i32)
    (call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "ref_func") (result i32) (ref.is_null (ref.func $ten)))
  (func (export "ref_null") (result i32) (ref.is_null (ref.null func)))
  (func (export "table_ops") (param i32) (result i32)
    (table.set $t0 (i32.const 4) (table.get $t0 (local.get 0)))
    (i32.add (table.size $t0) (call_indirect $t0 (type $v_i) (i32.const 4))))
  (type $many (func (param i32) (result i64 f32 i32 f64 i64 i32)))
  (func $many (type $many)
    (i64.extend_i32_s (local.get 0)) (f32.convert_i32_s (local.get 0)) (i32.const 3)
    (f64.const -0.5) (i64.const -1) (i32.mul (local.get 0) (local.get 0)))
  (elem (table $t1) (i32.const 0) func $many)
  (func (export "many") (param i32) (result i64 f32 i32 f64 i64 i32) (call $many (local.get 0)))
  (func (export "many_indirect") (param i32 i32) (result i64 f32 i32 f64 i64 i32)
    (call_indirect $t1 (type $many) (local.get 0) (local.get 1)))
  (func (export "many_sum") (param i32) (result f64) (local f64)
    (call $many (local.get 0))
    (local.set 1 (f64.convert_i32_s)) (drop)
    (local.set 1 (f64.add (local.get 1)))
    (local.set 1 (f64.add (f64.convert_i32_s) (local.get 1)))
    (local.set 1 (f64.add (f64.promote_f32) (local.get 1)))
    (f64.add (f64.convert_i64_s) (local.get 1)))
  (func (export "table_grow") (result i32)
    (drop (table.grow $t0 (ref.func $eleven) (i32.const 3)))
    (i32.add (table.size $t0) (call_indirect $t0 (type $v_i) (i32.const 7))))
))";

class JitCalls : public ::testing::Test {
 protected:
  void SetUp() override {
    wasm::FuncType type{{wasm::ValType::I64}, {wasm::ValType::I64}};
    twice_ = store_.add_host_function(type, [](engine::HostCall& call) {
      call.results[0] = call.args[0] * 2;
      return engine::HostStatus::Return;
    });
  }
  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  engine::Function* twice_ = nullptr;
};

TEST_F(JitCalls, MatchTheInterpreter) {
  for (unsigned opt : {0u, 2u}) {
    JitHarness h(kCalls, opt, {engine::Extern{wasm::ExternKind::Func, twice_}});
    ASSERT_TRUE(h.ok());
    for (int32_t n : {0, 1, 2, 10, 20}) h.expect_same("fib", {Value::i32(n)});
    h.expect_same("divmod", {Value::i32(17), Value::i32(5)});
    h.expect_same("divmod", {Value::i32(17), Value::i32(0)});
    h.expect_same("host", {Value::i64(20)});
    h.expect_same("ref_func", {});
    h.expect_same("ref_null", {});
    for (int32_t i : {0, 1, 2, 3, 4, 5, -1}) {
      h.expect_same("indirect", {Value::i32(i)});
      h.expect_same("indirect_arg", {Value::i32(i)});
      h.expect_same("indirect_t1", {Value::i32(i)});
    }
    h.expect_same("table_ops", {Value::i32(1)});
    h.expect_same("table_ops", {Value::i32(9)});
    h.expect_same("table_grow", {});
    for (int32_t a : {0, 5, -9}) {
      h.expect_same("many", {Value::i32(a)});
      h.expect_same("many_sum", {Value::i32(a)});
      h.expect_same("many_indirect", {Value::i32(a), Value::i32(0)});
      h.expect_same("many_indirect", {Value::i32(a), Value::i32(1)});
    }
  }
}

TEST_F(JitCalls, IndirectTrapsSayWhy) {
  JitHarness h(kCalls, 2, {engine::Extern{wasm::ExternKind::Func, twice_}});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.run_compiled("indirect", {Value::i32(1)}).results[0].as_i32(), 11);
  EXPECT_EQ(h.run_compiled("indirect", {Value::i32(2)}).trap, "indirect call type mismatch");
  EXPECT_EQ(h.run_compiled("indirect", {Value::i32(3)}).trap, "uninitialized element 3");
  EXPECT_EQ(h.run_compiled("indirect", {Value::i32(5)}).trap, "undefined element");
  EXPECT_EQ(h.run_compiled("indirect_arg", {Value::i32(2)}).results[0].as_i32(), 42);
}

TEST_F(JitCalls, DeepRecursionExhaustsTheCallStack) {
  JitHarness h(kCalls, 2, {engine::Extern{wasm::ExternKind::Func, twice_}});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.run_compiled("forever", {Value::i32(0)}).trap, "call stack exhausted");
  // The shadow stack saw the frames: the innermost is the call site in $forever.
  ASSERT_FALSE(h.last_trap().backtrace.empty());
  EXPECT_EQ(h.last_trap().backtrace[0].function_index, 11u);
  EXPECT_FALSE(h.run_compiled("fib", {Value::i32(3)}).trapped);
}

// Small self-recursive functions have their self-calls inlined once at -O1 and up
// (jit/self_inline.cpp): the inlined frames still count, charge and report like called ones.
constexpr const char* kSelfCalls = R"((module
  (func $down (export "down") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (unreachable)))
    (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $sum (export "sum") (param i32) (result i64)
    (if (result i64) (i32.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.extend_i32_u (local.get 0))
                     (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
))";

TEST_F(JitCalls, InlinedSelfCallsKeepEveryFrame) {
  JitHarness h(kSelfCalls, 2);
  ASSERT_TRUE(h.ok());
  for (int32_t n : {0, 1, 2, 7, 300}) h.expect_same("sum", {Value::i32(n)});
  for (int32_t n : {0, 1, 6}) {
    EXPECT_EQ(h.run_compiled("down", {Value::i32(n)}).trap, "unreachable");
    // Innermost the unreachable in $down, then one frame for each call, inlined or not, all
    // at the same call site.
    const std::vector<BacktraceFrame>& frames = h.last_trap().backtrace;
    ASSERT_EQ(frames.size(), static_cast<size_t>(n) + 1) << n;
    for (const BacktraceFrame& frame : frames) EXPECT_EQ(frame.function_index, 0u);
    for (size_t i = 2; i < frames.size(); ++i) EXPECT_EQ(frames[i].offset, frames[1].offset);
    if (n > 0) {
      EXPECT_LT(frames[0].offset, frames[1].offset);
    }
  }
  // The depth limit traps as in the interpreter (StackSlots.* check the exact call).
  JitHarness deep(kSelfCalls, 2);
  const Outcome compiled = deep.run_compiled("sum", {Value::i32(20000)});
  const Outcome interpreted = deep.run_interpreted("sum", {Value::i32(20000)});
  EXPECT_EQ(compiled.trap, "call stack exhausted");
  EXPECT_EQ(compiled.trap, interpreted.trap);
}

}  // namespace
}  // namespace lunatic::jit::testing
