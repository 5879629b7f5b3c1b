// The interpreter on hand-built functions: arithmetic, locals, control flow, multi-value,
// recursion, globals and the numeric traps.
#include <cmath>

#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

TEST(InterpreterBasic, AddsLocals) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(t, {}, Body().get(0).get(1).op(Opcode::I32Add).end(), "add");
  Harness h(b);
  EXPECT_EQ(h.call_i32("add", {Value::i32(40), Value::i32(2)}), 42);
  EXPECT_EQ(h.call_i32("add", {Value::i32(-1), Value::i32(1)}), 0);
}

TEST(InterpreterBasic, LocalSetAfterDeferredGetKeepsOldValue) {
  // local.get 0; (local.set 0 (i32.const 7)); local.get 0; i32.sub -> old - 7
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(t, {}, Body().get(0).i32(7).set(0).get(0).op(Opcode::I32Sub).end(), "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(10)}), 3);
}

TEST(InterpreterBasic, TeeAndSwapThroughLocals) {
  // (a, b) -> a*100 + b computed through a swap with a temp local.
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(t, {ValType::I32},
         Body()
             .get(0)
             .tee(2)
             .get(1)
             .set(0)
             .set(1)  // x0 = b, x1 = a (via the stack)
             .get(1)
             .i32(100)
             .op(Opcode::I32Mul)
             .get(0)
             .op(Opcode::I32Add)
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(3), Value::i32(4)}), 304);
}

TEST(InterpreterBasic, I64AndFloatArithmetic) {
  ModuleBuilder b;
  const uint32_t t64 = b.type({ValType::I64}, {ValType::I64});
  b.func(t64, {}, Body().get(0).i64(3).op(Opcode::I64Mul).i64(1).op(Opcode::I64Shl).end(), "i64");
  const uint32_t tf = b.type({ValType::F64, ValType::F64}, {ValType::F64});
  b.func(tf, {}, Body().get(0).get(1).op(Opcode::F64Div).op(Opcode::F64Sqrt).end(), "f64");
  Harness h(b);
  auto r = h.call("i64", {Value::i64(1ll << 40)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i64(), 6ll << 40);
  r = h.call("f64", {Value::f64(18.0), Value::f64(2.0)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_f64(), 3.0);
}

TEST(InterpreterBasic, LoopSumsToN) {
  // sum = 0; do { sum += n; n -= 1 } while (n != 0)
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(t, {ValType::I32},
         Body()
             .open(Opcode::Loop)
             .get(1)
             .get(0)
             .op(Opcode::I32Add)
             .set(1)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .tee(0)
             .br_if(0)
             .end()
             .get(1)
             .end(),
         "sum");
  Harness h(b);
  EXPECT_EQ(h.call_i32("sum", {Value::i32(100)}), 5050);
}

TEST(InterpreterBasic, RecursiveFib) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
  b.func(t, {},
         Body()
             .get(0)
             .i32(2)
             .op(Opcode::I32LtS)
             .open(Opcode::If, ValType::I32)
             .get(0)
             .op(Opcode::Else)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .call(0)
             .get(0)
             .i32(2)
             .op(Opcode::I32Sub)
             .call(0)
             .op(Opcode::I32Add)
             .end()
             .end(),
         "fib");
  Harness h(b);
  EXPECT_EQ(h.call_i32("fib", {Value::i32(20)}), 6765);
}

TEST(InterpreterBasic, EarlyReturnAndBranchValues) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // if (x == 0) return 11; block (result i32) 22 x br_if 0 drop 33 end
  b.func(t, {},
         Body()
             .get(0)
             .op(Opcode::I32Eqz)
             .open(Opcode::If)
             .i32(11)
             .op(Opcode::Return)
             .end()
             .open(Opcode::Block, ValType::I32)
             .i32(22)
             .get(0)
             .i32(1)
             .op(Opcode::I32Eq)
             .br_if(0)
             .op(Opcode::Drop)
             .i32(33)
             .end()
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), 11);
  EXPECT_EQ(h.call_i32("f", {Value::i32(1)}), 22);
  EXPECT_EQ(h.call_i32("f", {Value::i32(2)}), 33);
}

