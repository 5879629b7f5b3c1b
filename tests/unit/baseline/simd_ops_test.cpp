// Every SIMD instruction of a fixed signature in the baseline tier, inline (emit_simd_inline.cpp,
// emit_simd_lanes.cpp) or through the interpreter's step, against the interpreter on edge values:
// lane boundaries, signed and unsigned extremes (saturation, narrowing, compares), NaNs, shift
// counts at and past the lane width, every lane index's ends, shuffles from either operand and
// memory accesses at the end of memory.
#include <set>
#include <string>

#include "../tiering/tier_fixture.hpp"
#include "wasm/opcode.hpp"

namespace lunatic::tiering::testing {
namespace {

using wasm::Opcode;
using wasm::Operand;

const char* type_name(Operand o) {
  switch (o) {
    case Operand::i32: return "i32";
    case Operand::i64: return "i64";
    case Operand::f32: return "f32";
    case Operand::f64: return "f64";
    default: return "v128";
  }
}

bool plain(Operand o) { return o != Operand::special; }

// One exported function per instruction and immediate: "<name>" or "<name>/<lane>", params the
// operands, the result the instruction's.
struct Generated {
  std::string wat =
      "(module (memory 1)\n"
      "  (data (i32.const 0) \"\\01\\80\\7f\\ff\\00\\fe\\02\\81\\10\\20\\30\\40\")\n"
      "  (data (i32.const 65520) \"\\ff\\7f\\80\\01\\aa\\55\\00\\ff\\de\\ad\\be\\ef"
      "\\12\\34\\56\\78\")\n";
  std::vector<std::pair<std::string, Opcode>> functions;

  void add(Opcode op, const std::string& export_name, const std::string& immediate) {
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    std::string params;
    std::string gets;
    uint32_t n = 0;
    for (const Operand o : {info.in1, info.in2}) {
      if (o == Operand::none) continue;
      params += std::string(" (param ") + type_name(o) + ")";
      gets += " (local.get " + std::to_string(n++) + ")";
    }
    const std::string result =
        info.out == Operand::none ? "" : std::string(" (result ") + type_name(info.out) + ")";
    std::string body = std::string("(") + info.text + immediate + gets + ")";
    if (op == Opcode::V128Store) body += " (v128.load offset=1 (local.get 0))";
    if (info.out == Operand::none && op != Opcode::V128Store) return;
    wat += "  (func (export \"" + export_name + "\")" + params +
           (op == Opcode::V128Store ? " (result v128)" : result) + " " + body + ")\n";
    functions.emplace_back(export_name, op);
  }
};

Generated generate() {
  Generated g;
  for (uint16_t i = 0; i < wasm::kOpcodeCount; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    if (!wasm::is_simd(op) || !plain(info.in1) || !plain(info.in2) || !plain(info.out)) continue;
    const std::string name = info.text;
    switch (info.immediate) {
      case wasm::Immediate::None: g.add(op, name, ""); break;
      case wasm::Immediate::MemArg: g.add(op, name, " offset=1"); break;
      case wasm::Immediate::Lane:
        for (uint32_t lane :
             std::set<uint32_t>{0, wasm::lane_count(op) / 2, wasm::lane_count(op) - 1}) {
          g.add(op, name + "/" + std::to_string(lane), " " + std::to_string(lane));
        }
        break;
      case wasm::Immediate::Shuffle:
        for (const char* lanes :
             {"0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
              "31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16",
              "0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31", "0 0 0 0 1 0 0 0 2 0 0 0 3 0 0 0",
              "11 10 9 8 15 14 13 12 16 16 31 31 5 20 0 0"}) {
          g.add(op, name + "/" + lanes, std::string(" ") + lanes);
        }
        break;
      default: break;  // the lane loads and stores: simd_test.cpp
    }
  }
  // Results fed straight into the next instruction (xmm0 reused, emit_simd_lanes.cpp), both
  // operand orders (lt_s swaps them); called with two v128s, as i8x16.sub is.
  g.wat +=
      "  (func (export \"chain\") (param v128 v128) (result v128)\n"
      "    (i32x4.add (i8x16.sub (local.get 0) (v128.const i32x4 1 -1 0x80000000 7))\n"
      "      (i16x8.lt_s (local.get 1) (i8x16.add_sat_u (local.get 0) (local.get 1)))))\n";
  g.functions.emplace_back("chain", Opcode::I8x16Sub);
  g.wat += ")";
  return g;
}

std::vector<Value> values_of(Operand o) {
  switch (o) {
    case Operand::i32:  // addresses and shift counts too
      return {Value::i32(0),        Value::i32(1),   Value::i32(7),     Value::i32(8),
              Value::i32(15),       Value::i32(16),  Value::i32(31),    Value::i32(32),
              Value::i32(33),       Value::i32(63),  Value::i32(64),    Value::i32(65),
              Value::i32(-1),       Value::i32(255), Value::i32(65519), Value::i32(65528),
              Value::i32(INT32_MIN)};
    case Operand::i64:
      return {Value::i64(0), Value::i64(-1), Value::i64(INT64_MIN), Value::i64(0x0123456789ABCDEF)};
    case Operand::f32:
      return {Value::f32(0.0f), Value::f32(-0.0f), Value::f32(1.5f),
              Value{wasm::ValType::F32, 0x7FC00000u}, Value{wasm::ValType::F32, 0xFF800001u}};
    case Operand::f64:
      return {Value::f64(-2.5), Value{wasm::ValType::F64, 0x7FF8000000000001u},
              Value{wasm::ValType::F64, 0xFFF0000000000000u}};
    default:
      return {Value::v128(0, 0),
              Value::v128(~0ull, ~0ull),
              Value::v128(0x8080808080808080u, 0x7F7F7F7F7F7F7F7Fu),
              Value::v128(0x8000800080008000u, 0x7FFF7FFF00010000u),
              Value::v128(0x800000007FFFFFFFu, 0xFFFFFFFF00000001u),
              Value::v128(0x7FC00000FF800001u, 0x7FF8000000000001u),  // NaNs by f32 and f64
              Value::v128(0x00FF01FE807F8100u, 0xFFFE000100028001u),
              Value::v128(0x0123456789ABCDEFu, 0xFEDCBA9876543210u)};
  }
}

TEST(BaselineSimdOps, EveryInstructionGivesTheInterpretersLanes) {
  const Generated g = generate();
  TierInstance interp(g.wat, Tier::Interp);
  TierInstance baseline(g.wat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  ASSERT_NE(baseline.instance->module->native(), nullptr);
  ASSERT_GT(g.functions.size(), 200u);
  size_t calls = 0;
  for (const auto& [name, op] : g.functions) {
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    std::vector<std::vector<Value>> arg_lists{{}};
    for (const Operand o : {info.in1, info.in2}) {
      if (o == Operand::none) continue;
      std::vector<std::vector<Value>> longer;
      for (const auto& args : arg_lists) {
        for (const Value& v : values_of(o)) {
          longer.push_back(args);
          longer.back().push_back(v);
        }
      }
      arg_lists = std::move(longer);
    }
    for (const auto& args : arg_lists) {
      const Outcome want = run_to_end(interp.thread, interp.fn(name.c_str()), args, {});
      const Outcome got = run_to_end(baseline.thread, baseline.fn(name.c_str()), args, {});
      std::string shown;
      for (const Value& v : args) shown += " " + v.to_string();
      EXPECT_EQ(got, want) << name << shown;
      ++calls;
    }
  }
  EXPECT_GT(calls, 5000u);
}

}  // namespace
}  // namespace lunatic::tiering::testing
