// compile_native: LLVM setup for the host, the IR verifier and optimisation pipeline, machine
// code as an object file (cached, see object_cache.hpp), and the ORC LLJIT that links it,
// resolving the runtime helpers (and libm/libc symbols of the process) by name.
#include "jit/native_code.hpp"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Scalar/ConstraintElimination.h>
#include <llvm/Transforms/Scalar/SimpleLoopUnswitch.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "jit/frame_headroom.hpp"
#include "jit/llvm_errors.hpp"
#include "jit/merge_safepoints.hpp"
#include "jit/partial_inline.hpp"
#include "jit/perf_map.hpp"
#include "jit/self_inline.hpp"
#include "jit/translate.hpp"
#include "native/perf_map.hpp"

namespace lunatic::jit {

namespace {

// The LLJIT that holds a module's linked code: its NativeCode's owner.
struct LlvmCode : native::CodeOwner {
  std::unique_ptr<llvm::orc::LLJIT> lljit;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Error jit_failure(std::string what, llvm::Error e) {
  return Error(Phase::Validate, what + ": " + llvm::toString(std::move(e)), Error::kNoOffset,
               "jit");
}

llvm::OptimizationLevel optimization_level(unsigned level) {
  switch (level) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
  }
}

llvm::CodeGenOpt::Level codegen_level(unsigned level) {
  switch (level) {
    case 0: return llvm::CodeGenOpt::None;
    case 1: return llvm::CodeGenOpt::Less;
    case 2: return llvm::CodeGenOpt::Default;
    default: return llvm::CodeGenOpt::Aggressive;
  }
}

// Bounds checks: a check of [ea, ea + 9) dominates the one of [ea, ea + 8) and more of its kind
// (neighbouring fields of one struct); LLVM's constraint elimination (off by default in LLVM
// 14's pipeline) removes those, since the translator marks the address sums nuw. Its cost grows
// faster than a function's size: on all of SQLite it doubled the compile (78 -> 165 s; with a
// bound of 20,000 instructions 127 s, of 4,000 77 s), so bigger functions keep their checks.
// Lua runs as fast with the bound as without it.
struct BoundedConstraintElimination : llvm::PassInfoMixin<BoundedConstraintElimination> {
  static constexpr unsigned kMaxInstructions = 4000;
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& analyses) {
    if (f.getInstructionCount() > kMaxInstructions) return llvm::PreservedAnalyses::all();
    return llvm::ConstraintEliminationPass().run(f, analyses);
  }
};

// Non-trivial loop unswitching, which LLVM's pipeline runs at -O3 only, for the functions our
// inlining made (self_inline.hpp kInlinedFrames): in their loops, the limit checks of the
// inlined frames are one loop-invariant condition (the limits are fixed fields, the stack
// pointer is read before the loop), and the loop is copied without them for when it is false
// (fib: 8% less CPU). Bounded as those functions are (kMaxInlinedInstructions), so the copy
// does not cost what it would on all of SQLite.
struct UnswitchInlinedChecks : llvm::PassInfoMixin<UnswitchInlinedChecks> {
  llvm::PreservedAnalyses run(llvm::Loop& loop, llvm::LoopAnalysisManager& analyses,
                              llvm::LoopStandardAnalysisResults& results,
                              llvm::LPMUpdater& updater) {
    if (!loop.getHeader()->getParent()->hasFnAttribute(kInlinedFrames))
      return llvm::PreservedAnalyses::all();
    return llvm::SimpleLoopUnswitchPass(/*NonTrivial=*/true).run(loop, analyses, results, updater);
  }
};

void optimize(llvm::Module& module, llvm::TargetMachine& target, unsigned level) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&target);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  builder.registerScalarOptimizerLateEPCallback(
      [](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) {
        passes.addPass(BoundedConstraintElimination());
      });
  builder.registerLateLoopOptimizationsEPCallback(
      [](llvm::LoopPassManager& loops, llvm::OptimizationLevel) {
        loops.addPass(UnswitchInlinedChecks());
      });
  if (level > 0) {
    partially_inline_self_calls(module);
    inline_self_calls(module);
    // Collected first: versioning adds a function (the copy) to the module.
    std::vector<llvm::Function*> inlined;
    for (llvm::Function& f : module) {
      if (f.hasFnAttribute(kInlinedFrames)) inlined.push_back(&f);
    }
    for (llvm::Function* f : inlined) version_on_headroom(*f);
  }
  const llvm::OptimizationLevel ol = optimization_level(level);
  llvm::ModulePassManager pipeline =
      level == 0 ? builder.buildO0DefaultPipeline(ol) : builder.buildPerModuleDefaultPipeline(ol);
  pipeline.run(module, modules);
  if (level == 0) return;
  for (llvm::Function& f : module) {
    if (f.hasFnAttribute(kInlinedFrames)) merge_adjacent_safepoints(f);
  }
}

