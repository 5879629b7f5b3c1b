// The process benchmarks that run a real C++ SDK guest (bench/processes/guests/
// spawn_replies.cpp) on the standard host functions, as `lunatic run` does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lunatic::bench {

/// Runs spawn_replies(alive, n) of the guest at `path` as the root on `workers` workers and
/// returns the microseconds per process between its marks (n children spawned, each replied,
/// all received), with `alive` idle processes of the guest alive all along. Exits the program
/// (status 2) if the guest cannot be loaded or does not end normally.
double spawn_sdk_guest(const std::string& path, unsigned workers, int64_t alive, int64_t n);

/// Where the build puts the guest (empty if it was not built).
std::string default_sdk_guest_path();

/// What bench_processes was told about the SDK guest rows.
struct SdkGuestRows {
  std::string path = default_sdk_guest_path();  ///< empty: the rows are left out
  std::vector<int64_t> alive;  ///< spawn_sdk_guest_alive_K for each K (--alive 10000,100000)
};

/// Samples spawn_sdk_guest (no process alive besides) and, when asked for by name
/// (spawn_sdk_guest_alive), the same with each count of idle processes alive.
void sample_sdk_guest_rows(const SdkGuestRows& rows, unsigned workers, int64_t n,
                           const std::function<bool(std::string_view)>& wanted,
                           const std::function<void(const char*, double, const char*)>& sample);

}  // namespace lunatic::bench
