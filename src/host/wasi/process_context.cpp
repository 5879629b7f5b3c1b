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
    // The runtime looked fds 0-2 up once (their types and streams are fixed for its life):
    // a context costs no system call. Pipes and terminals are served through the reactor:
    // waiting on them parks the process.
    for (uint32_t fd = 0; fd < 3; ++fd) {
      runtime::StdioStreams::Fd host = process.runtime().stdio().lookup(static_cast<int>(fd));
      state.context.add_stdio_fd(fd, static_cast<int>(fd), host.type);
      state.context.fds().get(fd)->stream = std::move(host.stream);
    }
    state.ready = true;
  }
  return state.context;
}

}  // namespace lunatic::host::wasi
