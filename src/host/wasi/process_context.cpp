// The WASI context of a runtime process: one per process, in its Process::local slots, so that
// the WASI functions serve every process the runtime spawns.
#include "host/wasi/wasi.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::wasi {
namespace {

/// Process::local default-constructs its slots; stdio is installed on first use.
struct ProcessWasi {
  WasiContext context;
  bool ready = false;
};

}  // namespace

WasiContext& process_wasi(runtime::Process& process) {
  ProcessWasi& state = process.local<ProcessWasi>();
  if (!state.ready) {
    state.context.add_stdio();
    // Pipes and terminals are served through the reactor: waiting on them parks the process.
    for (uint32_t fd = 0; fd < 3; ++fd) {
      state.context.fds().get(fd)->stream = process.runtime().stdio().stream(static_cast<int>(fd));
    }
    state.ready = true;
  }
  return state.context;
}

}  // namespace lunatic::host::wasi
