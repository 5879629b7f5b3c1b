// The fuel and slice meter every tier keeps (the interpreter in its loop's registers, compiled
// code in its Execution), and the charge of bulk instructions by size, one rule for all tiers.
#pragma once

#include <algorithm>
#include <cstdint>

namespace lunatic::engine {

class Thread;

/// Safepoints poll a kill request from another thread at least this often (in fuel units): a
/// refilled budget never holds more. A slice's end polls too, so this bounds only longer
/// slices (a lone process's, runtime::lone_slice, or a run with no slice): 2^20 units is ~1 ms
/// of interpreted code, less compiled. At 2^16 a 100,000-unit slice took two slow paths, not
/// one (Lua's and SQLite's interpreter loops use one up every few opcodes).
constexpr int64_t kKillPollInterval = 1 << 20;

/// Bulk memory and table instructions (memory.fill/copy/init, table.fill/copy/init, a
/// successful table.grow) charge, on top of the one unit their region's safepoint charges, one
/// unit per this many bytes they write (a table element is 8 bytes), rounded down: an
/// interpreted instruction takes ~1 ns, memset and memmove move ~16 bytes a ns (less on
/// memory the process had not touched). Spawn's instantiation is charged at the same rate.
constexpr uint64_t kBytesPerFuelUnit = 16;

/// The extra fuel of a bulk instruction that writes `bytes` bytes.
constexpr uint64_t bulk_fuel(uint64_t bytes) { return bytes / kBytesPerFuelUnit; }

/// A bulk instruction writes in pieces of this many bytes (4 MiB: ~0.25-1.5 ms of memset) and
/// takes a pending kill between them, so that a kill of a process inside a 4 GiB fill takes
/// effect within one piece rather than after the whole fill (seconds).
constexpr uint64_t kBulkPieceBytes = uint64_t{4} << 20;

/// A copy of a tier's meter while a bulk instruction runs: `budget` is the safepoints' fast
/// path counter, `granted` its value at the last refill, so granted - budget is what the fast
/// path used since (not yet taken from slice_left and fuel_left). `thread` is the one running
/// (null: no kill to poll, no slice to end): a bulk instruction takes a pending kill between
/// its pieces (kBulkPieceBytes), as a safepoint would, and ends its slice there once the
/// slice is used up (instance_ops.cpp), so that a long fill does not hold the worker.
struct FuelMeter {
  int64_t budget = 0;
  int64_t granted = 0;
  int64_t slice_left = 0;
  uint64_t fuel_left = 0;
  Thread* thread = nullptr;
  int64_t slice = 0;  ///< the current slice's size (the run's; an extension's once extended)
  /// How a slice ends between pieces. A tier whose code runs on a stack of its own (compiled
  /// code's fiber) pauses in place: pause(pause_context, *this) stops the run with Yielded
  /// and returns when the process runs again, the meter that of the new run. Null (the
  /// interpreter): the instruction stops, `stopped_at` (non-zero) says how many of its items
  /// are written, and the tier runs it again with `resume_at` set to that.
  void (*pause)(void* context, FuelMeter& meter) = nullptr;
  void* pause_context = nullptr;
  uint64_t resume_at = 0;   ///< in: items an earlier run of the instruction wrote (0: fresh)
  uint64_t stopped_at = 0;  ///< out: non-zero when the instruction stopped (returned false)

  /// Charges `units` as a safepoint of that cost would, but with no kill poll and no yield (a
  /// slice used up ends at the next safepoint): false, with nothing charged, when the fuel left
  /// cannot pay. The same rules in every tier, so fuel left, slices and traps agree.
  bool charge(uint64_t units) {
    if (units == 0) return true;
    if (budget >= 0 && static_cast<uint64_t>(budget) >= units) {
      budget -= static_cast<int64_t>(units);
      return true;
    }
    settle();
    if (fuel_left < units) return false;
    fuel_left -= units;
    // units < 2^36 (4 GiB of 8-byte elements / 16): slice_left cannot wrap.
    slice_left -= static_cast<int64_t>(units);
    refill();
    return true;
  }

  /// Takes what the fast path used since the last refill from slice_left and fuel_left.
  void settle() {
    const int64_t used = granted - budget;
    slice_left -= used;
    fuel_left -= static_cast<uint64_t>(used);
    granted = budget = 0;
  }
  /// A new fast-path budget, bounded as a safepoint bounds it. @pre settled.
  void refill() {
    granted = budget = std::min({std::max<int64_t>(slice_left, 0), kKillPollInterval,
                                 static_cast<int64_t>(std::min<uint64_t>(fuel_left, INT64_MAX))});
  }
  /// The slice left, counting `unwritten` units of the instruction's charge as not yet used.
  int64_t slice_left_but(uint64_t unwritten) const {
    return slice_left - (granted - budget) + static_cast<int64_t>(unwritten);
  }
  /// Moves `units` of slice (not fuel) from (or, negative, back to) the run's slice.
  void use_slice(int64_t units) {
    settle();
    slice_left -= units;
    refill();
  }
};

}  // namespace lunatic::engine
