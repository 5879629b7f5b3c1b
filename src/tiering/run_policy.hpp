// The auto tier's policy as `lunatic run` sets it: when a module's background compile starts
// and what a hot function's compile is priced at, measured on these machines. The CLI and the
// process benchmarks (bench/processes) run modules with it.
#pragma once

#include <chrono>

#include "tiering/compiler.hpp"

namespace lunatic::tiering {

// --tier auto: a module starts its background compile (LLVM) after running this long...
inline constexpr std::chrono::milliseconds kBackgroundCompileDelay{1000};
// ...and, while it runs the baseline's code, once the process has used about as much CPU time
// as LLVM's compile of it would: LLVM -O2 took 55-61 us per byte of Lua's and SQLite's modules
// on these 2-core machines (18 s, 77 s), and a program that ends sooner is better off never
// paying for it (docs/design.md, "Compiled tier").
inline constexpr std::chrono::nanoseconds kCompileDelayPerByte{50'000};
// ...and each hot function alone (with the others hot at that moment) once the time sampled
// in it in the baseline is about the CPU time of that compile. Fitted to LLVM -O2 with OSR
// entries of one function on these machines (docs/benchmarks.md, "The hot compile's price"):
// 34 ms of CPU for 58 bytes, 80 for 655, 97-143 for 1,027-1,299, 1.9-2.3 s for 8,981 and
// 4.5 s for Lua's luaV_execute (19,915), plus the LLVM tier's first load (dlopen and set-up:
// 20 ms of wall time, 5 ms of CPU, session 22). Each function's threshold is this price over the
// share of its time LLVM's code would save (tiering::HotSpeedup's defaults).
inline constexpr HotCompilePrice kHotCompilePrice{
    .fixed = std::chrono::milliseconds{50},
    .per_kib = std::chrono::milliseconds{94},
    .exponent = 1.3,
    .first_load = std::chrono::milliseconds{5},
};

// ...and a process spawned by another runs its first slice of fuel (RuntimeConfig::slice_fuel's
// default) in the interpreter: one that spawns, replies and ends, or mostly waits in receive,
// never takes a native stack (a parked one would hold a page of it), and one that computes
// moves to native code at its next loop header (docs/benchmarks.md, "Spawned processes start
// interpreted").
inline constexpr uint64_t kInterpretedFuel = 100'000;

/// `config` with the run policy's delays and hot compile price (its tier and the rest kept).
inline CompilerConfig with_run_policy(CompilerConfig config) {
  config.background_delay = kBackgroundCompileDelay;
  config.delay_per_byte = kCompileDelayPerByte;
  config.hot_compile = kHotCompilePrice;
  config.interpreted_fuel = kInterpretedFuel;
  return config;
}

}  // namespace lunatic::tiering
