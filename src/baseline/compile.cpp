// compile_baseline: a module's checks and its entry stubs (lazy_code.cpp); compile_function:
// one function into its own asmjit code buffer, copied into executable memory of the
// process-wide JitRuntime, on the function's first call.
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "baseline/baseline.hpp"
#include "baseline/function_compiler.hpp"
#include "baseline/lazy_code.hpp"
#include "engine/code.hpp"
#include "native/native_tier.hpp"
#include "native/perf_map.hpp"

namespace lunatic::baseline {

asmjit::JitRuntime& code_runtime() {
  static auto* rt = new asmjit::JitRuntime();
  return *rt;
}

namespace {

// Keeps the first error asmjit reports (an encoding it refuses): the compile then fails.
class FirstError final : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error, const char* message, asmjit::BaseEmitter*) override {
    if (error.empty()) error = message;
  }
  std::string error;
};

// perf's map line of one function (its out-of-line parts follow its body), under its name
// from the name section.
void write_perf_map(const wasm::Module& wasm, uint32_t defined_index, void* base, uint64_t size) {
  const std::map<std::string, uint64_t> sizes = {{"f", size}};
  native::append_perf_map(
      sizes, [&](const std::string&) { return reinterpret_cast<uint64_t>(base); },
      [&](const std::string&) {
        return "wasm[baseline] " + wasm.function_name(wasm.imported_functions + defined_index);
      });
}

// A bound on a function's frame (engine::CompiledFunction::frame_size) without lowering it:
// two slots (a v128) for each param and local; per instruction, two slots of constants (a
// constant and its negation) and the values it pushes, at most the widest arity of the
// module's types (a call's results, a block's at its end); the results and the small
// initialiser's four slots.
uint64_t frame_size_bound(const wasm::Module& wasm, const wasm::Function& fn,
                          uint64_t widest_arity) {
  const wasm::FuncType& type = wasm.types[fn.type_index];
  const uint64_t per_instruction = 2 + 2 * std::max<uint64_t>(widest_arity, 1);
  return 2 * (type.params.size() + uint64_t{fn.local_count}) +
         per_instruction * uint64_t{fn.body.size()} + 2 * type.results.size() +
         engine::CompiledFunction::kSmallInit;
}

// What the function compiler would refuse that a cheap look at the module finds: checked for
// every function before any runs, so such a module stays in the interpreter, as it did when
// every function was compiled up front. (A failure that only the compile finds, a bug or no
// executable memory left, traps the call that needed the function: lazy_code.cpp.) A frame is
// measured exactly (by lowering the function) only if its bound is too large.
Result<void> check_module(const engine::CompiledModule& module) {
  const wasm::Module& wasm = module.wasm;
  if (module.code.size() != wasm.functions.size()) return baseline_error("module is not compiled");
  uint64_t widest_arity = 0;
  for (const wasm::FuncType& t : wasm.types) {
    widest_arity = std::max<uint64_t>({widest_arity, t.params.size(), t.results.size()});
  }
  for (uint32_t i = 0; i < wasm.functions.size(); ++i) {
    const wasm::Function& fn = wasm.functions[i];
    constexpr uint64_t kMaxFrame = uint64_t{1} << 26;
    std::string why;
    if (fn.body.empty()) {
      why = "empty body";
    } else if (uint64_t{fn.local_count} + wasm.types[fn.type_index].params.size() > (1u << 20)) {
      why = "too many locals";
    } else if (frame_size_bound(wasm, fn, widest_arity) >= kMaxFrame &&
               TRY(module.lowered(i))->frame_size >= kMaxFrame) {
      why = "frame too large";
    }
    if (!why.empty()) {
      Error e = baseline_error(why);
      e.context = "baseline, function " + std::to_string(wasm.imported_functions + i);
      return e;
    }
  }
  return {};
}

}  // namespace