TEST(InterpreterBasic, BrTableSelectsLabels) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // block block block (br_table 0 1 2 default 2 (x)) return 10 end return 11 end return 12 end 13
  b.func(t, {},
         Body()
             .open(Opcode::Block)
             .open(Opcode::Block)
             .open(Opcode::Block)
             .get(0)
             .br_table({0, 1}, 2)
             .end()
             .i32(10)
             .op(Opcode::Return)
             .end()
             .i32(11)
             .op(Opcode::Return)
             .end()
             .i32(12)
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), 10);
  EXPECT_EQ(h.call_i32("f", {Value::i32(1)}), 11);
  EXPECT_EQ(h.call_i32("f", {Value::i32(2)}), 12);
  EXPECT_EQ(h.call_i32("f", {Value::i32(-1)}), 12);
}

TEST(InterpreterBasic, BrTableCarriesValues) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // block (result i32) block (result i32) 5 x br_table 0 1 end 100 add end
  b.func(t, {},
         Body()
             .open(Opcode::Block, ValType::I32)
             .open(Opcode::Block, ValType::I32)
             .i32(5)
             .get(0)
             .br_table({0}, 1)
             .end()
             .i32(100)
             .op(Opcode::I32Add)
             .end()
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), 105);
  EXPECT_EQ(h.call_i32("f", {Value::i32(1)}), 5);
}

TEST(InterpreterBasic, MultiValueBlocksAndCalls) {
  ModuleBuilder b;
  const uint32_t pair = b.type({}, {ValType::I32, ValType::I32});
  const uint32_t swap_t = b.type({ValType::I32, ValType::I32}, {ValType::I32, ValType::I32});
  const uint32_t main_t = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  const uint32_t swap = b.func(swap_t, {}, Body().get(1).get(0).end());
  b.func(pair, {}, Body().i32(1).i32(2).call(swap).end(), "pair");
  // block (param i32 i32) (result i32 i32) swapped through the block's params, then a-b
  b.func(main_t, {},
         Body()
             .get(0)
             .get(1)
             .open_type(Opcode::Block, swap_t)
             .call(swap)
             .end()
             .op(Opcode::I32Sub)
             .end(),
         "sub_swapped");
  Harness h(b);
  auto r = h.call("pair");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].as_i32(), 2);
  EXPECT_EQ((*r)[1].as_i32(), 1);
  EXPECT_EQ(h.call_i32("sub_swapped", {Value::i32(10), Value::i32(3)}), -7);
}

TEST(InterpreterBasic, LoopWithParamsCountsDown) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  const uint32_t lt = b.type({ValType::I32}, {ValType::I32});
  // loop (param i32) (result i32): x-1, tee, br_if 0 while non-zero -> 0
  b.func(t, {ValType::I32},
         Body()
             .get(0)
             .open_type(Opcode::Loop, lt)
             .i32(1)
             .op(Opcode::I32Sub)
             .tee(1)
             .get(1)
             .br_if(0)
             .end()
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(5)}), 0);
}

TEST(InterpreterBasic, SelectAndGlobals) {
  ModuleBuilder b;
  b.global(ValType::I32, true, 7);
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  // g = g + x; return x ? g : -1
  b.func(t, {},
         Body()
             .op(Opcode::GlobalGet, 0)
             .get(0)
             .op(Opcode::I32Add)
             .op(Opcode::GlobalSet, 0)
             .op(Opcode::GlobalGet, 0)
             .i32(-1)
             .get(0)
             .op(Opcode::Select)
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(3)}), 10);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), -1);
  EXPECT_EQ(h.call_i32("f", {Value::i32(1)}), 11);
}

