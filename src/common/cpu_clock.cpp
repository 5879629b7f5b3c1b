#include "common/cpu_clock.hpp"

#include <pthread.h>

namespace lunatic {

std::chrono::nanoseconds clock_time(clockid_t clock) {
  timespec now{};
  if (clock_gettime(clock, &now) != 0) return {};
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

clockid_t this_thread_cpu_clock() {
  thread_local const clockid_t clock = [] {
    clockid_t id = CLOCK_THREAD_CPUTIME_ID;  // the caller's own, if the lookup fails
    (void)pthread_getcpuclockid(pthread_self(), &id);
    return id;
  }();
  return clock;
}

}  // namespace lunatic