Result<PlacedFunction> compile_function(const engine::CompiledModule& module,
                                        uint32_t defined_index, const DirectCell* cells) {
  TRY(module.lowered(defined_index));  // FunctionCompiler reads the lowered code
  asmjit::CodeHolder code;
  code.init(code_runtime().environment());
  FirstError errors;
  code.setErrorHandler(&errors);
  asmjit::x86::Assembler assembler(&code);
  const asmjit::Label direct_label = assembler.newLabel();
  const asmjit::Label slot_label = assembler.newLabel();
  ModuleState state{module, module.wasm, assembler, cells, direct_label, slot_label};
  static const asmjit::CpuInfo& cpu = asmjit::CpuInfo::host();
  state.has_lzcnt = cpu.hasFeature(asmjit::CpuFeatures::X86::kLZCNT);
  state.has_bmi1 = cpu.hasFeature(asmjit::CpuFeatures::X86::kBMI);
  state.has_popcnt = cpu.hasFeature(asmjit::CpuFeatures::X86::kPOPCNT);
  state.has_ssse3 = cpu.hasFeature(asmjit::CpuFeatures::X86::kSSSE3);
  state.has_sse41 = cpu.hasFeature(asmjit::CpuFeatures::X86::kSSE4_1);
  TRY(FunctionCompiler(state, defined_index).run());
  if (!errors.error.empty()) return baseline_error("assembler: " + errors.error);
  void* base = nullptr;
  const asmjit::Error placed = code_runtime().add(&base, &code);
  if (placed != asmjit::kErrorOk || !errors.error.empty()) {
    return baseline_error(std::string("cannot place the code: ") +
                          asmjit::DebugUtils::errorAsString(placed) + " " + errors.error);
  }
  void* entry = static_cast<uint8_t*>(base) + code.labelOffsetFromBase(state.slot_entry);
  void* direct = static_cast<uint8_t*>(base) + code.labelOffsetFromBase(state.entry);
  if (native::perf_map_enabled()) write_perf_map(module.wasm, defined_index, base, code.codeSize());
  PlacedFunction placed_function{base, reinterpret_cast<native::SlotEntryFn>(entry), direct};
  if (state.osr_entry.isValid()) {
    placed_function.osr = reinterpret_cast<native::OsrEntryFn>(
        static_cast<uint8_t*>(base) + code.labelOffsetFromBase(state.osr_entry));
    placed_function.osr_points = std::move(state.osr_points);
  }
  return placed_function;
}

Result<std::unique_ptr<native::NativeCode>> compile_baseline(const engine::CompiledModule& module,
                                                             Compile when) {
  const auto start = std::chrono::steady_clock::now();
  TRY(check_module(module));
  auto owner = std::make_unique<LazyCode>(module);
  LazyCode& lazy = *owner;
  std::vector<native::SlotEntryFn> entries = TRY(lazy.make_stubs());
  // The typed entries are the slot entries too (the baseline has one convention); they stay
  // the stubs: only the slot table is published to, and only slot entries are called.
  std::vector<void*> typed;
  typed.reserve(entries.size());
  for (native::SlotEntryFn entry : entries) typed.push_back(reinterpret_cast<void*>(entry));
  // The stats time the checks and the stubs: the compiles come later (lazy_totals()).
  native::CompileStats stats;
  stats.functions = module.wasm.functions.size();
  stats.total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.codegen_seconds = stats.total_seconds;
  std::unique_ptr<native::NativeCode> code = native::NativeCode::adopt(
      std::move(owner), std::move(typed), std::move(entries), std::move(stats));
  lazy.set_code(code.get());
  if (when == Compile::Now) {
    for (uint32_t i = 0; i < module.wasm.functions.size(); ++i) TRY(lazy.resolve(i));
  }
  return code;
}

Result<void> attach_baseline(const engine::CompiledModule& module, Compile when) {
  std::unique_ptr<native::NativeCode> code = TRY(compile_baseline(module, when));
  module.set_native(std::make_shared<native::NativeTier>(std::move(code)));
  return {};
}

}  // namespace lunatic::baseline
