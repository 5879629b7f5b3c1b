// The hot profile (ObjectCache::Kind::Profile): the time earlier runs of a module sampled in its
// functions that are not in the hot entry yet, so that the rent-or-buy rule of the auto tier's
// hot functions ("Hot functions first", docs/design.md) runs over the sequence of runs: a
// function that takes 100 ms of every run, under its compile's 300 ms, is hot early in the
// fourth run and its code is in the hot entry from then on. A small file of its own, read at a
// run's start and written back at its end; never trusted (hostile: every field is checked).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecache/object_cache.hpp"

namespace lunatic::codecache {

/// The time sampled in one defined function over earlier runs.
struct HotSample {
  uint32_t function = 0;  ///< defined index
  uint64_t ns = 0;        ///< kHotProfileFloorNs .. kHotProfileMaxNs
  /// An earlier run's batch took it and its code never reached the hot entry (LLVM refused
  /// it, or the run ended before the compile did): never hot again for this module and build,
  /// so a compile that fails or takes longer than the program is paid once, not every run.
  bool attempted = false;

  bool operator==(const HotSample&) const = default;
};

/// The file's suffix in the cache directory (`<hex key>.prof`).
inline constexpr std::string_view kHotProfileSuffix = ".prof";
inline constexpr uint32_t kHotProfileVersion = 1;
/// A function is kept only once earlier runs spent at least this much in it: a function that
/// takes less in a run would gain under a third of it from LLVM's code, lost in a process's
/// start-up, and the floor keeps a tiny program's runs from writing the file at all.
inline constexpr uint64_t kHotProfileFloorNs = 1'000'000;
/// At most this many functions are kept (the ones with the most time): a hot batch compiles a
/// few functions, and the file stays under 1.2 KB.
inline constexpr uint32_t kHotProfileMaxFunctions = 64;
/// A function's time is capped at 100 s: far past any function's threshold (a 30 KB function's
/// compile is ~5.5 s), so the sum over runs cannot overflow or mean anything more.
inline constexpr uint64_t kHotProfileMaxNs = 100'000'000'000;
/// The largest well-formed file.
size_t hot_profile_max_bytes();

/// The file for the profile of `key` (a Kind::Profile key) of a module of `function_count`
/// defined functions: magic `LUNATICP`, u32 version, u32 function count, the key, u32 sample
/// count, u32 zero, per sample u32 function, u32 flags (1: attempted), u64 ns; then the
/// SHA-256 of all that.
/// @pre samples well formed (what decode_hot_profile accepts)
std::string encode_hot_profile(const Digest& key, uint32_t function_count,
                               std::span<const HotSample> samples);
/// The samples of `file`; nullopt unless it is exactly a file encode_hot_profile makes for
/// this key and function count: length, magic, version, key, count, checksum, and every sample
/// (functions ascending and below the count, ns within the floor and the cap, no unknown
/// flag, zeros zero).
std::optional<std::vector<HotSample>> decode_hot_profile(std::string_view file, const Digest& key,
                                                         uint32_t function_count);

/// What became of a function in a run: still in the baseline, in the hot entry now (it leaves
/// the profile), or taken by a batch whose code never arrived (kept, `attempted`).
enum class HotFate : uint8_t { Baseline, Installed, Attempted };

/// What a run leaves behind: `stored` (what it started from) plus `run_ns` (per defined
/// function, the time this run sampled), without the functions `fates` says are Installed and
/// with those Attempted marked, each capped; those at or above the floor (an attempted one is
/// kept at the floor at least), the kHotProfileMaxFunctions with the most time, ascending.
/// `changed`: whether it is worth a write (a stored function left or newly attempted, or one's
/// time changed by at least the floor).
struct HotProfileUpdate {
  std::vector<HotSample> samples;
  bool changed = false;
};
HotProfileUpdate next_hot_profile(std::span<const HotSample> stored,
                                  std::span<const uint64_t> run_ns,
                                  const std::vector<HotFate>& fates);

/// The stored profile of `key` for a module of `function_count` defined functions; empty when
/// there is none or it fails a check.
std::vector<HotSample> load_hot_profile(const ObjectCache& cache, const Digest& key,
                                        uint32_t function_count);
/// Writes the profile (an empty one too: it replaces a stale file). Errors: store_small's.
Result<void> store_hot_profile(const ObjectCache& cache, const Digest& key, uint32_t function_count,
                               std::span<const HotSample> samples);

}  // namespace lunatic::codecache
