// Reading the internal code back: opcode names, operand layouts, instruction lengths and a
// listing of a function, for debugging and for finding what the hot loops of a guest run.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "engine/code.hpp"

namespace lunatic::engine {
namespace {

constexpr uint32_t kWasmOps = wasm::kOpcodeCount;

constexpr const char* kInternalNames[] = {
#define LUNATIC_OP_NAME(name, layout) #name,
    LUNATIC_INTERNAL_OPS(LUNATIC_OP_NAME)
#undef LUNATIC_OP_NAME
};

constexpr const char* kInternalLayouts[] = {
#define LUNATIC_OP_LAYOUT(name, layout) layout,
    LUNATIC_INTERNAL_OPS(LUNATIC_OP_LAYOUT)
#undef LUNATIC_OP_LAYOUT
};

constexpr uint32_t kInternalOps = sizeof(kInternalNames) / sizeof(kInternalNames[0]);

// Wasm opcodes whose lowered form is not "the numeric layout" (code.hpp lists them).
const char* special_layout(wasm::Opcode op) {
  using wasm::Opcode;
  switch (op) {
    case Opcode::Unreachable:
    case Opcode::Return: return "";
    case Opcode::Br: return "t";
    case Opcode::BrTable: return "sn";
    case Opcode::Call: return "is";
    case Opcode::CallIndirect: return "iiss";
    case Opcode::Select: return "dsss";
    case Opcode::GlobalGet: return "di";
    case Opcode::GlobalSet: return "is";
    case Opcode::MemorySize: return "d";
    case Opcode::MemoryGrow: return "ds";
    case Opcode::MemoryFill:
    case Opcode::MemoryCopy: return "sss";
    case Opcode::MemoryInit: return "isss";
    case Opcode::DataDrop:
    case Opcode::ElemDrop: return "i";
    case Opcode::TableGet: return "dis";
    case Opcode::TableSet: return "iss";
    case Opcode::TableSize: return "di";
    case Opcode::TableGrow: return "diss";
    case Opcode::TableFill: return "isss";
    case Opcode::TableCopy:
    case Opcode::TableInit: return "iisss";
    case Opcode::RefIsNull: return "ds";
    case Opcode::RefFunc: return "di";
    case Opcode::V128Const: return "";  // lowered to a constant, never emitted
    case Opcode::V128Bitselect: return "dsss";
    case Opcode::I8x16Shuffle: return "dssiiii";
    default: break;
  }
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  if (info.immediate == wasm::Immediate::MemArgLane)
    return info.out != wasm::Operand::none ? "dssii" : "ssii";
  if (info.immediate == wasm::Immediate::Lane)
    return info.in2 != wasm::Operand::none ? "dssi" : "dsi";
  return nullptr;
}

}  // namespace

const char* op_name(Op op) {
  const auto raw = static_cast<uint32_t>(op);
  if (raw < kWasmOps) return wasm::opcode_info(static_cast<wasm::Opcode>(raw)).text;
  if (raw - kWasmOps < kInternalOps) return kInternalNames[raw - kWasmOps];
  return "?";
}

const char* op_layout(Op op) {
  const auto raw = static_cast<uint32_t>(op);
  if (raw - kWasmOps < kInternalOps && raw >= kWasmOps) return kInternalLayouts[raw - kWasmOps];
  if (raw >= kWasmOps) return "";
  const auto wop = static_cast<wasm::Opcode>(raw);
  if (const char* special = special_layout(wop)) return special;
  const wasm::OpcodeInfo& info = wasm::opcode_info(wop);
  if (info.access_bytes > 0) return info.out != wasm::Operand::none ? "dsi" : "ssi";
  if (info.in2 != wasm::Operand::none) return "dss";
  return "ds";
}

namespace {

std::vector<OpShape> build_shapes() {
  std::vector<OpShape> table(kWasmOps + kInternalOps + 1);  // the last: unknown opcodes
  for (uint32_t raw = 0; raw < kWasmOps + kInternalOps; ++raw) {
    const char* layout = op_layout(static_cast<Op>(raw));
    OpShape& shape = table[raw];
    for (uint32_t w = 1; layout[w - 1] != '\0'; ++w) {
      shape.words = static_cast<uint8_t>(w + 1);
      if (layout[w - 1] == 's' || layout[w - 1] == 'd')
        shape.slots |= static_cast<uint8_t>(1u << w);
    }
  }
  return table;
}

// Built at start-up (opcode_info's table is constant-initialised), so lookups need no guard.
const std::vector<OpShape> kShapes = build_shapes();

}  // namespace

const OpShape& op_shape(Op op) {
  return kShapes[std::min<uint32_t>(static_cast<uint32_t>(op), kWasmOps + kInternalOps)];
}

uint32_t instruction_words(const uint32_t* pc) {
  const auto op = static_cast<Op>(pc[0]);
  return op_shape(op).words + (op == Op::BrTable ? pc[2] + 1 : 0);
}

std::vector<uint32_t> safepoint_costs(const CompiledFunction& fn) {
  std::vector<uint32_t> costs;
  const std::vector<uint32_t>& code = fn.code;
  for (size_t pc = 0; pc < code.size();) {
    if (static_cast<Op>(code[pc]) == Op::Safepoint) {
      if (pc + 1 >= code.size()) return {};
      costs.push_back(code[pc + 1]);
    }
    const uint32_t words = instruction_words(code.data() + pc);
    if (words == 0) return {};
    pc += words;
  }
  return costs;
}

std::string disassemble(const CompiledFunction& fn) {
  std::string out;
  char line[64];
  std::snprintf(line, sizeof line, "func %u: params %u, locals %u, stack base %u, frame %u\n",
                fn.func_index, fn.param_count, fn.local_count, fn.stack_base, fn.frame_size);
  out += line;
  for (size_t i = 0; i < fn.constants.size(); ++i) {
    std::snprintf(line, sizeof line, "  const s%zu = 0x%llx\n", fn.param_count + fn.local_count + i,
                  static_cast<unsigned long long>(fn.constants[i]));
    out += line;
  }
  const uint32_t* code = fn.code.data();
  const uint32_t* end = code + fn.code.size();
  for (const uint32_t* pc = code; pc < end;) {
    const auto op = static_cast<Op>(*pc);
    std::snprintf(line, sizeof line, "%5u  %s", static_cast<uint32_t>(pc - code), op_name(op));
    out += line;
    const uint32_t words = instruction_words(pc);
    if (pc + words > end) {
      out += " <truncated>\n";
      break;
    }
    const char* layout = op_layout(op);
    for (uint32_t w = 1; w < words; ++w) {
      const char kind = *layout != '\0' ? *layout++ : 't';
      const char* prefix = kind == 'd' || kind == 's' ? " s" : kind == 't' ? " @" : " ";
      const uint32_t value = kind == 't' ? static_cast<uint32_t>(pc - code) + w + pc[w] : pc[w];
      std::snprintf(line, sizeof line, "%s%u", prefix, value);
      out += line;
    }
    out += '\n';
    pc += words;
  }
  return out;
}

}  // namespace lunatic::engine
