// Linear memory and tables from Wasm code: loads/stores with bounds checks, memory.grow,
// bulk memory with its trap-before-write rule, table instructions.
#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

TEST(InterpreterMemory, LoadsAndStores) {
  ModuleBuilder b;
  b.memory(1);
  b.data(8, std::string("\x80\xff\x01\x02", 4));
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t i_l = b.type({ValType::I32}, {ValType::I64});
  b.func(i_i, {}, Body().get(0).load(Opcode::I32Load8S).end(), "load8_s");
  b.func(i_i, {}, Body().get(0).load(Opcode::I32Load16U).end(), "load16_u");
  b.func(i_i, {}, Body().get(0).load(Opcode::I32Load, 4).end(), "load_off4");
  b.func(i_l, {}, Body().get(0).load(Opcode::I64Load32S).end(), "load32_s");
  const uint32_t ii_v = b.type({ValType::I32, ValType::I32}, {});
  b.func(ii_v, {}, Body().get(0).get(1).op(Opcode::I32Store16, 0, 0).end(), "store16");
  Harness h(b);
  EXPECT_EQ(h.call_i32("load8_s", {Value::i32(8)}), -128);
  EXPECT_EQ(h.call_i32("load16_u", {Value::i32(8)}), 0xff80);
  EXPECT_EQ(h.call_i32("load_off4", {Value::i32(4)}), 0x0201ff80);
  auto r = h.call("load32_s", {Value::i32(8)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i64(), int64_t{0x0201ff80});
  ASSERT_TRUE(h.call("store16", {Value::i32(65534), Value::i32(0x12345678)}).ok());
  EXPECT_EQ(h.call_i32("load16_u", {Value::i32(65534)}), 0x5678);
  EXPECT_EQ(h.trap_of("store16", {Value::i32(65535), Value::i32(0)}),
            "out of bounds memory access");
  EXPECT_EQ(h.trap_of("load_off4", {Value::i32(65532)}), "out of bounds memory access");
  // The address is unsigned and the offset is added in 64 bits: no wrap-around.
  EXPECT_EQ(h.trap_of("load_off4", {Value::i32(-4)}), "out of bounds memory access");
}

TEST(InterpreterMemory, GrowReloadsTheBounds) {
  ModuleBuilder b;
  b.memory(1, 3);
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  b.func(i_i, {}, Body().get(0).op(Opcode::MemoryGrow).end(), "grow");
  b.func(i_i, {}, Body().get(0).load(Opcode::I32Load).end(), "load");
  // store then load past the first page after growing, in one function
  b.func(i_i, {},
         Body()
             .i32(1)
             .op(Opcode::MemoryGrow)
             .op(Opcode::Drop)
             .get(0)
             .i32(99)
             .op(Opcode::I32Store, 0, 0)
             .get(0)
             .load(Opcode::I32Load)
             .op(Opcode::MemorySize)
             .op(Opcode::I32Add)
             .end(),
         "grow_store_load");
  Harness h(b);
  EXPECT_EQ(h.trap_of("load", {Value::i32(70000)}), "out of bounds memory access");
  EXPECT_EQ(h.call_i32("grow_store_load", {Value::i32(70000)}), 99 + 2);
  EXPECT_EQ(h.call_i32("grow", {Value::i32(1)}), 2);
  EXPECT_EQ(h.call_i32("grow", {Value::i32(1)}), -1);  // past the maximum
  EXPECT_EQ(h.call_i32("load", {Value::i32(70000)}), 99);
}

TEST(InterpreterMemory, BulkMemory) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, "hello", wasm::SegmentMode::Passive);
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t iii_v = b.type({ValType::I32, ValType::I32, ValType::I32}, {});
  b.func(i_i, {}, Body().get(0).load(Opcode::I32Load8U).end(), "byte");
  b.func(iii_v, {}, Body().get(0).get(1).get(2).op(Opcode::MemoryFill).end(), "fill");
  b.func(iii_v, {}, Body().get(0).get(1).get(2).op(Opcode::MemoryCopy).end(), "copy");
  b.func(iii_v, {}, Body().get(0).get(1).get(2).op(Opcode::MemoryInit, 0).end(), "init");
  const uint32_t v = b.type({}, {});
  b.func(v, {}, Body().op(Opcode::DataDrop, 0).end(), "drop");
  Harness h(b);
  auto run3 = [&](const char* f, int32_t a, int32_t x, int32_t n) {
    return h.call(f, {Value::i32(a), Value::i32(x), Value::i32(n)});
  };
  ASSERT_TRUE(run3("init", 100, 1, 4).ok());  // "ello" at 100
  EXPECT_EQ(h.call_i32("byte", {Value::i32(100)}), 'e');
  ASSERT_TRUE(run3("copy", 101, 100, 4).ok());  // overlapping: "eello"
  EXPECT_EQ(h.call_i32("byte", {Value::i32(104)}), 'o');
  EXPECT_EQ(h.call_i32("byte", {Value::i32(101)}), 'e');
  ASSERT_TRUE(run3("fill", 200, 7, 3).ok());
  EXPECT_EQ(h.call_i32("byte", {Value::i32(202)}), 7);
  // Out of bounds: trap, and nothing written.
  auto r = run3("fill", 65530, 9, 7);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  EXPECT_EQ(h.call_i32("byte", {Value::i32(65530)}), 0);
  EXPECT_FALSE(run3("init", 0, 2, 4).ok());     // past the segment's end
  ASSERT_TRUE(run3("fill", 65536, 0, 0).ok());  // empty at the end is fine
  ASSERT_TRUE(h.call("drop").ok());
  EXPECT_TRUE(run3("init", 0, 0, 0).ok());
  EXPECT_EQ(run3("init", 0, 0, 1).error().message, "out of bounds memory access");
}

