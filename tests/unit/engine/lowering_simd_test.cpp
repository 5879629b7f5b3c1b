// v128 values in lowering and the interpreter (lowering_simd.cpp, interpreter_simd.cpp): a v128
// takes two consecutive slots in params, locals, constants, results, block values, select,
// globals, calls and host calls, and the SIMD instructions read and write both.
#include <cstring>

#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

constexpr uint64_t kLo = 0x0706050403020100u;
constexpr uint64_t kHi = 0x0F0E0D0C0B0A0908u;

Body& v128_const(Body& body, uint64_t lo, uint64_t hi) {
  body.op(Opcode::V128Const);
  wasm::V128Bytes bytes;
  std::memcpy(bytes.data(), &lo, 8);
  std::memcpy(bytes.data() + 8, &hi, 8);
  wasm::set_v128_immediate(body.instrs.back(), bytes);
  return body;
}

void expect_v128(const Value& v, uint64_t lo, uint64_t hi) {
  EXPECT_EQ(v.type, ValType::V128);
  EXPECT_EQ(v.bits, lo);
  EXPECT_EQ(v.hi, hi);
}

TEST(LoweringSimd, ParamsLocalsAndResultsTakeTwoSlots) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::V128, ValType::I32, ValType::V128},
                            {ValType::V128, ValType::I32, ValType::V128});
  // Swaps the two v128 params through a v128 local: (a, n, c) -> (c, n + 1, a).
  b.func(t, {ValType::V128, ValType::I64},
         Body().get(0).set(3).get(2).get(1).i32(1).op(Opcode::I32Add).get(3).end(), "swap");
  auto fn = lower(b.m, 0);
  ASSERT_TRUE(fn.ok()) << fn.error().to_string();
  EXPECT_EQ((*fn)->param_count, 5u);   // v128, i32, v128
  EXPECT_EQ((*fn)->local_count, 3u);   // v128, i64
  EXPECT_EQ((*fn)->result_count, 5u);  // v128, i32, v128
  Harness h(b);
  auto r = h.call("swap", {Value::v128(kLo, kHi), Value::i32(41), Value::v128(1, 2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  expect_v128((*r)[0], 1, 2);
  EXPECT_EQ((*r)[1].as_i32(), 42);
  expect_v128((*r)[2], kLo, kHi);
}

TEST(LoweringSimd, ConstantsBlocksBranchesAndSelect) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::V128});
  const uint32_t block_t = b.type({ValType::I32}, {ValType::I32, ValType::V128});
  // An unused i64 constant is compacted away; the v128 constant's pair must survive it.
  Body body;
  body.i64(77).op(Opcode::Drop).get(0);
  body.open_type(Opcode::Block, block_t);
  v128_const(body, kLo, kHi);
  body.op(Opcode::I32Const, 0, 0, 5).op(Opcode::Drop);
  // br_if carries (i32, v128) out of the block: the v128 moves as a pair.
  body.op(Opcode::LocalGet, 0).br_if(0).op(Opcode::Drop).op(Opcode::Drop).i32(9);
  v128_const(body, 3, 4);
  body.end();
  // select of two v128s on the i32 the block left.
  body.op(Opcode::LocalSet, 1);  // v128 local
  body.op(Opcode::LocalTee, 2);  // i32 local: the condition
  body.op(Opcode::Drop).get(1);
  v128_const(body, 5, 6);
  body.get(2).op(Opcode::SelectT).end();
  b.func(t, {ValType::V128, ValType::I32}, body, "f");
  Harness h(b);
  auto taken = h.call("f", {Value::i32(7)});  // br_if taken: (7, kLo:kHi), select picks it
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  expect_v128((*taken)[0], kLo, kHi);
  auto fallen = h.call("f", {Value::i32(0)});  // falls through: (9, 3:4), select picks it
  ASSERT_TRUE(fallen.ok()) << fallen.error().message;
  expect_v128((*fallen)[0], 3, 4);
}

TEST(LoweringSimd, GlobalsCallsAndHostCalls) {
  ModuleBuilder b;
  const uint32_t vv_v = b.type({ValType::V128, ValType::V128}, {ValType::V128});
  const uint32_t v_v = b.type({ValType::V128}, {ValType::V128});
  const uint32_t host = b.import_func(v_v, "rotate");  // swaps the halves
  wasm::Instr init;
  init.op = Opcode::V128Const;
  wasm::V128Bytes bytes{};
  bytes[0] = 1;
  bytes[15] = 0x80;
  wasm::set_v128_immediate(init, bytes);
  b.m.globals.push_back(
      wasm::Global{wasm::GlobalType{ValType::V128, true}, wasm::ConstExpr{{init}}});
  // add(a, b) = i64x2.add(a, b); f(x) = add(rotate(x), global); the global becomes f's result.
  const uint32_t add = b.func(vv_v, {}, Body().get(0).get(1).op(Opcode::I64x2Add).end());
  b.func(v_v, {},
         Body()
             .get(0)
             .call(host)
             .op(Opcode::GlobalGet, 0)
             .call(add)
             .op(Opcode::GlobalSet, 0)
             .op(Opcode::GlobalGet, 0)
             .end(),
         "f");
  MemoryPool pool;
  Store store(pool);
  size_t args_seen = 0;
  Function* rotate = store.add_host_function({{ValType::V128}, {ValType::V128}}, [&](HostCall& c) {
    args_seen = c.args.size();
    c.results[0] = c.args[1];
    c.results[1] = c.args[0];
    return HostStatus::Return;
  });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, rotate}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  auto r = thread.call(inst->find_export("f")->func(), std::vector<Value>{Value::v128(10, 20)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(args_seen, 2u);  // one v128 argument, two slots
  expect_v128((*r)[0], 20 + 1, 10 + 0x8000000000000000u);
  EXPECT_EQ(inst->globals[0]->value, 21u);
  EXPECT_EQ(inst->globals[0]->hi, 10 + 0x8000000000000000u);
}

TEST(LoweringSimd, MemoryAccessesCheckAllTheirBytes) {
  ModuleBuilder b;
  b.memory(1);
  b.data(65520,
         std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  const uint32_t i_v = b.type({ValType::I32}, {ValType::V128});
  b.func(i_v, {}, Body().get(0).op(Opcode::V128Load, 4, 0).end(), "load");
  Body lane;
  lane.get(0);
  v128_const(lane, 0, 0);
  lane.op(Opcode::V128Load16Lane, 1, 2, 7).end();  // offset 2, lane 7
  b.func(i_v, {}, lane, "load_lane");
  Harness h(b);
  auto r = h.call("load", {Value::i32(65520)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  expect_v128((*r)[0], 0x0807060504030201u, 0x100f0e0d0c0b0a09u);
  EXPECT_EQ(h.trap_of("load", {Value::i32(65521)}), "out of bounds memory access");
  EXPECT_EQ(h.trap_of("load", {Value::i32(-1)}), "out of bounds memory access");
  auto l = h.call("load_lane", {Value::i32(65532)});  // bytes 65534..65535: 0x0f, 0x10
  ASSERT_TRUE(l.ok()) << l.error().message;
  expect_v128((*l)[0], 0, 0x100f000000000000u);
  EXPECT_EQ(h.trap_of("load_lane", {Value::i32(65533)}), "out of bounds memory access");
  ASSERT_EQ(h.thread.trap().backtrace.size(), 1u);
  EXPECT_EQ(h.thread.trap().backtrace[0].offset, Body::kFirstOffset + 2);
}

}  // namespace
}  // namespace lunatic::engine::testing
