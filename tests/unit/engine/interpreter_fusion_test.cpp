// Superinstructions (lowering_fuse.cpp): each test checks that the fused instruction is really
// emitted, then that it behaves as the two instructions it replaces, edge cases included.
#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

TEST(InterpreterFusion, AddressAddWrapsBeforeTheOffset) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, std::string("\x11\x22\x33\x44\x55\x66", 6));
  const uint32_t ii_i = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(ii_i, {}, Body().get(0).get(1).op(Opcode::I32Add).load(Opcode::I32Load8U, 1).end(),
         "load");
  const uint32_t iii_v = b.type({ValType::I32, ValType::I32, ValType::I32}, {});
  b.func(iii_v, {},
         Body().get(0).get(1).op(Opcode::I32Add).get(2).op(Opcode::I32Store16, 0, 2).end(),
         "store");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::I32Load8UAdd));
  EXPECT_TRUE(contains(ops_of(b, 1), Op::I32Store16Add));
  Harness h(b);
  EXPECT_EQ(h.call_i32("load", {Value::i32(1), Value::i32(2)}), 0x55);
  // 0xffffffff + 2 wraps to 1 (i32.add), then the offset: address 2, not 2^32 + 2.
  EXPECT_EQ(h.call_i32("load", {Value::i32(-1), Value::i32(2)}), 0x33);
  EXPECT_EQ(h.trap_of("load", {Value::i32(65535), Value::i32(0)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("store", {Value::i32(-2), Value::i32(2), Value::i32(0xabcd)}).ok());
  EXPECT_EQ(h.call_i32("load", {Value::i32(0), Value::i32(1)}), 0xcd);
  EXPECT_EQ(h.call_i32("load", {Value::i32(0), Value::i32(2)}), 0xab);
  EXPECT_EQ(h.trap_of("store", {Value::i32(65534), Value::i32(0), Value::i32(0)}),
            "out of bounds memory access");
}

TEST(InterpreterFusion, FusedAccessTrapsAtTheAccessOffset) {
  ModuleBuilder b;
  b.memory(1);
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  // offsets: 100 local.get, 101 i32.const, 102 i32.add, 103 i32.load
  b.func(i_i, {}, Body().get(0).i32(4).op(Opcode::I32Add).load(Opcode::I32Load).end(), "f");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::I32LoadAdd));
  Harness h(b);
  EXPECT_EQ(h.trap_of("f", {Value::i32(65533)}), "out of bounds memory access");
  ASSERT_EQ(h.thread.trap().backtrace.size(), 1u);
  EXPECT_EQ(h.thread.trap().backtrace[0].offset, Body::kFirstOffset + 3);
}

TEST(InterpreterFusion, AddressAddKeptWhenItsResultIsAlsoALocal) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, std::string("\x07\x08", 2));
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  // local.tee keeps the sum: the add must still write local 1.
  b.func(i_i, {ValType::I32},
         Body()
             .get(0)
             .i32(1)
             .op(Opcode::I32Add)
             .tee(1)
             .load(Opcode::I32Load8U)
             .get(1)
             .op(Opcode::I32Add)
             .end(),
         "f");
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), 8 + 1);
}

TEST(InterpreterFusion, NoFusionAcrossALabel) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, std::string("\x01\x02\x03\x04", 4));
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  // block (result i32): 2; br_if 0 (local 0); drop; 1 + 2 ... end; i32.load8_u
  // The load's address comes either from the branch (2) or from the add (3): a label sits
  // between the add and the load.
  b.func(i_i, {},
         Body()
             .open(Opcode::Block, ValType::I32)
             .i32(2)
             .get(0)
             .br_if(0)
             .op(Opcode::Drop)
             .i32(1)
             .i32(2)
             .op(Opcode::I32Add)
             .end()
             .load(Opcode::I32Load8U)
             .end(),
         "f");
  EXPECT_FALSE(contains(ops_of(b, 0), Op::I32Load8UAdd));
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(1)}), 3);
  EXPECT_EQ(h.call_i32("f", {Value::i32(0)}), 4);
}

