// Tells `perf` where compiled guest functions are: with LUNATIC_PERF_MAP set, every module
// linked by the compiled tier appends "START SIZE NAME" lines to /tmp/perf-PID.map, the file
// `perf report` reads for JIT code (perf's own convention for just-in-time compilers).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace lunatic::native {

/// Whether LUNATIC_PERF_MAP asks for the map (read once).
bool perf_map_enabled();

/// Appends one line per symbol that `address_of` resolves (0: skipped) to /tmp/perf-PID.map,
/// under `label_of(symbol)`. Thread-safe; errors are ignored (the map is only a profiling aid).
void append_perf_map(const std::map<std::string, uint64_t>& sizes,
                     const std::function<uint64_t(const std::string&)>& address_of,
                     const std::function<std::string(const std::string&)>& label_of);

}  // namespace lunatic::native