// The helpers by their address in this process (the table the code cache's loader resolves
// with); everything else (libm, libc) through the process's dynamic symbol table.
Result<void> define_symbols(llvm::orc::LLJIT& jit) {
  llvm::orc::JITDylib& dylib = jit.getMainJITDylib();
  llvm::orc::SymbolMap helpers;
  for (size_t i = 0; i < static_cast<size_t>(Helper::Count); ++i) {
    const auto h = static_cast<Helper>(i);
    helpers[jit.mangleAndIntern(helper_name(h))] =
        llvm::JITEvaluatedSymbol(codecache::runtime_symbol(helper_name(h)),
                                 llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  }
  if (llvm::Error e = dylib.define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
    return jit_failure("defining the runtime helpers", std::move(e));
  }
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit.getDataLayout().getGlobalPrefix());
  if (!process) return jit_failure("process symbols", process.takeError());
  dylib.addGenerator(std::move(*process));
  return {};
}

// Wasm -> IR -> optimised IR -> a relocatable object for the host (what LLJIT would compile,
// but kept, so that it can be cached).
Result<std::unique_ptr<llvm::MemoryBuffer>> emit_object(const engine::CompiledModule& module,
                                                        const CompileOptions& options,
                                                        OsrPoints& osr_points, CompileStats& stats,
                                                        const TranslationScope& scope = {}) {
  auto machine_builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine_builder) return jit_failure("host target", machine_builder.takeError());
  machine_builder->setCodeGenOptLevel(codegen_level(options.opt_level));
  auto target = machine_builder->createTargetMachine();
  if (!target) return jit_failure("target machine", target.takeError());

  auto context = std::make_unique<llvm::LLVMContext>();
  auto ir = std::make_unique<llvm::Module>("wasm", *context);
  ir->setDataLayout((*target)->createDataLayout());
  ir->setTargetTriple((*target)->getTargetTriple().str());
  Clock::time_point phase = Clock::now();
  TRY(translate_module(module, *ir, options.osr_entries, &osr_points, scope));
  std::string problems;
  llvm::raw_string_ostream problems_out(problems);
  if (llvm::verifyModule(*ir, &problems_out)) {
    problems_out.flush();
    return Error(Phase::Validate, "IR verifier: " + problems, Error::kNoOffset, "jit");
  }
  stats.translate_seconds = seconds_since(phase);

  phase = Clock::now();
  optimize(*ir, **target, options.opt_level);
  expose_rest_functions(*ir);
  stats.optimize_seconds = seconds_since(phase);
  if (options.optimized_ir != nullptr) {
    llvm::raw_string_ostream text(*options.optimized_ir);
    ir->print(text, nullptr);
  }
  for (const llvm::Function& f : *ir) {
    for (const llvm::BasicBlock& bb : f) stats.ir_instructions += bb.size();
  }

  phase = Clock::now();
  std::unique_ptr<llvm::MemoryBuffer> object = TRY(emit_machine_code(*ir, **target));
  stats.codegen_seconds = seconds_since(phase);
  return object;
}

// perf's map of the module's functions, under their names from the name section.
void write_perf_map(llvm::orc::LLJIT& jit, const wasm::Module& wasm,
                    const std::map<std::string, uint64_t>& sizes) {
  auto address_of = [&](const std::string& symbol) -> uint64_t {
    auto found = jit.lookup(symbol);
    if (!found) {
      llvm::consumeError(found.takeError());
      return 0;
    }
    return found->getAddress();
  };
  auto label_of = [&](const std::string& symbol) { return codecache::perf_label(symbol, wasm); };
  native::append_perf_map(sizes, address_of, label_of);
}