// Counts from local 0 up to local 1 in steps of local 2 with `cmp` as the loop condition, the
// counter on the `left` or right side of the compare; returns the number of iterations.
ModuleBuilder counter_loop(Opcode cmp, bool counter_left) {
  ModuleBuilder b;
  const uint32_t iii_i = b.type({ValType::I32, ValType::I32, ValType::I32}, {ValType::I32});
  Body body;
  body.open(Opcode::Loop)
      .get(3)
      .i32(1)
      .op(Opcode::I32Add)
      .set(3)
      .get(0)
      .get(2)
      .op(Opcode::I32Add)
      .set(0);
  if (counter_left)
    body.get(0).get(1);
  else
    body.get(1).get(0);
  body.op(cmp).br_if(0).end().get(3).end();
  b.func(iii_i, {ValType::I32}, body, "f");
  return b;
}

TEST(InterpreterFusion, AddThenCompareAndBranch) {
  struct Case {
    Opcode cmp;
    bool counter_left;
    int32_t from, to, step, iterations;
  };
  const Case cases[] = {
      {Opcode::I32LtS, true, 0, 10, 1, 10},      {Opcode::I32GtS, false, 0, 10, 1, 10},
      {Opcode::I32LtU, true, -5, 10, 1, 1},      {Opcode::I32LtS, true, -5, 10, 1, 15},
      {Opcode::I32Ne, true, 0, 12, 3, 4},        {Opcode::I32Ne, false, 0, 12, 3, 4},
      {Opcode::I32GeS, false, 0, 10, 2, 6},      {Opcode::I32LeS, true, 0, 10, 2, 6},
      {Opcode::I32GtU, false, 0, 10, 5, 2},      {Opcode::I32GeU, true, 100, 10, -10, 10},
      {Opcode::I32LeU, false, 100, 10, -10, 10}, {Opcode::I32Eq, true, 0, 3, 1, 1},
  };
  for (const Case& c : cases) {
    ModuleBuilder b = counter_loop(c.cmp, c.counter_left);
    const std::vector<Op> ops = ops_of(b, 0);
    const bool fused = std::any_of(ops.begin(), ops.end(), [](Op op) {
      return op >= Op::AddBrIfI32Eq && op <= Op::AddBrIfI32GeU;
    });
    EXPECT_TRUE(fused) << wasm::opcode_info(c.cmp).text;
    Harness h(b);
    EXPECT_EQ(h.call_i32("f", {Value::i32(c.from), Value::i32(c.to), Value::i32(c.step)}),
              c.iterations)
        << wasm::opcode_info(c.cmp).text << (c.counter_left ? " counter left" : " counter right");
  }
}

