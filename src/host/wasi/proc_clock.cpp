// proc_exit, sched_yield, clocks and random bytes, plus the ENOSYS stub for the rest of
// preview1.
#include <sys/random.h>
#include <time.h>

#include <cerrno>

#include "host/wasi/functions.hpp"
#include "host/wasi/guest.hpp"

namespace lunatic::host::wasi {
namespace {

using engine::HostCall;
using engine::HostStatus;

/// preview1 clockid -> host clock; false for an unknown id.
bool host_clock(uint32_t id, clockid_t* out) {
  switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t to_nanoseconds(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

/// proc_exit(code) -> never returns. Ends the process with `code`: returns Trap::exit so the
/// interpreter unwinds the whole Wasm stack (the embedder reads trap().exit_code).
HostStatus proc_exit(WasiContext&, HostCall& call) {
  return call.fail(engine::Trap::exit(static_cast<int32_t>(Guest(call).u32(0))));
}

/// sched_yield() -> errno. Success; one process runs per thread until the scheduler lands.
HostStatus sched_yield(WasiContext&, HostCall& call) { return Guest(call).ret(Errno::Success); }

/// clock_time_get(id, precision: u64, time_out: u64*) -> errno. Realtime (0), monotonic (1),
/// process (2) and thread (3) CPU time in nanoseconds; EINVAL for another id. The precision
/// hint is ignored. Traps when `time_out` is outside memory.
HostStatus clock_time_get(WasiContext&, HostCall& call) {
  Guest g(call);
  clockid_t clock{};
  if (!host_clock(g.u32(0), &clock)) return g.ret(Errno::Inval);
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return g.ret(errno_from_host(errno));
  if (!g.store_u64(g.u32(2), to_nanoseconds(ts))) return g.out_of_bounds();
  return g.ret(Errno::Success);
}

/// clock_res_get(id, resolution_out: u64*) -> errno. The resolution of the same clocks.
HostStatus clock_res_get(WasiContext&, HostCall& call) {
  Guest g(call);
  clockid_t clock{};
  if (!host_clock(g.u32(0), &clock)) return g.ret(Errno::Inval);
  timespec ts{};
  if (clock_getres(clock, &ts) != 0) return g.ret(errno_from_host(errno));
  if (!g.store_u64(g.u32(1), to_nanoseconds(ts))) return g.out_of_bounds();
  return g.ret(Errno::Success);
}

/// random_get(buf: u8*, buf_len) -> errno. Fills the buffer from getrandom(2) (the kernel's
/// CSPRNG). Traps when the buffer is outside memory.
HostStatus random_get(WasiContext&, HostCall& call) {
  Guest g(call);
  uint32_t len = g.u32(1);
  uint8_t* buf = g.bytes(g.u32(0), len);
  if (buf == nullptr) return g.out_of_bounds();
  // getrandom may return fewer bytes than asked (signals, requests over 32 MiB): loop.
  uint32_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return g.ret(errno_from_host(errno));
    }
    done += static_cast<uint32_t>(n);
  }
  return g.ret(Errno::Success);
}

/// Any other preview1 function: ENOSYS, so that programs importing it still instantiate.
HostStatus not_implemented(WasiContext&, HostCall& call) { return Guest(call).ret(Errno::Nosys); }

}  // namespace lunatic::host::wasi