TEST(InterpreterMemory, TableInstructions) {
  ModuleBuilder b;
  const uint32_t v_i = b.type({}, {ValType::I32});
  const uint32_t f7 = b.func(v_i, {}, Body().i32(7).end());
  b.table(2, 4);
  b.elements(0, {f7}, wasm::SegmentMode::Passive);
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t v_v = b.type({}, {});
  // table.grow by x with ref.func f7, returning the old size
  b.func(i_i, {}, Body().op(Opcode::RefFunc, f7).get(0).op(Opcode::TableGrow, 0).end(), "grow");
  b.func(v_i, {}, Body().op(Opcode::TableSize, 0).end(), "size");
  b.func(i_i, {}, Body().get(0).op(Opcode::TableGet, 0).op(Opcode::RefIsNull).end(), "is_null");
  b.func(i_i, {}, Body().get(0).op(Opcode::CallIndirect, v_i, 0).end(), "call");
  // table.init 0 at x: elements [0, 1) of segment 0
  b.func(i_i, {}, Body().get(0).i32(0).i32(1).op(Opcode::TableInit, 0, 0).i32(0).end(), "init");
  b.func(v_v, {}, Body().op(Opcode::ElemDrop, 0).end(), "drop");
  // table.copy 0 0: [0] -> [1]; table.fill [0, 2) with null; table.set [1] = null
  b.func(v_v, {}, Body().i32(1).i32(0).i32(1).op(Opcode::TableCopy, 0, 0).end(), "copy");
  b.func(v_v, {},
         Body()
             .i32(0)
             .op(Opcode::RefNull, uint32_t(ValType::FuncRef))
             .i32(2)
             .op(Opcode::TableFill, 0)
             .end(),
         "fill");
  Harness h(b);
  EXPECT_EQ(h.call_i32("size"), 2);
  EXPECT_EQ(h.call_i32("is_null", {Value::i32(0)}), 1);
  EXPECT_EQ(h.trap_of("is_null", {Value::i32(2)}), "out of bounds table access");
  EXPECT_EQ(h.call_i32("init", {Value::i32(0)}), 0);
  EXPECT_EQ(h.call_i32("call", {Value::i32(0)}), 7);
  EXPECT_EQ(h.trap_of("init", {Value::i32(2)}), "out of bounds table access");
  ASSERT_TRUE(h.call("copy").ok());
  EXPECT_EQ(h.call_i32("call", {Value::i32(1)}), 7);
  EXPECT_EQ(h.call_i32("grow", {Value::i32(2)}), 2);
  EXPECT_EQ(h.call_i32("grow", {Value::i32(1)}), -1);
  EXPECT_EQ(h.call_i32("call", {Value::i32(3)}), 7);
  ASSERT_TRUE(h.call("fill").ok());
  EXPECT_EQ(h.call_i32("is_null", {Value::i32(1)}), 1);
  EXPECT_EQ(h.call_i32("is_null", {Value::i32(2)}), 0);
  ASSERT_TRUE(h.call("drop").ok());
  EXPECT_EQ(h.trap_of("init", {Value::i32(0)}), "out of bounds table access");
}

}  // namespace
}  // namespace lunatic::engine::testing
