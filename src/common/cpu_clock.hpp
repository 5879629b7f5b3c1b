// Clocks read as durations: CPU clocks for the tier policy (the process's, for a module
// compile's CPU delay; a thread's, for a hot batch's or a baseline compile's cost, also as
// another thread reads it) and the monotonic clock.
#pragma once

#include <time.h>

#include <chrono>

namespace lunatic {

/// The time `clock` reads (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, a
/// thread's from this_thread_cpu_clock()); zero if it cannot be read.
std::chrono::nanoseconds clock_time(clockid_t clock);

/// The calling thread's CPU clock, readable from any thread (looked up once per thread).
clockid_t this_thread_cpu_clock();

}  // namespace lunatic
