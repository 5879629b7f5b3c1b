// WASI errno values (wasi_snapshot_preview1 `errno`, all 77 of them) and the mapping from the
// host's errno.
#pragma once

#include <cstdint>

namespace lunatic::host::wasi {

/// preview1 `errno` (witx order). Returned by every WASI function except proc_exit.
enum class Errno : uint16_t {
  Success = 0,
  TooBig = 1,
  Acces = 2,
  Addrinuse = 3,
  Addrnotavail = 4,
  Afnosupport = 5,
  Again = 6,
  Already = 7,
  Badf = 8,
  Badmsg = 9,
  Busy = 10,
  Canceled = 11,
  Child = 12,
  Connaborted = 13,
  Connrefused = 14,
  Connreset = 15,
  Deadlk = 16,
  Destaddrreq = 17,
  Dom = 18,
  Dquot = 19,
  Exist = 20,
  Fault = 21,
  Fbig = 22,
  Hostunreach = 23,
  Idrm = 24,
  Ilseq = 25,
  Inprogress = 26,
  Intr = 27,
  Inval = 28,
  Io = 29,
  Isconn = 30,
  Isdir = 31,
  Loop = 32,
  Mfile = 33,
  Mlink = 34,
  Msgsize = 35,
  Multihop = 36,
  Nametoolong = 37,
  Netdown = 38,
  Netreset = 39,
  Netunreach = 40,
  Nfile = 41,
  Nobufs = 42,
  Nodev = 43,
  Noent = 44,
  Noexec = 45,
  Nolck = 46,
  Nolink = 47,
  Nomem = 48,
  Nomsg = 49,
  Noprotoopt = 50,
  Nospc = 51,
  Nosys = 52,
  Notconn = 53,
  Notdir = 54,
  Notempty = 55,
  Notrecoverable = 56,
  Notsock = 57,
  Notsup = 58,
  Notty = 59,
  Nxio = 60,
  Overflow = 61,
  Ownerdead = 62,
  Perm = 63,
  Pipe = 64,
  Proto = 65,
  Protonosupport = 66,
  Prototype = 67,
  Range = 68,
  Rofs = 69,
  Spipe = 70,
  Srch = 71,
  Stale = 72,
  Timedout = 73,
  Txtbsy = 74,
  Xdev = 75,
  Notcapable = 76,
};

/// The i32 a WASI function returns for `e`.
constexpr int32_t code(Errno e) { return static_cast<int32_t>(e); }

/// Maps a host `errno` value to the preview1 code with the same meaning. Host codes preview1
/// lacks map to the nearest one (EWOULDBLOCK is EAGAIN, ENOTSUP is EOPNOTSUPP on Linux, ...);
/// anything unknown is Io.
Errno errno_from_host(int host_errno);

/// The same, for an error of path resolution: EXDEV (openat2's "would leave the directory")
/// is Notcapable there, not a cross-device error.
Errno errno_from_resolve(int host_errno);

}  // namespace lunatic::host::wasi
