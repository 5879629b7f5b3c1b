// LLVM's failures caught (llvm_errors.hpp). LLVM ends the process on a fatal error unless the
// installed handler never returns: the handler installed here jumps back to the guarded call
// of its thread (as LLVM's own CrashRecoveryContext does for clang's in-process compiles), and
// outside a guarded call prints what LLVM would have printed and lets LLVM end the process.
#include "jit/llvm_errors.hpp"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/raw_ostream.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace lunatic::jit {
namespace {

// One guarded call in progress on a thread: where the handler jumps, and what it was told.
// The reason is copied into a fixed buffer: the handler must not allocate (it may be reporting
// that allocation failed).
struct Guard {
  std::jmp_buf resume;
  char reason[512];
};

thread_local Guard* active_guard = nullptr;

[[noreturn]] void jump_back(Guard& guard, const char* reason) {
  std::snprintf(guard.reason, sizeof guard.reason, "%s", reason != nullptr ? reason : "?");
  std::longjmp(guard.resume, 1);
}

void on_fatal_error(void* /*user_data*/, const char* reason, bool /*gen_crash_diag*/) {
  if (Guard* guard = active_guard) jump_back(*guard, reason);
  std::fprintf(stderr, "LLVM ERROR: %s\n", reason);  // LLVM then ends the process
}

void on_bad_alloc(void* /*user_data*/, const char* reason, bool /*gen_crash_diag*/) {
  if (Guard* guard = active_guard) jump_back(*guard, reason);
  std::fprintf(stderr, "LLVM ERROR: out of memory: %s\n", reason);
}

void install_handlers() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    llvm::install_fatal_error_handler(on_fatal_error);
    llvm::install_bad_alloc_error_handler(on_bad_alloc);
  });
}

Error failure(const char* what) {
  return Error(Phase::Host,
               std::string("LLVM failed (an internal error; please report it as a bug): ") + what,
               Error::kNoOffset, "jit");
}

// The error diagnostics of one code generation, gathered instead of ending the process (which
// LLVMContext::diagnose does for an error when no handler is set).
struct DiagnosticCollector final : llvm::DiagnosticHandler {
  std::string errors;
  bool handleDiagnostics(const llvm::DiagnosticInfo& info) override {
    if (info.getSeverity() != llvm::DS_Error) return true;  // warnings, remarks: ignored
    llvm::raw_string_ostream out(errors);
    if (!errors.empty()) out << "; ";
    llvm::DiagnosticPrinterRawOStream printer(out);
    info.print(printer);
    return true;
  }
};

}  // namespace

namespace detail {

std::optional<Error> run_guarded(void (*call)(void*), void* work) {
  install_handlers();
  Guard guard;
  Guard* const outer = active_guard;
  active_guard = &guard;
  // Returns twice: 0 now, 1 from the handler. Nothing changed after this point is read after
  // the jump but `guard` (in memory: its address is out) and `outer` (never changed).
  if (setjmp(guard.resume) != 0) {
    active_guard = outer;
    return failure(guard.reason);
  }
  try {
    call(work);
  } catch (const std::bad_alloc&) {  // operator new inside LLVM (or the translator)
    active_guard = outer;
    return failure("out of memory");
  }
  active_guard = outer;
  return std::nullopt;
}

}  // namespace detail

bool llvm_failed(const Error& error) {
  return error.phase == Phase::Host && error.context == "jit";
}

Error GuardedRequests::refused() {
  return Error(Phase::Unsupported,
               "the LLVM tier is off for the rest of this run after an internal error",
               Error::kNoOffset, "jit");
}

Result<std::unique_ptr<llvm::MemoryBuffer>> emit_machine_code(llvm::Module& ir,
                                                              llvm::TargetMachine& target) {
  llvm::LLVMContext& context = ir.getContext();
  std::unique_ptr<llvm::DiagnosticHandler> previous = context.getDiagnosticHandler();
  context.setDiagnosticHandler(std::make_unique<DiagnosticCollector>());
  llvm::orc::SimpleCompiler compile(target);
  auto object = compile(ir);
  std::unique_ptr<llvm::DiagnosticHandler> used = context.getDiagnosticHandler();
  context.setDiagnosticHandler(std::move(previous));
  const std::string& errors = static_cast<DiagnosticCollector&>(*used).errors;
  if (!object) {
    std::string why = llvm::toString(object.takeError());
    return Error(Phase::Validate, "machine code: " + why, Error::kNoOffset, "jit");
  }
  if (!errors.empty()) {
    return Error(Phase::Validate, "machine code: " + errors, Error::kNoOffset, "jit");
  }
  return std::move(*object);
}

}  // namespace lunatic::jit
