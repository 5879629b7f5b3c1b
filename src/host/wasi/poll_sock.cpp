// poll_oneoff and the sock_* calls. A poll that must wait for a clock parks the process on the
// runtime's timer (the start of the call kept in the pending-call slot) and is re-executed when
// woken; regular files and stdio are always ready, as on Linux.
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>

#include "host/wasi/functions.hpp"
#include "runtime/process.hpp"
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

/// The event of fd subscription `s`: always ready (files and stdio never block on Linux),
/// with the bytes left to read of a regular file.
abi::Event fd_event(WasiContext& w, const abi::Subscription& s) {
  abi::Event ev{};
  ev.userdata = s.userdata;
  ev.type = s.tag;
  FdEntry* e = nullptr;
  uint64_t right = s.tag == abi::kEventFdRead ? abi::kRightFdRead : abi::kRightFdWrite;
  Errno err = w.lookup(s.u.fd_readwrite.fd, abi::kRightPollFdReadwrite, &e);
  if (err == Errno::Success && !e->has(right)) err = Errno::Badf;
  ev.error = static_cast<uint16_t>(err);
  if (err != Errno::Success || s.tag != abi::kEventFdRead) return ev;
  struct stat st {};
  if (fstat(e->host_fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t at = lseek(e->host_fd, 0, SEEK_CUR);
    if (at >= 0 && st.st_size > at) ev.nbytes = static_cast<uint64_t>(st.st_size - at);
  }
  return ev;
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
  PollWait& wait = ctx.pending<PollWait>(PollWait{Clock::now(), {}, {}});
  for (;;) {
    const Clock::time_point now = Clock::now();
    const auto elapsed = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - wait.start).count());
    uint32_t count = 0;
    uint64_t remaining_min = kNever;
    for (uint32_t i = 0; i < nsubscriptions; ++i) {
      abi::Subscription s = subs.value()[i];
      if (s.tag != abi::kEventClock) {
        events.value().write(count++, fd_event(*w, s));
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
    const uint64_t wait_ns = std::min(remaining_min, kMaxWaitNs);
    if (self == nullptr) {
      sleep_ns(wait_ns);
      continue;
    }
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

namespace {

/// sock_* until TCP lands: no guest fd is a socket. Badf for a closed fd, Notsock otherwise.
WasiResult not_a_socket(CallContext& ctx, uint32_t fd) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return code(w->fds().get(fd) == nullptr ? Errno::Badf : Errno::Notsock);
}

}  // namespace

WasiResult sock_accept(CallContext& ctx, uint32_t fd, uint32_t, GuestPtr<uint32_t>) {
  return not_a_socket(ctx, fd);
}

WasiResult sock_recv(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec>, uint32_t,
                     GuestPtr<uint32_t>, GuestPtr<uint16_t>) {
  return not_a_socket(ctx, fd);
}

WasiResult sock_send(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec>, uint32_t,
                     GuestPtr<uint32_t>) {
  return not_a_socket(ctx, fd);
}

WasiResult sock_shutdown(CallContext& ctx, uint32_t fd, uint32_t) { return not_a_socket(ctx, fd); }

}  // namespace lunatic::host::wasi
