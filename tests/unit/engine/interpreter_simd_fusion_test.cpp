// The SIMD superinstructions and the xor-shift one (lowering_fuse.cpp): each test checks that
// the fused instruction is really emitted, then that it behaves as the instructions it replaces
// (wrapping, bounds, traps and their offsets, shift counts), and that fuel is charged as for the
// Wasm instructions as written.
#include <algorithm>
#include <cstring>

#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

// Bytes 0, 1, 2, ... 255 at address 0.
std::string ramp() {
  std::string bytes(256, '\0');
  for (int i = 0; i < 256; ++i) bytes[i] = static_cast<char>(i);
  return bytes;
}

// The two halves of the 16 bytes starting at `from` of ramp().
uint64_t ramp_word(int from) {
  uint64_t w = 0;
  for (int i = 7; i >= 0; --i) w = w << 8 | static_cast<uint8_t>(from + i);
  return w;
}

TEST(InterpreterSimdFusion, AddressAddIntoV128AccessesForEveryOperandKind) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, ramp());
  const uint32_t ii_v = b.type({ValType::I32, ValType::I32}, {ValType::V128});
  const uint32_t i_v = b.type({ValType::I32}, {ValType::V128});
  // Two locals; a local and a constant; a computed value (home) and a constant, at offset 2.
  b.func(ii_v, {}, Body().get(0).get(1).op(Opcode::I32Add).op(Opcode::V128Load, 0, 0).end(),
         "locals");
  b.func(i_v, {}, Body().get(0).i32(3).op(Opcode::I32Add).op(Opcode::V128Load, 0, 0).end(),
         "constant");
  b.func(i_v, {},
         Body()
             .get(0)
             .i32(1)
             .op(Opcode::I32Shl)
             .i32(-2)
             .op(Opcode::I32Add)
             .op(Opcode::V128Load16x4S, 0, 2)
             .end(),
         "home");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::V128LoadAdd));
  EXPECT_TRUE(contains(ops_of(b, 1), Op::V128LoadAdd));
  EXPECT_TRUE(contains(ops_of(b, 2), Op::V128Load16x4SAdd));
  Harness h(b);
  auto r = h.call("locals", {Value::i32(5), Value::i32(6)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, ramp_word(11));
  EXPECT_EQ((*r)[0].hi, ramp_word(19));
  // 0xffffffff + 2 wraps to 1 (i32.add), as the add alone: not 2^32 + 1.
  r = h.call("locals", {Value::i32(-1), Value::i32(2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, ramp_word(1));
  r = h.call("constant", {Value::i32(7)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, ramp_word(10));
  // (4 << 1) - 2 + 2 = 8: the i16 lanes 0x0908, 0x0b0a, 0x0d0c, 0x0f0e, sign-extended.
  r = h.call("home", {Value::i32(4)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, 0x00000b0a00000908u);
  EXPECT_EQ((*r)[0].hi, 0x00000f0e00000d0cu);
  // Bounds: the 16 bytes end at the memory's end, or one past it. (0 - 2 wraps in "home".)
  EXPECT_TRUE(h.call("locals", {Value::i32(65520), Value::i32(0)}).ok());
  EXPECT_EQ(h.trap_of("locals", {Value::i32(65520), Value::i32(1)}), "out of bounds memory access");
  EXPECT_TRUE(h.call("home", {Value::i32(32764)}).ok());  // 65528 - 2 + 2: 8 bytes to the end
  EXPECT_EQ(h.trap_of("home", {Value::i32(32765)}), "out of bounds memory access");
  EXPECT_EQ(h.trap_of("home", {Value::i32(0)}), "out of bounds memory access");
  // The fused access traps at the access's offset (100 get, 101 const, 102 shl, 103 const,
  // 104 add, 105 load).
  ASSERT_EQ(h.thread.trap().backtrace.size(), 1u);
  EXPECT_EQ(h.thread.trap().backtrace[0].offset, Body::kFirstOffset + 5);
}

TEST(InterpreterSimdFusion, AddressAddIntoV128Store) {
  ModuleBuilder b;
  b.memory(1);
  const uint32_t iiv_v = b.type({ValType::I32, ValType::I32, ValType::V128}, {});
  const uint32_t i_i64 = b.type({ValType::I32}, {ValType::I64});
  b.func(iiv_v, {},
         Body().get(0).get(1).op(Opcode::I32Add).get(2).op(Opcode::V128Store, 0, 4).end(), "store");
  b.func(i_i64, {}, Body().get(0).load(Opcode::I64Load).end(), "peek");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::V128StoreAdd));
  Harness h(b);
  ASSERT_TRUE(h.call("store", {Value::i32(-4), Value::i32(8), Value::v128(0x1122, 0x3344)}).ok());
  auto peek = [&](int32_t at) { return h.call("peek", {Value::i32(at)})->at(0).as_i64(); };
  EXPECT_EQ(peek(8), 0x1122);  // -4 + 8 wraps to 4, then offset 4
  EXPECT_EQ(peek(16), 0x3344);
  EXPECT_TRUE(h.call("store", {Value::i32(65500), Value::i32(16), Value::v128(1, 2)}).ok());
  EXPECT_EQ(h.trap_of("store", {Value::i32(65500), Value::i32(17), Value::v128(1, 2)}),
            "out of bounds memory access");
  EXPECT_EQ(peek(65520), 1);
}

TEST(InterpreterSimdFusion, ScalarLoadIntoSplatOfTheSameWidth) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, ramp());
  const uint32_t i_v = b.type({ValType::I32}, {ValType::V128});
  b.func(i_v, {}, Body().get(0).load(Opcode::I32Load).op(Opcode::I32x4Splat).end(), "i32");
  b.func(i_v, {}, Body().get(0).load(Opcode::I32Load8S).op(Opcode::I8x16Splat).end(), "i8");
  b.func(i_v, {}, Body().get(0).load(Opcode::I32Load16U, 1).op(Opcode::I16x8Splat).end(), "i16");
  b.func(i_v, {}, Body().get(0).load(Opcode::F64Load).op(Opcode::F64x2Splat).end(), "f64");
  b.func(i_v, {},
         Body().get(0).i32(4).op(Opcode::I32Add).load(Opcode::F32Load).op(Opcode::F32x4Splat).end(),
         "f32_add");
  // Not the same width: the i32.load stays (it checks 4 bytes), the splat takes its low byte.
  b.func(i_v, {}, Body().get(0).load(Opcode::I32Load).op(Opcode::I8x16Splat).end(), "wider");
  EXPECT_TRUE(contains(ops_of(b, 0), static_cast<Op>(Opcode::V128Load32Splat)));
  EXPECT_TRUE(contains(ops_of(b, 1), static_cast<Op>(Opcode::V128Load8Splat)));
  EXPECT_TRUE(contains(ops_of(b, 2), static_cast<Op>(Opcode::V128Load16Splat)));
  EXPECT_TRUE(contains(ops_of(b, 3), static_cast<Op>(Opcode::V128Load64Splat)));
  EXPECT_TRUE(contains(ops_of(b, 4), Op::V128Load32SplatAdd));
  EXPECT_FALSE(contains(ops_of(b, 5), static_cast<Op>(Opcode::V128Load8Splat)));
  Harness h(b);
  auto v = [&](const char* f, int32_t at) {
    auto r = h.call(f, {Value::i32(at)});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::pair{(*r)[0].bits, (*r)[0].hi} : std::pair<uint64_t, uint64_t>{};
  };
  EXPECT_EQ(v("i32", 4), (std::pair<uint64_t, uint64_t>{0x0706050407060504u, 0x0706050407060504u}));
  EXPECT_EQ(v("i8", 200),
            (std::pair<uint64_t, uint64_t>{0xc8c8c8c8c8c8c8c8u, 0xc8c8c8c8c8c8c8c8u}));
  EXPECT_EQ(v("i16", 2), (std::pair<uint64_t, uint64_t>{0x0403040304030403u, 0x0403040304030403u}));
  EXPECT_EQ(v("f64", 8), (std::pair<uint64_t, uint64_t>{ramp_word(8), ramp_word(8)}));
  EXPECT_EQ(v("f32_add", -4),
            (std::pair<uint64_t, uint64_t>{0x0302010003020100u, 0x0302010003020100u}));
  EXPECT_EQ(v("wider", 9),
            (std::pair<uint64_t, uint64_t>{0x0909090909090909u, 0x0909090909090909u}));
  // Bounds as the scalar load's: its own width at the memory's end.
  EXPECT_TRUE(h.call("i32", {Value::i32(65532)}).ok());
  EXPECT_EQ(h.trap_of("i32", {Value::i32(65533)}), "out of bounds memory access");
  ASSERT_EQ(h.thread.trap().backtrace.size(), 1u);
  EXPECT_EQ(h.thread.trap().backtrace[0].offset, Body::kFirstOffset + 1);  // the load
  EXPECT_TRUE(h.call("i8", {Value::i32(65535)}).ok());
  EXPECT_EQ(h.trap_of("i8", {Value::i32(65536)}), "out of bounds memory access");
  EXPECT_EQ(h.trap_of("i16", {Value::i32(65534)}), "out of bounds memory access");
  EXPECT_EQ(h.trap_of("f64", {Value::i32(65529)}), "out of bounds memory access");
  EXPECT_EQ(h.trap_of("wider", {Value::i32(65533)}), "out of bounds memory access");
}

