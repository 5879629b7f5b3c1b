// compile_baseline: all functions of a module into one asmjit code buffer (direct calls are
// label-relative), copied into executable memory of a process-wide JitRuntime, whose block a
// CodeOwner frees with the NativeCode.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "baseline/baseline.hpp"
#include "baseline/function_compiler.hpp"
#include "jit/native_tier.hpp"
#include "jit/perf_map.hpp"
#include "jit/simd_check.hpp"

namespace lunatic::baseline {

namespace {

// One runtime for the process: its allocator is thread-safe and hands out blocks of
// executable memory; never destroyed (code may live until exit).
asmjit::JitRuntime& runtime() {
  static auto* rt = new asmjit::JitRuntime();
  return *rt;
}

class BaselineCode final : public jit::CodeOwner {
 public:
  explicit BaselineCode(void* code) : code_(code) {}
  ~BaselineCode() override { runtime().release(code_); }
  BaselineCode(const BaselineCode&) = delete;
  BaselineCode& operator=(const BaselineCode&) = delete;

 private:
  void* code_;
};

// Keeps the first error asmjit reports (an encoding it refuses): the compile then fails.
class FirstError final : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error, const char* message, asmjit::BaseEmitter*) override {
    if (error.empty()) error = message;
  }
  std::string error;
};

// perf's map of the module's functions (each runs to the next one's label: its out-of-line
// parts follow its body), under their names from the name section.
void write_perf_map(const wasm::Module& wasm, const asmjit::CodeHolder& code,
                    const ModuleState& state, void* base) {
  std::map<std::string, uint64_t> sizes;
  std::vector<uint64_t> starts;
  for (const asmjit::Label& label : state.functions)
    starts.push_back(code.labelOffsetFromBase(label));
  const uint64_t end = code.codeSize();
  for (size_t i = 0; i < starts.size(); ++i) {
    const uint64_t next = i + 1 < starts.size() ? starts[i + 1] : end;
    sizes[std::to_string(i)] = next > starts[i] ? next - starts[i] : 0;
  }
  auto address_of = [&](const std::string& key) {
    return reinterpret_cast<uint64_t>(base) + starts[std::stoul(key)];
  };
  auto label_of = [&](const std::string& key) {
    return "wasm[baseline] " +
           wasm.function_name(wasm.imported_functions + static_cast<uint32_t>(std::stoul(key)));
  };
  jit::append_perf_map(sizes, address_of, label_of);
}

}  // namespace

Result<std::unique_ptr<jit::NativeCode>> compile_baseline(const engine::CompiledModule& module) {
  const auto start = std::chrono::steady_clock::now();
  const wasm::Module& wasm = module.wasm;
  if (module.code.size() != wasm.functions.size()) return baseline_error("module is not lowered");
  TRY(jit::refuse_simd(wasm));  // SIMD is the LLVM tier's only
  asmjit::CodeHolder code;
  code.init(runtime().environment());
  FirstError errors;
  code.setErrorHandler(&errors);
  asmjit::x86::Assembler assembler(&code);
  ModuleState state{module, wasm, assembler, {}};
  const asmjit::CpuInfo& cpu = asmjit::CpuInfo::host();
  state.has_lzcnt = cpu.hasFeature(asmjit::CpuFeatures::X86::kLZCNT);
  state.has_bmi1 = cpu.hasFeature(asmjit::CpuFeatures::X86::kBMI);
  state.has_popcnt = cpu.hasFeature(asmjit::CpuFeatures::X86::kPOPCNT);
  for (size_t i = 0; i < wasm.functions.size(); ++i)
    state.functions.push_back(assembler.newLabel());
  for (uint32_t i = 0; i < wasm.functions.size(); ++i) {
    Result<void> done = FunctionCompiler(state, i).run();
    if (!done.ok()) {
      Error e = std::move(done).error();
      e.context = "baseline, function " + std::to_string(wasm.imported_functions + i);
      return e;
    }
    if (!errors.error.empty()) return baseline_error("assembler: " + errors.error);
  }
  void* base = nullptr;
  std::unique_ptr<BaselineCode> owner;
  if (!wasm.functions.empty()) {  // asmjit refuses to place empty code
    const asmjit::Error placed = runtime().add(&base, &code);
    if (placed != asmjit::kErrorOk || !errors.error.empty()) {
      return baseline_error(std::string("cannot place the code: ") +
                            asmjit::DebugUtils::errorAsString(placed) + " " + errors.error);
    }
    owner = std::make_unique<BaselineCode>(base);
  }
  std::vector<void*> typed;
  std::vector<jit::NativeCode::SlotEntry> entries;
  for (const asmjit::Label& label : state.functions) {
    void* entry = static_cast<uint8_t*>(base) + code.labelOffsetFromBase(label);
    typed.push_back(entry);
    entries.push_back(reinterpret_cast<jit::NativeCode::SlotEntry>(entry));
  }
  if (jit::perf_map_enabled() && base != nullptr) write_perf_map(wasm, code, state, base);
  jit::CompileStats stats;
  stats.functions = wasm.functions.size();
  stats.total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.codegen_seconds = stats.total_seconds;
  return jit::NativeCode::adopt(std::move(owner), std::move(typed), std::move(entries),
                                std::move(stats));
}

Result<void> attach_baseline(const engine::CompiledModule& module) {
  std::unique_ptr<jit::NativeCode> code = TRY(compile_baseline(module));
  module.set_native(std::make_shared<jit::NativeTier>(std::move(code)));
  return {};
}

}  // namespace lunatic::baseline
