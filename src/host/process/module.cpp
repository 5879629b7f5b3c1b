// lunatic::process: modules loaded at run time (compile_module, drop_module). The decoding,
// validation and lowering of all but small modules run on the runtime's HostWork threads
// while the caller parks.
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/process/internal.hpp"
#include "host/shared/resources.hpp"
#include "runtime/host_work.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {

using runtime::Process;
using shared::ModuleResource;

namespace {

/// Fuel charged per byte of a module compiled at run time, before it is compiled, so a process
/// with a fuel budget cannot burn host CPU by compiling big modules in a loop: 64 for
/// decoding, validating and lowering (~30-60 ns a byte here, 30-60 interpreted instructions'
/// worth), and 192 for the baseline tier's compiles of its functions on their first calls
/// (~160-175 ns a byte of the binary, measured compiling all of Lua's and SQLite's functions;
/// docs/design.md "Each function compiled on its first call"). Those compiles run later on a
/// worker, in whichever process first calls each function, and charge no fuel there: fuel
/// must be the same in every tier and independent of other processes, so the whole module's
/// share is paid here, once, in every tier. (LLVM's code for such a module, with `--tier
/// compiled` or `auto`, comes from the code cache or from the compiler's own low-priority
/// thread, one job at a time, never from the worker that runs the process: the process does
/// not wait for LLVM and is not charged for it.)
constexpr uint64_t kCompileFuelPerByte = 64 + 192;

/// Host memory charged per byte of a module compiled at run time, while its handle lives: the
/// decoded module and its lowered code measure 4-8 times the binary's size here. While the
/// compile runs, the copy of the bytes it reads is charged too (one more byte a byte).
constexpr uint64_t kModuleBytesPerByte = 8;

/// Modules up to this size compile on the caller's worker, at once: ~0.1-0.25 ms, about one
/// time slice, less than the hand-off to HostWork and back would cost them in latency.
constexpr uint64_t kInlineBytes = 4096;

using Compiled = Result<std::shared_ptr<const engine::CompiledModule>>;

/// One compile, shared by the parked call and the HostWork thread that runs it. The call
/// owns `charge` (it moves to the module's handle); the thread fills `result` under `mutex`
/// and wakes the caller if it is still alive. A killed caller drops its reference: a job still
/// queued is cancelled, a running one ends and its module and charge go with its last
/// reference.
struct CompileJob final : runtime::HostJob {
  CompileJob(runtime::Runtime& rt, std::weak_ptr<Process> caller, std::vector<uint8_t> module,
             MemoryCharge held)
      : runtime(rt),
        requester(std::move(caller)),
        bytes(std::move(module)),
        charge(std::move(held)) {}

  void run() override {
    Compiled compiled = runtime.compile(bytes);
    {
      std::lock_guard lock(mutex);
      result.emplace(std::move(compiled));
      std::vector<uint8_t>().swap(bytes);
    }
    if (std::shared_ptr<Process> p = requester.lock()) p->wake();
  }

  runtime::Runtime& runtime;
  const std::weak_ptr<Process> requester;
  std::vector<uint8_t> bytes;  ///< a copy: the caller's memory goes if it is killed meanwhile
  MemoryCharge charge;
  std::mutex mutex;
  std::optional<Compiled> result;  ///< under mutex: set once the compile has run
};

/// What survives a Park of compile_module. Dropping it (the call completed, or the process was
/// killed) drops a job that has not started.
struct CompilePending {
  CompilePending() = default;
  CompilePending(const CompilePending&) = delete;
  CompilePending& operator=(const CompilePending&) = delete;
  ~CompilePending() {
    if (job) job->runtime.host_work().cancel(job.get());
  }
  std::shared_ptr<CompileJob> job;
};

/// The owner of a compile in HostWork's shares: the caller's environment if it is top-level or
/// a child of one, else its ancestor that is (so a sandbox that nests environments still has
/// one share). At most Environment::kMaxDepth steps.
uint64_t share_owner(const runtime::Environment& environment) {
  const runtime::Environment* e = &environment;
  while (e->depth() > 1) e = e->parent().get();
  return e->id();
}

}  // namespace

/// Arguments: the bytes of a Wasm module, an out-pointer for a u64. Decodes, validates and
/// lowers the module once (and compiles it with the runtime's tier): past kInlineBytes on the
/// runtime's HostWork threads while the caller parks, charging kModuleBytesPerByte per byte to the
/// caller's environment while the handle lives. Returns 0 with the module id written, or 1 with an
/// error id written (malformed or invalid bytes: the error says why; too many compiles waiting
/// already). Traps: a range outside memory; "out of fuel" when the process's fuel cannot pay
/// kCompileFuelPerByte per byte; killed past the environment's max_memory_total.
HostResult<int32_t> compile_module(CallContext& ctx, GuestSpan<uint8_t> bytes,
                                   GuestPtr<uint64_t> id_out) {
  Process& self = ctx.host<Process>();
  CompilePending& pending = ctx.pending<CompilePending>();
  const uint64_t size = bytes.bytes().size();
  std::optional<Compiled> compiled;
  MemoryCharge charge;
  if (!pending.job) {
    if (!ctx.host_call()->charge_fuel(size * kCompileFuelPerByte)) {
      return engine::Trap::of(engine::TrapKind::OutOfFuel);
    }
    const bool inline_compile = size <= kInlineBytes;
    // Charged before anything is copied or compiled, so that a module the budget cannot hold
    // costs no host work.
    charge = self.new_charge();
    if (!charge.resize(size * (kModuleBytesPerByte + (inline_compile ? 0 : 1)))) {
      return self.over_budget("a module of " + std::to_string(size) + " bytes");
    }
    if (inline_compile) {
      compiled.emplace(self.runtime().compile(bytes.bytes()));
    } else {
      auto job = std::make_shared<CompileJob>(
          self.runtime(), self.weak_from_this(),
          std::vector<uint8_t>(bytes.bytes().begin(), bytes.bytes().end()), std::move(charge));
      if (!self.runtime().host_work().submit(job, size, share_owner(*self.environment()))) {
        id_out.write(shared::new_error(
            self, "compile_module: too many module compiles in progress, try again later"));
        return 1;
      }
      pending.job = std::move(job);
    }
  }
  if (pending.job) {
    std::shared_ptr<CompileJob> job = pending.job;
    {
      std::lock_guard lock(job->mutex);
      // Not done: a spurious wake-up; the job's own wake-up comes once it is.
      if (!job->result) return HostResult<int32_t>::park();
      compiled = std::move(job->result);
    }
    pending.job.reset();  // done: nothing to cancel
    charge = std::move(job->charge);
  }
  if (!compiled->ok()) {
    id_out.write(shared::new_error(self, "compile_module: " + compiled->error().to_string()));
    return 1;
  }
  (void)charge.resize(size * kModuleBytesPerByte);  // the copy, if any, is gone
  id_out.write(self.resources().insert(
      std::make_unique<ModuleResource>(std::move(**compiled), std::move(charge))));
  return 0;
}

/// Arguments: a module id. Drops the handle (processes spawned from it keep running).
/// Traps: unknown module id.
HostResult<void> drop_module(CallContext& ctx, uint64_t module_id) {
  return shared::drop<ModuleResource>(ctx, "module", module_id);
}

}  // namespace lunatic::host::process