TEST(InterpreterSimdFusion, XorWithShiftedSelf) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t l_l = b.type({ValType::I64}, {ValType::I64});
  const uint32_t ii_i = b.type({ValType::I32, ValType::I32}, {ValType::I32});
  b.func(i_i, {}, Body().get(0).i32(13).op(Opcode::I32Shl).get(0).op(Opcode::I32Xor).end(), "shl");
  // The shifted value second; a shift count past the width is taken modulo 32.
  b.func(i_i, {}, Body().get(0).get(0).i32(49).op(Opcode::I32ShrU).op(Opcode::I32Xor).end(), "shr");
  b.func(l_l, {}, Body().get(0).i64(33).op(Opcode::I64ShrU).get(0).op(Opcode::I64Xor).end(),
         "shr64");
  b.func(l_l, {}, Body().get(0).i64(70).op(Opcode::I64Shl).get(0).op(Opcode::I64Xor).end(),
         "shl64");
  // Another value than the one shifted: no fusion.
  b.func(ii_i, {}, Body().get(0).i32(3).op(Opcode::I32Shl).get(1).op(Opcode::I32Xor).end(),
         "other");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::I32XorShlImm));
  EXPECT_TRUE(contains(ops_of(b, 1), Op::I32XorShrUImm));
  EXPECT_TRUE(contains(ops_of(b, 2), Op::I64XorShrUImm));
  EXPECT_TRUE(contains(ops_of(b, 3), Op::I64XorShlImm));
  EXPECT_FALSE(contains(ops_of(b, 4), Op::I32XorShlImm));
  Harness h(b);
  const uint32_t x = 0x9e3779b9u;
  EXPECT_EQ(static_cast<uint32_t>(h.call_i32("shl", {Value::i32(static_cast<int32_t>(x))})),
            x ^ (x << 13));
  EXPECT_EQ(static_cast<uint32_t>(h.call_i32("shr", {Value::i32(static_cast<int32_t>(x))})),
            x ^ (x >> 17));
  const uint64_t y = 0xbf58476d1ce4e5b9u;
  auto r = h.call("shr64", {Value::i64(static_cast<int64_t>(y))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].bits, y ^ (y >> 33));
  r = h.call("shl64", {Value::i64(static_cast<int64_t>(y))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].bits, y ^ (y << 6));
  EXPECT_EQ(h.call_i32("other", {Value::i32(5), Value::i32(1)}), (5 << 3) ^ 1);
}

