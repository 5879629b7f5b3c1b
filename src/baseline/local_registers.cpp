// Hot locals in registers: before a function is emitted, a pass over its body weighs each
// local's uses (local.get/set/tee, x4 per enclosing loop) and the heaviest ones live in r14, r13,
// r15 and r12 for the whole function, so no merge of register states is ever needed at a label. The
// registers are callee-saved: calls, helper calls and the fiber's switches keep them, so
// nothing is spilled around a call. Their slots are written only where someone reads the frame:
// before LLVM's OSR entry takes it over at a loop header (value_stack.cpp reads the register
// wherever it would have read the slot).
#include <algorithm>

#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;

namespace {

// The registers, in the order they are given out. Each costs a push and a pop: the prologue
// saves only the ones its function uses (and rbx).
constexpr uint8_t kLocalRegisters[] = {14, 13, 15, 12};
// A local is worth a register from this weight on (about four uses outside loops, one in a
// loop): below it, the loads and stores saved do not pay for the prologue's work.
constexpr uint64_t kMinWeight = 4;
// Each enclosing loop multiplies a use's weight by 4, up to this many loops.
constexpr uint32_t kMaxLoopDepth = 8;

}  // namespace

void FunctionCompiler::choose_local_registers() {
  using wasm::Opcode;
  const auto locals = static_cast<uint32_t>(local_types_.size());
  if (locals == 0) return;
  std::vector<uint64_t> weight(locals, 0);
  // The same pass notes where each local is written and where each loop ends (bounds_known
  // keeps a check across a loop header when the loop never writes its local).
  local_writes_.assign(locals, {});
  std::vector<bool> loops;      // by open block: whether it is a loop
  std::vector<uint32_t> opens;  // by open block: its instruction's index
  uint32_t loop_depth = 0;
  for (uint32_t i = 0; i < func_.body.size(); ++i) {
    const wasm::Instr& in = func_.body[i];
    switch (in.op) {
      case Opcode::Loop: ++loop_depth; [[fallthrough]];
      case Opcode::Block:
      case Opcode::If:
        loops.push_back(in.op == Opcode::Loop);
        opens.push_back(i);
        break;
      case Opcode::End:
        if (!loops.empty()) {
          if (loops.back()) {
            --loop_depth;
            loop_end_[opens.back()] = i;
          }
          loops.pop_back();
          opens.pop_back();
        }
        break;
      case Opcode::LocalGet:
      case Opcode::LocalSet:
      case Opcode::LocalTee:
        if (in.a < locals && in.op != Opcode::LocalGet) local_writes_[in.a].push_back(i);
        if (in.a < locals && local_types_[in.a] != wasm::ValType::V128) {  // scalars only
          weight[in.a] += uint64_t{1} << (2 * std::min(loop_depth, kMaxLoopDepth));
        }
        break;
      default: break;
    }
  }
  local_reg_.assign(locals, 0);
  for (const uint8_t reg : kLocalRegisters) {
    const auto best = std::max_element(weight.begin(), weight.end());
    if (*best < kMinWeight) break;
    const auto local = static_cast<uint32_t>(best - weight.begin());
    local_reg_[local] = reg;
    register_locals_.push_back(local);
    *best = 0;
    saved_bytes_ += 8;  // the prologue pushes it
  }
}

void FunctionCompiler::load_local_registers() {
  const auto params = static_cast<uint32_t>(type_.params.size());
  for (const uint32_t local : register_locals_) {
    const x86::Gp reg = local_register(local);
    if (local < params) {
      a_.mov(reg, x86::qword_ptr(x86::rsi, static_cast<int32_t>(local_slot_[local] * 8)));
    } else if (!written_first_[local]) {
      a_.xor_(reg.r32(), reg.r32());
    }
  }
}

// A local's initial zero is seen only by a read before its first write. In the code from the
// body's start to its first branch, label, loop or return, every call runs every instruction in
// order (an instruction that traps ends the call, where no one reads locals), and no loop header
// (where LLVM's OSR entry reads every local from the frame) comes before it: a declared local
// whose first access there is a local.set or local.tee needs no zero.
void FunctionCompiler::find_locals_written_first() {
  using wasm::Opcode;
  const auto locals = static_cast<uint32_t>(local_types_.size());
  const auto params = static_cast<uint32_t>(type_.params.size());
  written_first_.assign(locals, false);
  std::vector<bool> accessed(locals, false);
  for (const wasm::Instr& in : func_.body) {
    switch (in.op) {
      case Opcode::LocalGet:
        if (in.a < locals) accessed[in.a] = true;
        continue;
      case Opcode::LocalSet:
      case Opcode::LocalTee:
        if (in.a < locals && !accessed[in.a]) {
          accessed[in.a] = true;
          written_first_[in.a] = in.a >= params;
        }
        continue;
      case Opcode::Unreachable:
      case Opcode::Loop:
      case Opcode::If:
      case Opcode::Else:
      case Opcode::End:
      case Opcode::Br:
      case Opcode::BrIf:
      case Opcode::BrTable:
      case Opcode::Return: return;
      default: continue;  // straight-line (a block's start is no label)
    }
  }
}

void FunctionCompiler::store_local_registers() {
  for (const uint32_t local : register_locals_) a_.mov(local_home(local), local_register(local));
}

}  // namespace lunatic::baseline