// A JIT holding `objects`, and every entry point of the module (in `scope`) looked up in them.
Result<void> link(NativeCode::Parts& code, const wasm::Module& wasm, unsigned opt_level,
                  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects,
                  const TranslationScope& scope = {}) {
  auto machine_builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine_builder) return jit_failure("host target", machine_builder.takeError());
  machine_builder->setCodeGenOptLevel(codegen_level(opt_level));
  auto jit =
      llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*machine_builder)).create();
  if (!jit) return jit_failure("creating the JIT", jit.takeError());
  TRY(define_symbols(**jit));
  std::map<std::string, uint64_t> sizes;
  for (std::unique_ptr<llvm::MemoryBuffer>& object : objects) {
    if (native::perf_map_enabled()) sizes.merge(symbol_sizes(object->getMemBufferRef()));
    if (llvm::Error e = (*jit)->addObjectFile(std::move(object))) {
      return jit_failure("adding the object", std::move(e));
    }
  }
  std::vector<void*>& typed = code.typed;
  std::vector<NativeCode::SlotEntry>& entries = code.entries;
  std::vector<NativeCode::OsrEntry>& osr = code.osr;
  typed.clear();
  entries.clear();
  osr.clear();
  for (uint32_t i = 0; i < wasm.functions.size(); ++i) {
    const uint32_t func_index = wasm.imported_functions + i;
    if (!scope.contains(i)) {
      typed.push_back(nullptr);
      entries.push_back(nullptr);
      osr.push_back(nullptr);
      continue;
    }
    auto typed_symbol = (*jit)->lookup(typed_name(func_index));
    if (!typed_symbol)
      return jit_failure("looking up " + typed_name(func_index), typed_symbol.takeError());
    auto entry_symbol = (*jit)->lookup(entry_name(func_index));
    if (!entry_symbol)
      return jit_failure("looking up " + entry_name(func_index), entry_symbol.takeError());
    typed.push_back(llvm::jitTargetAddressToPointer<void*>(typed_symbol->getAddress()));
    entries.push_back(
        llvm::jitTargetAddressToFunction<NativeCode::SlotEntry>(entry_symbol->getAddress()));
    NativeCode::OsrEntry entry = nullptr;
    if (!code.osr_points[i].empty()) {
      auto osr_symbol = (*jit)->lookup(osr_name(func_index));
      if (!osr_symbol)
        return jit_failure("looking up " + osr_name(func_index), osr_symbol.takeError());
      entry = llvm::jitTargetAddressToFunction<NativeCode::OsrEntry>(osr_symbol->getAddress());
    }
    osr.push_back(entry);
  }
  if (!sizes.empty()) write_perf_map(**jit, wasm, sizes);
  auto owner = std::make_unique<LlvmCode>();
  owner->lljit = std::move(*jit);
  code.owner = std::move(owner);
  return {};
}

Result<void> link(NativeCode::Parts& code, const wasm::Module& wasm, unsigned opt_level,
                  std::unique_ptr<llvm::MemoryBuffer> object, const TranslationScope& scope = {}) {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects;
  objects.push_back(std::move(object));
  return link(code, wasm, opt_level, std::move(objects), scope);
}

