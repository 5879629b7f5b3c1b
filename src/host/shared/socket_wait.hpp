// The park-until-ready loop of every call that waits on the reactor (lunatic::networking, WASI's
// socket fds and stdio streams): try the syscall; if it would block, register a wake-up on the
// reactor (and the deadline's timer) and park; re-executed on wake-up.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "binding/host_result.hpp"
#include "host/shared/resources.hpp"
#include "host/shared/sockets.hpp"
#include "runtime/io_reactor.hpp"
#include "runtime/process.hpp"
#include "runtime/timer.hpp"

namespace lunatic::host::shared {

/// What a waiting socket call keeps across Parks: its deadline, the timer for it, the I/O wait.
struct IoPending {
  std::optional<runtime::Clock::time_point> deadline;
  runtime::WakeTimer timer;
  runtime::IoWait io;
};

/// Runs `attempt` (returns a status once done, nullopt when the socket would block) until it
/// is done, the deadline passes (kTimedOut) or it must wait: then it registers the wake-ups
/// (readiness of `interest`, the deadline) in `pending` and parks. Re-executed on wake-up.
template <class Attempt>
binding::HostResult<int32_t> until_ready(runtime::Process& self,
                                         const std::shared_ptr<runtime::IoSource>& source,
                                         runtime::IoInterest interest, IoPending& pending,
                                         Attempt&& attempt) {
  while (true) {
    const uint64_t seen = source->readiness(interest);
    if (std::optional<int32_t> status = attempt()) return *status;
    if (pending.deadline && runtime::Clock::now() >= *pending.deadline) return kTimedOut;
    pending.io = self.wake_on(source, interest, seen);
    if (!pending.io.armed()) continue;  // ready again since the attempt: try once more
    if (pending.deadline && !pending.timer.armed()) pending.timer = self.wake_at(*pending.deadline);
    return binding::HostResult<int32_t>::park();
  }
}

/// until_ready() on `socket`'s registration.
template <class Attempt>
binding::HostResult<int32_t> until_ready(runtime::Process& self, const Socket& socket,
                                         runtime::IoInterest interest, IoPending& pending,
                                         Attempt&& attempt) {
  return until_ready(self, socket.source(), interest, pending, std::forward<Attempt>(attempt));
}

/// Whether `err` means "try again later" for a non-blocking socket.
inline bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace lunatic::host::shared
