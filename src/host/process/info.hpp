// The layout lunatic::process::info writes into guest memory (docs/guest-abi.md "info"; the
// SDK's `lunatic_process_info` in sdk/include/lunatic/process.h is the same struct).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::host::process {

/// 72 bytes, little-endian, no padding; a guest may read it at any alignment.
struct GuestProcessInfo {
  uint8_t state;      ///< 0 running, 1 runnable, 2 receiving, 3 sleeping, 4 waiting_io,
                      ///< 5 parked, 6 exited (runtime::ProcessState, in that order)
  uint8_t flags;      ///< bit 0: die_when_link_dies
  uint16_t reserved;  ///< 0
  uint32_t links;     ///< processes linked to it
  uint64_t mailbox_messages;
  uint64_t mailbox_bytes;  ///< data bytes of the queued messages
  uint64_t memory_bytes;   ///< its linear memories at the end of its last slice
  uint64_t fuel_used;      ///< UINT64_MAX: its environment does not limit fuel
  uint64_t fuel_left;      ///< UINT64_MAX: its environment does not limit fuel
  uint64_t slices;         ///< slices run (Erlang's reductions, in slice units)
  uint32_t monitored_by;   ///< monitors other processes hold on it
  uint32_t monitoring;     ///< processes it monitors
  int64_t start_time_ms;   ///< spawned at, milliseconds since the Unix epoch
};
static_assert(sizeof(GuestProcessInfo) == 72);
static_assert(offsetof(GuestProcessInfo, links) == 4);
static_assert(offsetof(GuestProcessInfo, mailbox_messages) == 8);
static_assert(offsetof(GuestProcessInfo, fuel_used) == 32);
static_assert(offsetof(GuestProcessInfo, slices) == 48);
static_assert(offsetof(GuestProcessInfo, monitored_by) == 56);
static_assert(offsetof(GuestProcessInfo, start_time_ms) == 64);

}  // namespace lunatic::host::process
