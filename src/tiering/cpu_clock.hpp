// CPU clocks for the tier policy: the process's (a module compile's CPU delay), the calling
// thread's (a hot batch's cost), and the compile thread's as another thread reads it (the end of
// a run waiting for a batch by its CPU time).
#pragma once

#include <time.h>

#include <chrono>

namespace lunatic::tiering {

/// The time `clock` reads (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, or a thread's
/// from this_thread_cpu_clock()); zero if it cannot be read.
std::chrono::nanoseconds cpu_time(clockid_t clock);

/// The calling thread's CPU clock, readable from any thread (looked up once per thread).
clockid_t this_thread_cpu_clock();

}  // namespace lunatic::tiering
