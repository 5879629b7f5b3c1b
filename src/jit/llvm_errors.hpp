// LLVM's own failures, caught: what LLVM treats as the end of the process (report_fatal_error,
// an out-of-memory report, an error diagnostic with no handler) becomes an Error of the request
// that hit it, so that the module falls back to the code it has (docs/design.md, "Compiled
// tier", "When LLVM fails").
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "common/result.hpp"

namespace llvm {
class MemoryBuffer;
class Module;
class TargetMachine;
}  // namespace llvm

namespace lunatic::jit {

namespace detail {
/// Calls `call(work)` on this thread; nullopt when it returned. When LLVM reported a fatal
/// error (or an allocation failed) inside, the call is left where it was (the LLVM objects of
/// that request are abandoned, not destroyed: their memory is lost) and the Error says what
/// LLVM said.
std::optional<Error> run_guarded(void (*call)(void*), void* work);
}  // namespace detail

/// Runs `work` (one request of the tier: a compile, a load, a link) so that an LLVM failure
/// that would end the process comes back as an Error for which llvm_failed() holds: an
/// internal error, to be reported as a bug. Nests; thread-safe (each thread's requests are its
/// own).
template <class Work> auto guard_llvm(Work&& work) -> decltype(work()) {
  using R = decltype(work());
  using State = std::pair<std::remove_reference_t<Work>*, std::optional<R>*>;
  std::optional<R> result;
  State state(&work, &result);
  auto call = [](void* p) {
    auto& [w, r] = *static_cast<State*>(p);
    r->emplace((*w)());
  };
  if (std::optional<Error> failed = detail::run_guarded(call, &state)) return std::move(*failed);
  return std::move(*result);
}

/// Whether `error` is a failure guard_llvm caught (Phase::Host, context "jit"; the tier's other
/// errors are Validate or Unsupported).
bool llvm_failed(const Error& error);

/// The tier's requests, each run through guard_llvm; after one failed inside LLVM, every later
/// request is refused (Phase::Unsupported, so its module keeps the code it has): what LLVM
/// left behind (its global state, a lock the abandoned request held) is not trusted again.
/// Thread-safe.
class GuardedRequests {
 public:
  template <class Work> auto run(Work&& work) -> decltype(work()) {
    if (broken_.load(std::memory_order_acquire)) return refused();
    auto result = guard_llvm(work);
    if (!result.ok() && llvm_failed(result.error())) broken_.store(true, std::memory_order_release);
    return result;
  }

 private:
  static Error refused();
  std::atomic<bool> broken_{false};
};

/// Machine code for `ir` as a relocatable object (LLVM's code generator, as LLJIT would run
/// it). Errors LLVM diagnoses on the way (an error diagnostic of ir's context, which without a
/// handler ends the process) make it an Error (Phase::Validate, context "jit", as the tier's
/// other compile errors: LLVM's state is sound after a diagnostic).
Result<std::unique_ptr<llvm::MemoryBuffer>> emit_machine_code(llvm::Module& ir,
                                                              llvm::TargetMachine& target);

}  // namespace lunatic::jit
