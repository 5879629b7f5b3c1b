// The memory this process may use on the host: its memory cgroup's limit (v2 or v1) when one
// is set, else physical memory; the default of `lunatic run --max-memory-total`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lunatic::cli {

/// The memory limit of this process's cgroup (v2 memory.max, else v1
/// memory.limit_in_bytes), or physical memory when neither sets one. 0 if nothing is known.
uint64_t available_host_memory();

/// The limit a cgroup file holds ("max", a v1 "unlimited" value, or a number of bytes);
/// nullopt when it sets none. Exposed for tests.
std::optional<uint64_t> parse_cgroup_limit(std::string_view text);

/// What the root environment of `lunatic run` may hold when --max-memory-total is not given:
/// three quarters of `available`, leaving the rest to the runtime's own state (code, stacks,
/// the compiler) that no environment is charged for.
inline uint64_t default_memory_total(uint64_t available) {
  return available == 0 ? UINT64_MAX : available / 4 * 3;
}

}  // namespace lunatic::cli
