// poll_oneoff. A poll that must wait parks the process on the runtime's timer (clocks) and
// reactor (sockets, and stdio that is a pipe or a terminal), the start of the call kept in the
// pending-call slot, and is re-executed when woken; regular files are always ready, as on Linux.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>

#include "host/shared/sockets.hpp"
#include "host/wasi/functions.hpp"
#include "runtime/process.hpp"
#include "runtime/stdio_streams.hpp"
#include "runtime/timer.hpp"

namespace lunatic::host::wasi {
namespace {

using runtime::Clock;

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
/// Longer waits are cut to this (about 73 years; no clock overflow): the call wakes, finds
/// nothing ready and waits again.
constexpr uint64_t kMaxWaitNs = uint64_t{1} << 61;

/// What survives a Park: when the call began (relative timeouts count from there, so they are
/// absolute deadlines fixed by the first attempt) and the wake-up at the earliest deadline.
struct PollWait {
  Clock::time_point start;
  Clock::time_point armed_for{};
  runtime::WakeTimer timer;
  /// The reactor wake-ups of the socket subscriptions not ready at the last attempt.
  std::vector<runtime::IoWait> io;
};

/// A socket subscription that was not ready: what to wait for, and the readiness count read
/// before the check (IoReactor::wait).
struct SocketWait {
  std::shared_ptr<runtime::IoSource> source;
  runtime::IoInterest interest;
  uint64_t seen;
};

uint64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return to_nanoseconds(ts);
}

/// How long until clock subscription `s` fires (0: now), with `elapsed` ns since the call
/// began; Inval for a clock that cannot be waited on.
Errno clock_remaining(const abi::Subscription& s, uint64_t elapsed, uint64_t* remaining) {
  bool absolute = (s.u.clock.flags & abi::kSubclockAbstime) != 0;
  uint64_t timeout = s.u.clock.timeout;
  if (!absolute) {
    // A relative timeout is a duration on any clock: measured on the monotonic clock.
    if (s.u.clock.id > 3) return Errno::Inval;
    *remaining = timeout > elapsed ? timeout - elapsed : 0;
    return Errno::Success;
  }
  clockid_t clock{};
  switch (s.u.clock.id) {
    case 0: clock = CLOCK_REALTIME; break;
    case 1: clock = CLOCK_MONOTONIC; break;
    default: return Errno::Notsup;  // a CPU-time deadline does not advance while we sleep
  }
  uint64_t now = now_ns(clock);
  *remaining = timeout > now ? timeout - now : 0;
  return Errno::Success;
}

/// Whether host fd `fd` (a socket or a stdio stream) is ready for subscription `ev.type` now
/// (poll(2) with no timeout); fills nbytes (bytes queued to read, FIONREAD) and the hangup flag.
bool fd_ready(int fd, abi::Event& ev) {
  pollfd p{fd, static_cast<short>(ev.type == abi::kEventFdRead ? POLLIN : POLLOUT), 0};
  int r = 0;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    ev.error = static_cast<uint16_t>(errno_from_host(errno));
    return true;
  }
  if (r == 0) return false;
  if ((p.revents & POLLHUP) != 0) ev.flags = abi::kEventFdReadwriteHangup;
  int queued = 0;
  if (ev.type == abi::kEventFdRead && ioctl(fd, FIONREAD, &queued) == 0 && queued > 0) {
    ev.nbytes = static_cast<uint64_t>(queued);
  }
  return true;
}

