// WASI errno values (wasi_snapshot_preview1 `errno`) and the mapping from host errno.
#pragma once

#include <cstdint>

namespace lunatic::host::wasi {

/// The subset of preview1 errno codes this implementation returns.
enum class Errno : uint16_t {
  Success = 0,
  Again = 6,
  Badf = 8,
  Fault = 21,
  Fbig = 22,
  Intr = 27,
  Inval = 28,
  Io = 29,
  Nospc = 51,
  Nosys = 52,
  Perm = 63,
  Pipe = 64,
  Spipe = 70,
  Notcapable = 76,
};

/// Maps a host `errno` value to the WASI code a guest understands (Io for the unmapped ones).
Errno errno_from_host(int host_errno);

}  // namespace lunatic::host::wasi