void initialize_llvm() {
  static std::once_flag llvm_ready;
  std::call_once(llvm_ready, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

}  // namespace

Result<std::unique_ptr<NativeCode>> compile_functions(const engine::CompiledModule& module,
                                                      std::span<const uint32_t> defined,
                                                      const CompileOptions& options) {
  initialize_llvm();
  const Clock::time_point start = Clock::now();
  const TranslationScope scope(static_cast<uint32_t>(module.wasm.functions.size()), defined);
  NativeCode::Parts code;
  CompileStats& stats = code.stats;
  std::unique_ptr<llvm::MemoryBuffer> object =
      TRY(emit_object(module, options, code.osr_points, stats, scope));
  std::optional<HotPart> part;
  if (options.cache != nullptr && options.module_digest) {
    part = HotPart{{defined.begin(), defined.end()}, object->getBuffer().str()};
  }
  const Clock::time_point phase = Clock::now();
  TRY(link(code, module.wasm, options.opt_level, std::move(object), scope));
  stats.codegen_seconds += seconds_since(phase);
  stats.functions = defined.size();
  stats.total_seconds = seconds_since(start);
  if (part) {
    const Digest key = ObjectCache::key(*options.module_digest, options.opt_level,
                                        options.osr_entries, ObjectCache::Kind::Hot);
    Result<uint64_t> stored = add_hot_part(*options.cache, key, std::move(*part), code.osr_points);
    if (stored.ok()) {
      stats.cache_entry = options.cache->path_of(key).string();
      stats.cache_entry_bytes = *stored;
    } else {
      stats.cache_error = stored.error().message;
    }
  }
  return NativeCode::assemble(std::move(code));
}

Result<std::unique_ptr<NativeCode>> load_functions(const engine::CompiledModule& module,
                                                   const CompileOptions& options) {
  auto miss = [](const char* why) {
    return Error(Phase::Unsupported, std::string("no hot functions in the code cache: ") + why,
                 Error::kNoOffset, "jit");
  };
  if (options.cache == nullptr || !options.module_digest) return miss("no cache");
  initialize_llvm();
  const Clock::time_point start = Clock::now();
  const auto count = static_cast<uint32_t>(module.wasm.functions.size());
  const Digest key = ObjectCache::key(*options.module_digest, options.opt_level,
                                      options.osr_entries, ObjectCache::Kind::Hot);
  std::optional<HotCode> hot = load_hot(*options.cache, key, count);
  if (!hot) return miss("no usable entry");
  std::vector<uint32_t> functions;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects;
  for (HotPart& part : hot->parts) {
    functions.insert(functions.end(), part.functions.begin(), part.functions.end());
    objects.push_back(llvm::MemoryBuffer::getMemBufferCopy(part.object, "cached"));
  }
  NativeCode::Parts code;
  code.osr_points = std::move(hot->osr_points);
  code.stats.cache_entry = options.cache->path_of(key).string();
  code.stats.cache_entry_bytes = hot->entry_bytes;
  hot.reset();
  if (!link(code, module.wasm, options.opt_level, std::move(objects),
            TranslationScope(count, functions))
           .ok()) {
    return miss("its objects do not link");
  }
  code.stats.from_cache = true;
  code.stats.functions = functions.size();
  code.stats.codegen_seconds = code.stats.total_seconds = seconds_since(start);
  return NativeCode::assemble(std::move(code));
}

Result<std::unique_ptr<NativeCode>> compile_native(const engine::CompiledModule& module,
                                                   const CompileOptions& options) {
  initialize_llvm();
  const Clock::time_point start = Clock::now();
  const wasm::Module& wasm = module.wasm;
  std::optional<Digest> key;
  if (options.cache != nullptr && options.module_digest) {
    key = ObjectCache::key(*options.module_digest, options.opt_level, options.osr_entries);
  }

  if (key) {
    // A hit whose object cannot be linked (it passed every check, so this is unexpected) is
    // compiled afresh, and the new entry replaces it.
    std::optional<CachedCode> cached = options.cache->load(*key);
    if (cached && cached->osr_points.size() == wasm.functions.size()) {
      NativeCode::Parts code;
      CompileStats& stats = code.stats;
      code.osr_points = std::move(cached->osr_points);
      stats.cache_entry = options.cache->path_of(*key).string();
      stats.cache_entry_bytes = cached->entry_bytes;
      auto object = llvm::MemoryBuffer::getMemBufferCopy(cached->object, "cached");
      cached.reset();
      if (link(code, wasm, options.opt_level, std::move(object)).ok()) {
        stats.from_cache = true;
        stats.codegen_seconds = seconds_since(start);
        stats.functions = wasm.functions.size();
        stats.total_seconds = seconds_since(start);
        return NativeCode::assemble(std::move(code));
      }
    }
  }
  if (options.cache_only)
    return Error(Phase::Unsupported, "no usable code cache entry", Error::kNoOffset, "jit");

  NativeCode::Parts code;
  CompileStats& stats = code.stats;
  OsrPoints& osr_points = code.osr_points;
  std::unique_ptr<llvm::MemoryBuffer> object = TRY(emit_object(module, options, osr_points, stats));
  if (key) {
    Result<uint64_t> stored = options.cache->store(*key, object->getBuffer(), osr_points);
    if (stored.ok()) {
      stats.cache_entry = options.cache->path_of(*key).string();
      stats.cache_entry_bytes = *stored;
    } else {
      stats.cache_error = stored.error().message;
    }
  }
  const Clock::time_point phase = Clock::now();
  TRY(link(code, wasm, options.opt_level, std::move(object)));
  stats.codegen_seconds += seconds_since(phase);
  stats.functions = wasm.functions.size();
  stats.total_seconds = seconds_since(start);
  return NativeCode::assemble(std::move(code));
}

}  // namespace lunatic::jit