/// The event of fd subscription `s`, or false (with the wait to register added to `waits`)
/// for a socket or a stdio stream (a pipe, a terminal) that is not ready. Files, and stdio
/// that is a file or /dev/null, are always ready (they never block on Linux), with the bytes
/// left to read of a regular file.
bool fd_event(WasiContext& w, const abi::Subscription& s, abi::Event& ev,
              std::vector<SocketWait>& waits) {
  ev = abi::Event{};
  ev.userdata = s.userdata;
  ev.type = s.tag;
  FdEntry* e = nullptr;
  uint64_t right = s.tag == abi::kEventFdRead ? abi::kRightFdRead : abi::kRightFdWrite;
  Errno err = w.lookup(s.u.fd_readwrite.fd, abi::kRightPollFdReadwrite, &e);
  // A listening socket reads connections: its "read" right is SOCK_ACCEPT.
  if (err == Errno::Success && e->socket && s.tag == abi::kEventFdRead &&
      e->has(abi::kRightSockAccept)) {
    right = abi::kRightSockAccept;
  }
  if (err == Errno::Success && !e->has(right)) err = Errno::Badf;
  ev.error = static_cast<uint16_t>(err);
  if (err != Errno::Success) return true;
  if (e->socket || e->stream) {
    const auto interest =
        s.tag == abi::kEventFdRead ? runtime::IoInterest::Read : runtime::IoInterest::Write;
    const std::shared_ptr<runtime::IoSource>& source =
        e->socket ? e->socket->source() : e->stream->source();
    const uint64_t seen = source->readiness(interest);
    if (fd_ready(e->socket ? e->socket->fd() : e->stream->fd(), ev)) return true;
    waits.push_back({source, interest, seen});
    return false;
  }
  if (s.tag != abi::kEventFdRead) return true;
  struct stat st {};
  if (fstat(e->host_fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t at = lseek(e->host_fd, 0, SEEK_CUR);
    if (at >= 0 && st.st_size > at) ev.nbytes = static_cast<uint64_t>(st.st_size - at);
  }
  return true;
}

void sleep_ns(uint64_t ns) {
  // Relative sleeps in chunks of at most a day: no timespec overflow for "forever".
  constexpr uint64_t kChunk = 86'400'000'000'000u;
  uint64_t chunk = std::min(ns, kChunk);
  timespec ts{static_cast<time_t>(chunk / 1'000'000'000u),
              static_cast<long>(chunk % 1'000'000'000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
  }
}

}  // namespace

WasiResult poll_oneoff(CallContext& ctx, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                       GuestPtr<uint32_t> nevents) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  auto subs = GuestSpan<abi::Subscription>::at(ctx, in, nsubscriptions, "subscriptions");
  if (!subs.ok()) return std::move(subs).trap();
  auto events = GuestMutSpan<abi::Event>::at(ctx, out, nsubscriptions, "events");
  if (!events.ok()) return std::move(events).trap();
  if (nsubscriptions == 0) return code(Errno::Inval);  // would wait forever
  for (uint32_t i = 0; i < nsubscriptions; ++i) {
    uint8_t tag = subs.value()[i].tag;
    if (tag != abi::kEventClock && tag != abi::kEventFdRead && tag != abi::kEventFdWrite) {
      return code(Errno::Inval);
    }
  }
  // A runtime process parks; any other host (a WasiProcess run by Thread::call) has no
  // scheduler to wake it, so there the wait sleeps the calling thread instead.
  runtime::Process* self = dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>());
  PollWait& wait = ctx.pending<PollWait>(PollWait{Clock::now(), {}, {}, {}});
  for (;;) {
    const Clock::time_point now = Clock::now();
    const auto elapsed = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - wait.start).count());
    uint32_t count = 0;
    uint64_t remaining_min = kNever;
    // At most one wait per open fd and direction (duplicates are dropped): the guest's
    // subscription count does not size this.
    std::vector<SocketWait> waits;
    std::vector<bool> waiting(2 * size_t{FdTable::kMaxFds});
    for (uint32_t i = 0; i < nsubscriptions; ++i) {
      abi::Subscription s = subs.value()[i];
      if (s.tag != abi::kEventClock) {
        abi::Event ev{};
        if (fd_event(*w, s, ev, waits)) {
          events.value().write(count++, ev);
          continue;
        }
        // Not ready: the fd is open, so it is below kMaxFds.
        const size_t slot = size_t{s.u.fd_readwrite.fd} * 2 + (s.tag == abi::kEventFdRead ? 0 : 1);
        if (count > 0 || waiting[slot]) {
          waits.pop_back();
        } else {
          waiting[slot] = true;
        }
        continue;
      }
      uint64_t remaining = 0;
      Errno err = clock_remaining(s, elapsed, &remaining);
      if (err != Errno::Success || remaining == 0) {
        abi::Event ev{};
        ev.userdata = s.userdata;
        ev.type = abi::kEventClock;
        ev.error = static_cast<uint16_t>(err);
        events.value().write(count++, ev);
      } else {
        remaining_min = std::min(remaining_min, remaining);
      }
    }
    if (count > 0) {
      nevents.write(count);
      return code(Errno::Success);
    }
    uint64_t wait_ns = std::min(remaining_min, kMaxWaitNs);
    if (self == nullptr) {
      // No reactor to wake this thread: sockets are polled every millisecond.
      if (!waits.empty()) wait_ns = std::min<uint64_t>(wait_ns, 1'000'000);
      sleep_ns(wait_ns);
      continue;
    }
    wait.io.clear();
    bool changed = false;
    for (const SocketWait& sw : waits) {
      wait.io.push_back(self->wake_on(sw.source, sw.interest, sw.seen));
      if (!wait.io.back().armed()) changed = true;
    }
    if (changed) continue;  // a socket became ready since its check: look again
    if (remaining_min == kNever) return WasiResult::park();  // sockets only: no clock
    // Armed once for a monotonic deadline; again only if the timer has fired without the
    // deadline being reached (a realtime deadline after the clock was set back) or the
    // deadline moved earlier (the clock was set forward).
    const Clock::time_point deadline = now + std::chrono::nanoseconds(wait_ns);
    if (!wait.timer.armed() || now >= wait.armed_for || deadline < wait.armed_for) {
      wait.timer = self->wake_at(deadline);
      wait.armed_for = deadline;
    }
    return WasiResult::park();
  }
}

}  // namespace lunatic::host::wasi
