// Lazy compile: the stub block and the first call of each function. A stub is
//   mov eax, defined_index; jmp common
// and `common` keeps the slot entry's arguments (rdi = Context*, rsi = args/results), asks
// lunatic_baseline_resolve for the function's code and jumps to it: the call then runs as if
// the caller had called the code itself (the stub leaves no frame behind, so the callee's
// prologue checks depth, slots and native stack, and a trap's backtrace, exactly as before).
#include "baseline/lazy_code.hpp"

#include <time.h>

#include <string>

#include "baseline/function_compiler.hpp"
#include "common/cpu_clock.hpp"
#include "native/execution.hpp"

namespace lunatic::baseline {

namespace {

namespace x86 = asmjit::x86;

std::atomic<uint64_t> g_lazy_functions{0};
std::atomic<uint64_t> g_lazy_nanoseconds{0};
std::atomic<uint64_t> g_lazy_cpu_nanoseconds{0};

}  // namespace

LazyTotals lazy_totals() {
  return {g_lazy_functions.load(std::memory_order_relaxed),
          static_cast<double>(g_lazy_nanoseconds.load(std::memory_order_relaxed)) * 1e-9,
          static_cast<double>(g_lazy_cpu_nanoseconds.load(std::memory_order_relaxed)) * 1e-9};
}

}  // namespace lunatic::baseline

/// Called by the stubs on the fiber's stack; the compile runs on the worker's
/// (Execution::run_outside_unsampled: a small stack segment has no room for it, and the
/// compile's time is not the guest's). Returns the code of
/// `defined_index`, or traps ("baseline tier: cannot compile ...") when the compile fails, with
/// the caller's backtrace (the caller stored its site and depth, as before any call). No object
/// with a destructor is alive when it traps.
extern "C" void* lunatic_baseline_resolve(lunatic::native::Context* ctx, uint32_t defined_index,
                                          lunatic::baseline::LazyCode* self) {
  struct Request {
    lunatic::baseline::LazyCode* self;
    uint32_t defined_index;
    lunatic::native::SlotEntryFn entry;
    std::string failure;
  } request{self, defined_index, nullptr, {}};
  lunatic::native::Execution::of(ctx).run_outside_unsampled(
      [](void* arg) {
        auto& r = *static_cast<Request*>(arg);
        lunatic::Result<lunatic::native::SlotEntryFn> entry = r.self->resolve(r.defined_index);
        if (entry.ok()) {
          r.entry = *entry;
        } else {
          r.failure = "baseline tier: cannot compile a function: " + entry.error().to_string();
        }
      },
      &request);
  if (request.entry != nullptr) return reinterpret_cast<void*>(request.entry);
  lunatic::native::Execution::of(ctx).trap(lunatic::engine::Trap::host(std::move(request.failure)));
}

