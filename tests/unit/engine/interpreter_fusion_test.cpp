// Superinstructions (lowering_fuse.cpp): each test checks that the fused instruction is really
// emitted, then that it behaves as the two instructions it replaces, edge cases included.
#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

// The opcodes of function `defined` of `b`, in order.
std::vector<Op> ops_of(ModuleBuilder& b, uint32_t defined) {
  auto fn = lower(b.m, defined);
  EXPECT_TRUE(fn.ok());
  std::vector<Op> out;
  if (!fn.ok()) return out;
  const std::vector<uint32_t>& code = fn.value()->code;
  for (size_t i = 0; i < code.size(); i += instruction_words(&code[i]))
    out.push_back(static_cast<Op>(code[i]));
  return out;
}

bool contains(const std::vector<Op>& ops, Op op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

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

}  // namespace
}  // namespace lunatic::engine::testing
