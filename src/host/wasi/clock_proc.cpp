// Clocks, random bytes, proc_exit / proc_raise and sched_yield.
#include <sys/random.h>
#include <time.h>

#include <cerrno>

#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {
namespace {

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

}  // namespace

WasiResult clock_res_get(CallContext&, uint32_t id, GuestPtr<uint64_t> out) {
  clockid_t clock{};
  if (!host_clock(id, &clock)) return code(Errno::Inval);
  timespec ts{};
  if (clock_getres(clock, &ts) != 0) return code(errno_from_host(errno));
  out.write(to_nanoseconds(ts));
  return code(Errno::Success);
}

WasiResult clock_time_get(CallContext&, uint32_t id, uint64_t /*precision*/,
                          GuestPtr<uint64_t> out) {
  clockid_t clock{};
  if (!host_clock(id, &clock)) return code(Errno::Inval);
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return code(errno_from_host(errno));
  out.write(to_nanoseconds(ts));
  return code(Errno::Success);
}

WasiResult random_get(CallContext&, GuestMutSpan<uint8_t> buf) {
  // getrandom fills guest memory directly; it may return short counts (signals, requests
  // over 32 MiB): loop.
  std::span<uint8_t> out = buf.mut_bytes();
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return code(errno_from_host(errno));
    }
    done += static_cast<size_t>(n);
  }
  return code(Errno::Success);
}

HostResult<void> proc_exit(CallContext&, uint32_t exit_code) {
  // Trap::exit unwinds the whole Wasm stack; the embedder reads trap().exit_code.
  return engine::Trap::exit(static_cast<int32_t>(exit_code));
}

WasiResult proc_raise(CallContext&, uint32_t) { return code(Errno::Nosys); }

/// Returns SUCCESS, then yields: the process goes to the back of its worker's run queue and the
/// processes queued there run first. Outside the runtime (a WasiProcess on Thread::call) there
/// is nobody to yield to and it simply continues.
WasiResult sched_yield(CallContext&) { return WasiResult::then_yield(code(Errno::Success)); }

}  // namespace lunatic::host::wasi