namespace lunatic::baseline {

LazyCode::LazyCode(const engine::CompiledModule& module)
    : module_(module),
      compiled_(new std::atomic<native::SlotEntryFn>[module.wasm.functions.size()]),
      cells_(new DirectCell[module.wasm.functions.size()]),
      osr_(new OsrCode[module.wasm.functions.size()]),
      osr_refused_(new std::atomic<bool>[module.wasm.functions.size()]) {
  for (size_t i = 0; i < module.wasm.functions.size(); ++i) {
    compiled_[i].store(nullptr);
    osr_refused_[i].store(false);
  }
}

LazyCode::~LazyCode() {
  if (stubs_ != nullptr) code_runtime().release(stubs_);
  for (void* block : blocks_) code_runtime().release(block);
}

Result<std::vector<native::SlotEntryFn>> LazyCode::make_stubs() {
  const size_t count = module_.wasm.functions.size();
  std::vector<native::SlotEntryFn> entries;
  if (count == 0) return entries;  // asmjit refuses to place empty code
  asmjit::CodeHolder code;
  code.init(code_runtime().environment());
  x86::Assembler a(&code);
  // Entered with rsp = 8 mod 16 (just called); two pushes and 8 bytes align the call.
  asmjit::Label common = a.newLabel();
  a.bind(common);
  a.push(x86::rdi);
  a.push(x86::rsi);
  a.sub(x86::rsp, 8);
  a.mov(x86::esi, x86::eax);
  a.mov(x86::rdx, reinterpret_cast<uint64_t>(this));
  a.mov(x86::rax, reinterpret_cast<uint64_t>(&lunatic_baseline_resolve));
  a.call(x86::rax);
  a.add(x86::rsp, 8);
  a.pop(x86::rsi);
  a.pop(x86::rdi);
  a.jmp(x86::rax);
  std::vector<size_t> offsets;
  offsets.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    offsets.push_back(a.offset());
    a.mov(x86::eax, i);
    a.jmp(common);
  }
  void* base = nullptr;
  if (const asmjit::Error placed = code_runtime().add(&base, &code); placed != asmjit::kErrorOk) {
    return baseline_error(std::string("cannot place the entry stubs: ") +
                          asmjit::DebugUtils::errorAsString(placed));
  }
  stubs_ = base;
  entries.reserve(count);
  for (size_t offset : offsets) {
    entries.push_back(reinterpret_cast<native::SlotEntryFn>(static_cast<uint8_t*>(base) + offset));
  }
  stub_entries_ = entries;
  return entries;
}

Result<native::SlotEntryFn> LazyCode::resolve(uint32_t defined_index) {
  if (native::SlotEntryFn done = compiled_[defined_index].load(std::memory_order_acquire)) {
    return done;  // a caller that read the stub before the code was published
  }
  std::lock_guard lock(mutex_);
  if (native::SlotEntryFn done = compiled_[defined_index].load(std::memory_order_relaxed)) {
    return done;  // compiled by the caller this one waited for
  }
  const std::chrono::nanoseconds start = clock_time(CLOCK_MONOTONIC);
  const std::chrono::nanoseconds start_cpu = clock_time(CLOCK_THREAD_CPUTIME_ID);
  Result<PlacedFunction> placed = compile_function(module_, defined_index, cells_.get());
  if (!placed.ok()) {
    Error e = std::move(placed).error();
    e.context =
        "baseline, function " + std::to_string(module_.wasm.imported_functions + defined_index);
    return e;
  }
  blocks_.push_back(placed->block);
  osr_[defined_index] = OsrCode{placed->osr, std::move(placed->osr_points)};
  cells_[defined_index].direct.store(placed->direct, std::memory_order_release);
  cells_[defined_index].slot.store(placed->entry, std::memory_order_release);
  compiled_[defined_index].store(placed->entry, std::memory_order_release);
  // Only over the stub: LLVM's code for a hot function may be there already, and stays.
  code_->replace_entry(defined_index, stub_entries_[defined_index], placed->entry);
  g_lazy_functions.fetch_add(1, std::memory_order_relaxed);
  g_lazy_nanoseconds.fetch_add((clock_time(CLOCK_MONOTONIC) - start).count(),
                               std::memory_order_relaxed);
  g_lazy_cpu_nanoseconds.fetch_add((clock_time(CLOCK_THREAD_CPUTIME_ID) - start_cpu).count(),
                                   std::memory_order_relaxed);
  return placed->entry;
}

// Asked between two runs of the thread whose interpreted call moves (Thread::transfer_top_frame),
// on its worker's stack: the compile runs there as a first call's does (off the fiber).
native::CodeOwner::Osr LazyCode::osr(uint32_t defined_index, bool compile) {
  if (defined_index >= module_.wasm.functions.size()) return {};
  if (compiled_[defined_index].load(std::memory_order_acquire) == nullptr) {
    if (!compile || osr_refused_[defined_index].load(std::memory_order_relaxed)) return {};
    if (!resolve(defined_index).ok()) {
      osr_refused_[defined_index].store(true, std::memory_order_relaxed);
      return {};
    }
  }
  const OsrCode& entry = osr_[defined_index];
  return {entry.entry, entry.entry != nullptr ? &entry.points : nullptr};
}

}  // namespace lunatic::baseline