TEST(InterpreterSimdFusion, LaneOpIntoI32x4Add) {
  ModuleBuilder b;
  const uint32_t vvv_v = b.type({ValType::V128, ValType::V128, ValType::V128}, {ValType::V128});
  // (a op b) + c, and c + (a op b): both operand orders.
  b.func(vvv_v, {}, Body().get(0).get(1).op(Opcode::I32x4Mul).get(2).op(Opcode::I32x4Add).end(),
         "mul");
  b.func(vvv_v, {},
         Body().get(2).get(0).get(1).op(Opcode::I32x4DotI16x8S).op(Opcode::I32x4Add).end(), "dot");
  b.func(vvv_v, {}, Body().get(0).get(1).op(Opcode::V128And).get(2).op(Opcode::I32x4Add).end(),
         "and");
  EXPECT_TRUE(contains(ops_of(b, 0), Op::I32x4MulAdd));
  EXPECT_TRUE(contains(ops_of(b, 1), Op::I32x4DotAdd));
  EXPECT_TRUE(contains(ops_of(b, 2), Op::I32x4AndAdd));
  Harness h(b);
  // Lanes (i32): a = [3, -2, 0x10000, 7], b = [5, 4, 0x10000, -1], c = [1, 1, 1, 0xffffffff].
  const Value a = Value::v128(0xfffffffe00000003u, 0x0000000700010000u);
  const Value bv = Value::v128(0x0000000400000005u, 0xffffffff00010000u);
  const Value c = Value::v128(0x0000000100000001u, 0xffffffff00000001u);
  auto r = h.call("mul", {a, bv, c});
  ASSERT_TRUE(r.ok()) << r.error().message;
  // [16, -7, 0 + 1 (2^32 wraps), -7 - 1]
  EXPECT_EQ((*r)[0].bits, 0xfffffff900000010u);
  EXPECT_EQ((*r)[0].hi, 0xfffffff800000001u);
  // dot: i16 lanes of a = [3, 0, -2, -1, 0, 1, 7, 0], of b = [5, 0, 4, 0, 0, 1, -1, -1]:
  // [15, -8, 1, -7], then + c.
  r = h.call("dot", {a, bv, c});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, 0xfffffff900000010u);
  EXPECT_EQ((*r)[0].hi, 0xfffffff800000002u);
  r = h.call("and", {a, bv, c});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits, 0x0000000500000002u);  // [1 + 1, 4 + 1]
  EXPECT_EQ((*r)[0].hi, 0x0000000600010001u);    // [0x10000 + 1, 7 - 1]
}