TEST(InterpreterBasic, NumericTraps) {
  ModuleBuilder b;
  const uint32_t t2 = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(t2, {}, Body().get(0).get(1).op(Opcode::I32DivS).end(), "div_s");
  b.func(t2, {}, Body().get(0).get(1).op(Opcode::I32RemS).end(), "rem_s");
  const uint32_t tf = b.type({ValType::F32}, {ValType::I32});
  b.func(tf, {}, Body().get(0).op(Opcode::I32TruncF32S).end(), "trunc");
  b.func(tf, {}, Body().get(0).op(Opcode::I32TruncSatF32U).end(), "trunc_sat_u");
  const uint32_t t0 = b.type({}, {});
  b.func(t0, {}, Body().op(Opcode::Unreachable).end(), "unreachable");
  Harness h(b);
  EXPECT_EQ(h.trap_of("div_s", {Value::i32(1), Value::i32(0)}), "integer divide by zero");
  EXPECT_EQ(h.trap_of("div_s", {Value::i32(INT32_MIN), Value::i32(-1)}), "integer overflow");
  EXPECT_EQ(h.call_i32("div_s", {Value::i32(-7), Value::i32(2)}), -3);
  EXPECT_EQ(h.call_i32("rem_s", {Value::i32(INT32_MIN), Value::i32(-1)}), 0);
  EXPECT_EQ(h.call_i32("rem_s", {Value::i32(-7), Value::i32(2)}), -1);
  EXPECT_EQ(h.trap_of("trunc", {Value::f32(NAN)}), "invalid conversion to integer");
  EXPECT_EQ(h.trap_of("trunc", {Value::f32(2147483648.0f)}), "integer overflow");
  EXPECT_EQ(h.call_i32("trunc", {Value::f32(-2147483648.0f)}), INT32_MIN);
  EXPECT_EQ(h.call_i32("trunc_sat_u", {Value::f32(-5.0f)}), 0);
  EXPECT_EQ(h.call_i32("trunc_sat_u", {Value::f32(1e20f)}), -1);
  EXPECT_EQ(h.trap_of("unreachable"), "unreachable");
  // The thread is reusable after a trap.
  EXPECT_EQ(h.call_i32("div_s", {Value::i32(9), Value::i32(3)}), 3);
}

TEST(InterpreterBasic, TrapCarriesBacktrace) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {});
  const uint32_t inner =
      b.func(t, {}, Body().op(Opcode::Nop).op(Opcode::Unreachable).end(), "inner");
  b.func(t, {}, Body().op(Opcode::Nop).op(Opcode::Nop).call(inner).end(), "outer");
  Harness h(b);
  h.thread.begin_call(h.fn("outer"), {}).value();
  ASSERT_EQ(h.thread.run(), RunStatus::Trapped);
  const Trap& trap = h.thread.trap();
  EXPECT_EQ(trap.kind, TrapKind::Unreachable);
  ASSERT_EQ(trap.backtrace.size(), 2u);
  EXPECT_EQ(trap.backtrace[0].function_index, inner);
  EXPECT_EQ(trap.backtrace[0].function_name, "inner");
  EXPECT_EQ(trap.backtrace[0].offset, Body::kFirstOffset + 1);
  EXPECT_EQ(trap.backtrace[1].function_name, "outer");
  EXPECT_EQ(trap.backtrace[1].offset, Body::kFirstOffset + 2);
}

TEST(InterpreterBasic, BeginCallChecksArguments) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(t, {}, Body().get(0).end(), "id");
  Harness h(b);
  auto none = h.thread.begin_call(h.fn("id"), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().phase, Phase::Usage);
  std::vector<Value> wrong = {Value::i64(1)};
  auto typed = h.thread.begin_call(h.fn("id"), wrong);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().phase, Phase::Usage);
  EXPECT_EQ(h.call_i32("id", {Value::i32(5)}), 5);
}

}  // namespace
}  // namespace lunatic::engine::testing
