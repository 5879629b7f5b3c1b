// Guest helper: memory lookup and the bad-pointer trap, plus the host errno mapping.
#include "host/wasi/guest.hpp"

#include <bit>
#include <cerrno>

#include "engine/store.hpp"

namespace lunatic::host::wasi {

static_assert(std::endian::native == std::endian::little,
              "Guest::store_* copy host integers as Wasm's little-endian layout");

Guest::Guest(engine::HostCall& call) : call_(call) {
  if (engine::Memory* memory = call.memory()) {
    base_ = memory->data();
    size_ = memory->size_bytes();
  }
}

engine::HostStatus Guest::out_of_bounds() {
  return call_.fail(engine::Trap::of(engine::TrapKind::MemoryOutOfBounds));
}

Errno errno_from_host(int host_errno) {
  switch (host_errno) {
    case EAGAIN: return Errno::Again;
    case EBADF: return Errno::Badf;
    case EFAULT: return Errno::Fault;
    case EFBIG: return Errno::Fbig;
    case EINTR: return Errno::Intr;
    case EINVAL: return Errno::Inval;
    case ENOSPC: return Errno::Nospc;
    case EPERM: return Errno::Perm;
    case EPIPE: return Errno::Pipe;
    case ESPIPE: return Errno::Spipe;
    default: return Errno::Io;
  }
}

}  // namespace lunatic::host::wasi