// A loop of fused instructions charges the Wasm instructions as written, wherever it stops.
TEST(InterpreterSimdFusion, FuelAsTheInstructionsAsWritten) {
  ModuleBuilder b;
  b.memory(1);
  b.data(0, ramp());
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  Body body;
  body.open(Opcode::Loop);  // the function's region: loop, then local.get and end after it
  body.get(0).i32(4).op(Opcode::I32Add).op(Opcode::V128Load, 0, 0);    // 1-4 (V128LoadAdd)
  body.get(1).get(1).op(Opcode::V128And).op(Opcode::I32x4Add).set(1);  // 5-9 (I32x4AndAdd)
  body.get(0).i32(1).op(Opcode::I32Sub).tee(0).br_if(0).end();         // 10-15
  body.get(1).op(Opcode::I32x4ExtractLane, 0).end();
  b.func(i_i, {ValType::V128}, body, "run");
  auto fn = lower(b.m, 0);
  ASSERT_TRUE(fn.ok());
  const std::vector<Op> ops = ops_of(b, 0);
  EXPECT_TRUE(contains(ops, Op::V128LoadAdd));
  EXPECT_TRUE(contains(ops, Op::I32x4AndAdd));
  EXPECT_EQ(safepoint_costs(**fn), (std::vector<uint32_t>{4, 15}));
  constexpr uint64_t kNeed = 4 + 10 * 15;
  for (const uint64_t fuel : {kNeed, kNeed - 1, kNeed - 15, kNeed - 16}) {
    Harness h(b);
    h.thread.set_fuel(fuel);
    auto r = h.call("run", {Value::i32(10)});
    if (fuel >= kNeed) {
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(*h.thread.fuel(), fuel - kNeed);
      // Lane 0 sums the bytes n + 4 .. n + 7 as an i32, for n = 10 down to 1.
      uint32_t lane = 0;
      for (int n = 10; n >= 1; --n) lane += static_cast<uint32_t>(ramp_word(n + 4));
      EXPECT_EQ(static_cast<uint32_t>((*r)[0].as_i32()), lane);
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().message, "out of fuel");
    }
  }
}

}  // namespace
}  // namespace lunatic::engine::testing