TEST(InterpreterFusion, ConstantOperandsAsImmediates) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t l_l = b.type({ValType::I64}, {ValType::I64});
  b.func(i_i, {}, Body().get(0).i32(5).op(Opcode::I32Sub).end(), "sub5");
  b.func(i_i, {}, Body().i32(5).get(0).op(Opcode::I32Sub).end(), "five_minus");  // not commutative
  b.func(i_i, {}, Body().i32(0xff).get(0).op(Opcode::I32And).end(), "and_ff");   // commutes
  b.func(i_i, {}, Body().get(0).i32(33).op(Opcode::I32Shl).end(), "shl33");      // count mod 32
  b.func(l_l, {}, Body().get(0).i64(-3).op(Opcode::I64Mul).end(), "mul_m3");     // sign-extended
  b.func(l_l, {}, Body().get(0).i64(int64_t{1} << 40).op(Opcode::I64Add).end(),
         "add_big");                                                                  // no fit
  b.func(l_l, {}, Body().get(0).i64(INT64_MIN).op(Opcode::I64Sub).end(), "sub_min");  // -MIN = MIN
  b.func(l_l, {}, Body().get(0).i64(8).op(Opcode::I64Rotl).end(), "rotl8");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::I32AddImm));
  EXPECT_FALSE(contains(ops_of(b, 1), Op::I32AddImm));
  EXPECT_TRUE(contains(ops_of(b, 2), Op::I32AndImm));
  EXPECT_TRUE(contains(ops_of(b, 4), Op::I64MulImm));
  EXPECT_FALSE(contains(ops_of(b, 5), Op::I64AddImm));
  Harness h(b);
  EXPECT_EQ(h.call_i32("sub5", {Value::i32(3)}), -2);
  EXPECT_EQ(h.call_i32("sub5", {Value::i32(INT32_MIN)}), INT32_MAX - 4);
  EXPECT_EQ(h.call_i32("five_minus", {Value::i32(3)}), 2);
  EXPECT_EQ(h.call_i32("and_ff", {Value::i32(0x1234)}), 0x34);
  EXPECT_EQ(h.call_i32("shl33", {Value::i32(3)}), 6);
  auto i64_of = [&](const char* f, int64_t x) {
    auto r = h.call(f, {Value::i64(x)});
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)[0].as_i64() : 0;
  };
  EXPECT_EQ(i64_of("mul_m3", 7), -21);
  EXPECT_EQ(i64_of("add_big", 1), (int64_t{1} << 40) + 1);
  EXPECT_EQ(i64_of("sub_min", 1), static_cast<int64_t>(uint64_t{1} + (uint64_t{1} << 63)));
  EXPECT_EQ(i64_of("rotl8", int64_t{0x0100000000000001}), int64_t{0x0000000000000101});
}

TEST(InterpreterFusion, CompareWithAConstantOnEitherSide) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  // if (x <u 10) 1 else 2, and if (10 <u x) 1 else 2: the constant moves to the right.
  for (bool constant_left : {false, true}) {
    Body body;
    body.open(Opcode::Block).open(Opcode::Block);
    if (constant_left)
      body.i32(10).get(0);
    else
      body.get(0).i32(10);
    body.op(Opcode::I32LtU).br_if(0).br(1).end().i32(1).op(Opcode::Return).end().i32(2).end();
    b.func(i_i, {}, body, constant_left ? "ten_lt" : "lt_ten");
  }
  EXPECT_TRUE(contains(ops_of(b, 0), Op::BrIfI32LtUImm));
  EXPECT_TRUE(contains(ops_of(b, 1), Op::BrIfI32GtUImm));
  Harness h(b);
  EXPECT_EQ(h.call_i32("lt_ten", {Value::i32(9)}), 1);
  EXPECT_EQ(h.call_i32("lt_ten", {Value::i32(10)}), 2);
  EXPECT_EQ(h.call_i32("lt_ten", {Value::i32(-1)}), 2);
  EXPECT_EQ(h.call_i32("ten_lt", {Value::i32(11)}), 1);
  EXPECT_EQ(h.call_i32("ten_lt", {Value::i32(10)}), 2);
  EXPECT_EQ(h.call_i32("ten_lt", {Value::i32(-1)}), 1);
}

TEST(InterpreterFusion, UnusedConstantsLeaveTheFrame) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  // Both constants become immediates: no constant slot is left, the stack starts after the
  // locals, and a call's arguments and results still meet in the right slots.
  const uint32_t inc = b.func(i_i, {}, Body().get(0).i32(1).op(Opcode::I32Add).end());
  b.func(i_i, {ValType::I32},
         Body().get(0).i32(3).op(Opcode::I32Shl).call(inc).get(0).op(Opcode::I32Add).end(), "f");
  auto fn = lower(b.m, 1);
  ASSERT_TRUE(fn.ok());
  EXPECT_TRUE(fn.value()->constants.empty());
  EXPECT_EQ(fn.value()->stack_base, 2u);
  Harness h(b);
  EXPECT_EQ(h.call_i32("f", {Value::i32(5)}), 5 * 8 + 1 + 5);
}

}  // namespace
}  // namespace lunatic::engine::testing
